using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Catalog;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Drafts;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Relations.Postgresql;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Stacks;
using Portal.Provisioning.Tests.Infrastructure;
using Portal.Provisioning.Tests.Steps;
using Portal.Sandbox;

namespace Portal.Provisioning.Tests.Drafts;

/// <summary>The drafts service as the portal wires it, over a SQLite portal database and cluster <c>sandbox</c> connected to an
/// in-process sandbox through its kubeconfig (the path every cluster takes).</summary>
internal sealed class DraftHarness : IAsyncDisposable
{
    public const string ClusterName = StackHarness.ClusterName;

    private readonly ServiceProvider _services;
    private readonly Func<Task> _dropDatabase;

    private DraftHarness(SandboxCluster sandbox, ServiceProvider services, PortalDatabase database, Func<Task> dropDatabase, CapturingLoggerProvider logs)
    {
        Sandbox = sandbox;
        Logs = logs;
        _services = services;
        Database = database;
        _dropDatabase = dropDatabase;
    }

    public SandboxCluster Sandbox { get; }

    public PortalDatabase Database { get; }

    public IStackDrafts Drafts => _services.GetRequiredService<IStackDrafts>();

    public CapturingLoggerProvider Logs { get; }

    /// <summary>A client of the sandbox for arranging the cluster (not the portal's way in).</summary>
    public IKubernetes Client => _services.GetRequiredService<ClusterRegistry>().Gateway(ClusterName).Client;

    public static async Task<DraftHarness> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var options = new SandboxOptions { Seed = 11, Simulation = StackHarness.FastSimulation() };
        configure?.Invoke(options);
        var sandbox = await SandboxServer.StartAsync(options, TestContext.Current.CancellationToken);
        var (database, drop) = await TestDatabases.CreateAsync("sqlite", "drafts");
        var logs = new CapturingLoggerProvider();

        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(ComponentCatalog.Default);
        services.AddSingleton(database);
        services.AddSingleton<ClusterRegistry>();
        services.AddSingleton<IClusterRegistry>(sp => sp.GetRequiredService<ClusterRegistry>());
        services.AddRendering();
        services.AddSingleton<IDatabaseAdmin>(sp => new ExternalDatabaseAdmin(
            Options.Create(new PostgresqlAdminOptions { ConnectTimeout = TimeSpan.FromSeconds(5), CommandTimeout = TimeSpan.FromSeconds(10) }),
            sp.GetRequiredService<ILogger<ExternalDatabaseAdmin>>()));
        services.AddDrafts();
        var provider = services.BuildServiceProvider();

        var connected = provider.GetRequiredService<ClusterRegistry>().Connect(ClusterName, sandbox.Kubeconfig(), null);
        Assert.True(connected.IsSuccess, string.Join("; ", connected.Errors));
        return new DraftHarness(sandbox, provider, database, drop, logs);
    }

    /// <summary>How many stacks and audit entries the portal database holds.</summary>
    public async Task<(int Stacks, int Audit)> CountAsync()
    {
        await using var context = Database.CreateContext();
        return (context.Stacks.Count(), context.Audit.Count());
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Sandbox.DisposeAsync();
        await _dropDatabase();
    }
}
