using System.Threading.Channels;
using k8s;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Live;
using Portal.Sandbox;

namespace Portal.Provisioning.Tests.Live;

/// <summary>A sandbox cluster with a watch cache on it: the cache's client goes through a <see cref="GateHandler"/> (which counts
/// requests and can hold watches back), and the test writes through a client of its own.</summary>
internal sealed class LiveSandbox : IAsyncDisposable
{
    public const string Cluster = "sandbox";

    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Kubernetes _cacheClient;
    private readonly Kubernetes _client;

    private LiveSandbox(SandboxCluster sandbox, Kubernetes client, Kubernetes cacheClient, GateHandler gate, LiveOptions options)
    {
        Sandbox = sandbox;
        _client = client;
        _cacheClient = cacheClient;
        Gate = gate;
        Options = options;
        Cache = new ClusterWatchCache(Cluster, cacheClient, options, TimeProvider.System, Logs.CreateLogger("cache"), _ => _changes.Writer.TryWrite(true));
    }

    public SandboxCluster Sandbox { get; }

    public Steps.CapturingLoggerProvider Logs { get; } = new();

    /// <summary>The test's own client (not counted, never held).</summary>
    public IKubernetes Client => _client;

    public GateHandler Gate { get; }

    public LiveOptions Options { get; }

    public ClusterWatchCache Cache { get; }

    /// <summary>Short delays, so that backoff and batching show within a test.</summary>
    public static LiveOptions FastOptions() => new()
    {
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromSeconds(1),
        ClusterPollInterval = TimeSpan.FromMilliseconds(100),
        StackPollInterval = TimeSpan.FromMilliseconds(200),
        ReevaluateInterval = TimeSpan.FromSeconds(1),
    };

    public static async Task<LiveSandbox> StartAsync(Action<SandboxOptions>? configure = null, LiveOptions? options = null, bool start = true)
    {
        var sandboxOptions = new SandboxOptions { Seed = 11, Simulation = Steps.StackHarness.FastSimulation() };
        configure?.Invoke(sandboxOptions);
        var sandbox = await SandboxServer.StartAsync(sandboxOptions, TestContext.Current.CancellationToken);
        var configuration = ClusterConnector.FromKubeconfig(sandbox.Kubeconfig(), null).Value;
        var gate = new GateHandler();
        var live = new LiveSandbox(sandbox, new Kubernetes(configuration), new Kubernetes(configuration, gate), gate, options ?? FastOptions());
        if (start)
        {
            live.Cache.Start();
        }

        return live;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, looking again at every cache change and at least every 50 ms.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
            tick.CancelAfter(TimeSpan.FromMilliseconds(50));
            try
            {
                await _changes.Reader.WaitToReadAsync(tick.Token);
                _changes.Reader.TryRead(out _);
            }
            catch (OperationCanceledException) when (!cts.IsCancellationRequested)
            {
                // Look again.
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"Timed out waiting until {what}.\nCache: {Describe(Cache.Status())}\nLog:\n{string.Join("\n", Logs.Lines.TakeLast(40))}");
            }
        }
    }

    public Task WaitForSyncAsync() => WaitUntilAsync(() => Cache.IsSynced, "the cache is synced");

    public async Task<string> CreateNamespaceAsync(string prefix = "live")
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..20];
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: TestContext.Current.CancellationToken);
        return name;
    }

    public static Dictionary<string, string> Labels(string stack, string component) => new()
    {
        [PortalLabels.ManagedBy] = PortalLabels.ManagedByValue,
        [PortalLabels.Stack] = stack,
        [PortalLabels.Component] = component,
    };

    public Task<V1ConfigMap> CreateConfigMapAsync(string @namespace, string name, IDictionary<string, string>? labels, IDictionary<string, string>? data = null) =>
        Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, Labels = labels }, Data = data ?? new Dictionary<string, string> { ["a"] = "1" } },
            @namespace, cancellationToken: TestContext.Current.CancellationToken);

    /// <summary>The portal's ConfigMaps of a namespace as the cluster has them: name → key names.</summary>
    public async Task<Dictionary<string, string>> ClusterConfigMapsAsync(string @namespace) =>
        (await Client.CoreV1.ListNamespacedConfigMapAsync(@namespace, labelSelector: WatchedKinds.PortalSelector, cancellationToken: TestContext.Current.CancellationToken))
        .Items.ToDictionary(c => c.Metadata.Name, c => string.Join(",", (c.Data ?? new Dictionary<string, string>()).Keys.Order(StringComparer.Ordinal)));

    /// <summary>The same, as the cache has them.</summary>
    public Dictionary<string, string> CachedConfigMaps(string @namespace) =>
        Cache.Objects().OfType<Portal.Domain.Status.Observation.ObservedConfigMap>().Where(c => c.Namespace == @namespace)
            .ToDictionary(c => c.Name, c => string.Join(",", c.KeyNames.Order(StringComparer.Ordinal)));

    public LiveKindStatus Kind(string kind) => Cache.Status().Kinds.Single(k => k.Kind == kind);

    public static string Describe(LiveClusterStatus status) =>
        $"synced={status.Synced} problem={status.Problem} objects={status.Objects} events={status.Events}\n"
        + string.Join("\n", status.Kinds.Select(k =>
            $"  {k.Kind}: listed={k.Listed} failures={k.ConsecutiveFailures} lists={k.Lists} watches={k.Watches} expired={k.Expired} drops={k.Drops} rv={k.ResourceVersion} error={k.LastError}"));

    public async ValueTask DisposeAsync()
    {
        Gate.Open();
        await Cache.DisposeAsync();
        _cacheClient.Dispose();
        _client.Dispose();
        await Sandbox.DisposeAsync();
    }
}

/// <summary>Counts the cache's requests (lists and watches apart) and can hold new watch requests until opened again.</summary>
internal sealed class GateHandler : DelegatingHandler
{
    private TaskCompletionSource? _closed;
    private long _lists;
    private long _watches;
    private int _held;

    public long Lists => Interlocked.Read(ref _lists);

    public long Watches => Interlocked.Read(ref _watches);

    /// <summary>Watch requests waiting at the closed gate.</summary>
    public int Held => Volatile.Read(ref _held);

    public void Close() => Interlocked.Exchange(ref _closed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Open() => Interlocked.Exchange(ref _closed, null)?.TrySetResult();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var watch = request.RequestUri?.Query.Contains("watch=true", StringComparison.Ordinal) == true;
        Interlocked.Increment(ref watch ? ref _watches : ref _lists);
        if (watch && Volatile.Read(ref _closed) is { } gate)
        {
            Interlocked.Increment(ref _held);
            try
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _held);
            }
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
