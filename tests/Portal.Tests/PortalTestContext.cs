using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Hosting;

namespace Portal.Tests;

/// <summary>The shared bUnit context: MudBlazor services, loose JS interop, a raised wait timeout.</summary>
public abstract class PortalTestContext : BunitContext
{
    public static readonly PortalEnvironment EmbeddedDefault = new(
        "SQLite (.portal/portal.db)", "Hangfire in memory", ["sandbox (embedded)"], "development sign-in", IsEmbeddedDefault: true);

    protected PortalTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton(EmbeddedDefault);
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
    }
}
