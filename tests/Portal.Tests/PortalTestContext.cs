using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;
using Portal.Domain.Access;
using Portal.Domain.Catalog;
using Portal.Hosting;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Live;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Stacks;
using Portal.Security;
using Portal.Tests.Fakes;

namespace Portal.Tests;

/// <summary>The shared bUnit context: MudBlazor services, loose JS interop, a raised wait timeout, hand-written fakes of the
/// live state, pod logs, stored stacks, certificates and secrets on a clock the test moves, and a signed-in admin (<see cref="SignInAs"/> changes who
/// is signed in).</summary>
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
        Services.AddSingleton(ComponentCatalog.Default);
        Services.AddSingleton<TimeProvider>(Clock);
        Services.AddSingleton<ILiveStacks>(Live);
        Services.AddSingleton<IPodLogs>(PodLogs);
        Services.AddSingleton<IStackService>(StackService);
        Services.AddSingleton<IClusterRegistry>(ClusterRegistry);
        Services.AddSingleton<ICertificateService>(Certificates);
        Services.AddSingleton<ISecretService>(Secrets);
        Services.AddScoped<CircuitAuthorization>();
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

    /// <summary>A minute after the worlds' observation time, so that ages read as they would live.</summary>
    protected FakeTimeProvider Clock { get; } = new(StackWorld.Now + TimeSpan.FromMinutes(1));

    protected FakeLiveStacks Live { get; } = new();

    protected FakePodLogs PodLogs { get; } = new();

    protected FakeStackService StackService { get; } = new();

    /// <summary>The certificates: no stack has any until a test sets them.</summary>
    protected FakeCertificateService Certificates { get; } = new();

    /// <summary>The secrets: no stack has any until a test sets them.</summary>
    protected FakeSecretService Secrets { get; } = new();

    /// <summary>The connected clusters: the embedded sandbox to begin with.</summary>
    protected FakeClusterRegistry ClusterRegistry { get; } = Connected("sandbox");

    private static FakeClusterRegistry Connected(params string[] names)
    {
        var registry = new FakeClusterRegistry();
        foreach (var name in names)
        {
            registry.ConnectInCluster(name);
        }

        return registry;
    }
}
