using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Portal.Domain.Access;
using Portal.Hosting;
using Portal.Security;

namespace Portal.Tests;

/// <summary>The shared bUnit context: MudBlazor services, loose JS interop, a raised wait timeout, and a signed-in admin
/// (<see cref="Authorization"/> changes who is signed in).</summary>
public abstract class PortalTestContext : BunitContext
{
    public static readonly PortalEnvironment EmbeddedDefault = new(
        "SQLite (.portal/portal.db)", "Hangfire in memory", ["sandbox (embedded)"], "development sign-in", IsEmbeddedDefault: true)
    {
        DevelopmentSignIn = true,
    };

    protected PortalTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton(EmbeddedDefault);
        DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        Authorization = AddAuthorization();
        SignInAs("test-admin", PortalRole.Admin);
    }

    protected BunitAuthorizationContext Authorization { get; }

    /// <summary>Signs the circuit in with a role: its role claims and the policies it meets.</summary>
    protected void SignInAs(string name, PortalRole role)
    {
        var roles = role.Implied().ToList();
        Authorization.SetAuthorized(name);
        Authorization.SetRoles([.. roles.Select(r => r.ToString())]);
        Authorization.SetPolicies([.. roles.Select(PortalPolicies.For)]);
    }
}
