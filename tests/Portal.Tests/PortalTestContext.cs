using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;
using Portal.Domain.Catalog;
using Portal.Hosting;
using Portal.Provisioning.Live;
using Portal.Provisioning.Stacks;
using Portal.Tests.Fakes;

namespace Portal.Tests;

/// <summary>The shared bUnit context: MudBlazor services, loose JS interop, a raised wait timeout, and hand-written fakes of
/// the live state, pod logs and stored stacks on a clock the test moves.</summary>
public abstract class PortalTestContext : BunitContext
{
    public static readonly PortalEnvironment EmbeddedDefault = new(
        "SQLite (.portal/portal.db)", "Hangfire in memory", ["sandbox (embedded)"], "development sign-in", IsEmbeddedDefault: true);

    protected PortalTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton(EmbeddedDefault);
        Services.AddSingleton(ComponentCatalog.Default);
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<ILiveStacks>(Live);
        Services.AddSingleton<IPodLogs>(PodLogs);
        Services.AddSingleton<IStackService>(StackService);
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
    }

    /// <summary>A minute after the worlds' observation time, so that ages read as they would live.</summary>
    protected FakeTimeProvider Clock { get; } = new(StackWorld.Now + TimeSpan.FromMinutes(1));

    protected FakeLiveStacks Live { get; } = new();

    protected FakePodLogs PodLogs { get; } = new();

    protected FakeStackService StackService { get; } = new();
}
