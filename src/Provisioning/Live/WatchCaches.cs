using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Provisioning.Clusters;

namespace Portal.Provisioning.Live;

/// <summary>One watch cache per connected cluster, following the cluster registry: a cluster connected at runtime gets a cache,
/// a disconnected one loses it, and a cluster connected again under the same name (a new gateway) gets a fresh one.</summary>
/// <remarks><see cref="RunAsync"/> compares the registry with the caches every <see cref="LiveOptions.ClusterPollInterval"/>;
/// the registry has no change notification, and a dictionary read per second costs nothing.</remarks>
internal sealed class WatchCaches : ILiveClusters, IAsyncDisposable
{
    private readonly ClusterRegistry _registry;
    private readonly LiveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Watched> _caches = new(StringComparer.Ordinal);
    private bool _disposed;

    public WatchCaches(ClusterRegistry registry, IOptions<LiveOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        _registry = registry;
        _options = options.Value;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<WatchCaches>();
    }

    /// <summary>Raised (on a cache's thread) when a cache's objects or its synced state changed, and when a cache starts or stops.</summary>
    public event Action<CacheChange>? Changed;

    public IReadOnlyList<LiveClusterStatus> All
    {
        get
        {
            lock (_gate)
            {
                return _caches.Values.Select(w => w.Cache.Status()).OrderBy(s => s.Cluster, StringComparer.Ordinal).ToList();
            }
        }
    }

    LiveClusterStatus? ILiveClusters.Find(string cluster) => Cache(cluster)?.Status();

    /// <summary>The cache of a cluster; null when the portal is not connected to it (or has not noticed yet).</summary>
    public ClusterWatchCache? Cache(string cluster)
    {
        lock (_gate)
        {
            return _caches.TryGetValue(cluster, out var watched) ? watched.Cache : null;
        }
    }

    /// <summary>Follows the registry until cancelled, then stops every cache.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ClusterPollInterval, _time);
        try
        {
            do
            {
                await ReconcileAsync().ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Starts a cache for every connected cluster without one, and stops the caches of clusters that went away or were
    /// connected again.</summary>
    public async Task ReconcileAsync()
    {
        var connected = new Dictionary<string, IClusterGateway>(StringComparer.Ordinal);
        foreach (var name in _registry.Names)
        {
            try
            {
                connected[name] = _registry.Gateway(name);
            }
            catch (ClusterException)
            {
                // Disconnected between the two reads.
            }
        }

        var stopped = new List<Watched>();
        var started = new List<string>();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            foreach (var (name, watched) in _caches.ToList())
            {
                if (!connected.TryGetValue(name, out var gateway) || !ReferenceEquals(gateway, watched.Gateway))
                {
                    _caches.Remove(name);
                    stopped.Add(watched);
                }
            }

            foreach (var (name, gateway) in connected)
            {
                if (_caches.ContainsKey(name))
                {
                    continue;
                }

                var cache = new ClusterWatchCache(name, gateway.Client, _options, _time, _loggers.CreateLogger<ClusterWatchCache>(), RaiseChanged);
                _caches[name] = new Watched(gateway, cache);
                cache.Start();
                started.Add(name);
            }
        }

        foreach (var watched in stopped)
        {
            await watched.Cache.DisposeAsync().ConfigureAwait(false);
            LiveLog.StoppedWatchingCluster(_logger, watched.Cache.Cluster);
            RaiseChanged(new CacheChange(watched.Cache.Cluster, null));
        }

        foreach (var name in started)
        {
            LiveLog.WatchingCluster(_logger, name);
            RaiseChanged(new CacheChange(name, null));
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<Watched> caches;
        lock (_gate)
        {
            _disposed = true;
            caches = [.. _caches.Values];
            _caches.Clear();
        }

        foreach (var watched in caches)
        {
            await watched.Cache.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void RaiseChanged(CacheChange change) => Changed?.Invoke(change);

    private sealed record Watched(IClusterGateway Gateway, ClusterWatchCache Cache);
}
