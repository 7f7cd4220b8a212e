using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Portal.Domain.Catalog;
using Portal.Domain.Stacks;
using Portal.Domain.Status;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Live;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Tests.Steps;

namespace Portal.Provisioning.Tests.Live;

/// <summary><see cref="LiveStacks"/> on a portal database and a cluster registry, the way <c>AddProvisioning</c> wires it.</summary>
internal sealed class LiveStacksHarness : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;

    private LiveStacksHarness(PortalDatabase database, ClusterRegistry clusters, LiveOptions options, HealthDeadlines deadlines)
    {
        Database = database;
        Clusters = clusters;
        Options = options;
        _loggers = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        Caches = new WatchCaches(clusters, Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, _loggers);
        Live = new LiveStacks(database, Caches, ComponentCatalog.Default, deadlines, Microsoft.Extensions.Options.Options.Create(options),
            TimeProvider.System, _loggers.CreateLogger<LiveStacks>());
    }

    public PortalDatabase Database { get; }

    public ClusterRegistry Clusters { get; }

    public LiveOptions Options { get; }

    public WatchCaches Caches { get; }

    public LiveStacks Live { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>Starts the live state over an existing database and registry (a <see cref="StackHarness"/>'s, for a real deploy).</summary>
    public static async Task<LiveStacksHarness> StartAsync(PortalDatabase database, ClusterRegistry clusters, LiveOptions? options = null, HealthDeadlines? deadlines = null)
    {
        var harness = new LiveStacksHarness(database, clusters, options ?? LiveSandbox.FastOptions(), deadlines ?? HealthDeadlines.Default);
        await harness.Live.StartAsync(TestContext.Current.CancellationToken);
        return harness;
    }

    /// <summary>Stores a stack record as the stack service does when a stack is created.</summary>
    public async Task AddStackAsync(StackSpec spec)
    {
        await using var context = Database.CreateContext();
        context.Stacks.Add(new StackRecord
        {
            Id = Guid.NewGuid(),
            Name = spec.Name,
            Blueprint = spec.Blueprint,
            Cluster = spec.Cluster,
            Namespace = spec.Namespace,
            Spec = spec.WithoutSecrets(ComponentCatalog.Default),
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        });
        await context.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    public async Task RemoveStackAsync(string name)
    {
        await using var context = Database.CreateContext();
        context.Stacks.Remove(context.Stacks.Single(s => s.Name == name));
        await context.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Waits until the live snapshot of <paramref name="stack"/> satisfies <paramref name="condition"/>, looking every 20 ms.</summary>
    public async Task<LiveStack> WaitForAsync(string stack, Func<LiveStack, bool> condition, string what, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (Live.Find(stack) is { } live && condition(live))
            {
                return live;
            }

            try
            {
                await Task.Delay(20, cts.Token);
            }
            catch (OperationCanceledException)
            {
                var last = Live.Find(stack);
                Assert.Fail($"Timed out waiting until {what}.\nLast: {(last is null ? "(no snapshot)" : Describe(last.Status))}\n"
                    + $"Clusters: {string.Join("; ", Caches.All.Select(LiveSandbox.Describe))}\nLog:\n{string.Join("\n", Logs.Lines.TakeLast(30))}");
            }
        }
    }

    /// <summary>The next update of a subscription, or a failure after <paramref name="timeout"/>.</summary>
    public static async Task<LiveUpdate> NextAsync(ChannelReader<LiveUpdate> reader, string what, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Timed out waiting for {what}.");
            throw;
        }
    }

    public static string Describe(StackStatus status) =>
        $"{status.Status}: {status.Message}\n"
        + string.Join("\n", status.Components.Select(c => $"  {c}"))
        + "\n" + string.Join("\n", status.Relations.Select(r => $"  {r}"));

    public async ValueTask DisposeAsync()
    {
        await Live.StopAsync(CancellationToken.None);
        Live.Dispose();
        await Caches.DisposeAsync();
        _loggers.Dispose();
    }
}
