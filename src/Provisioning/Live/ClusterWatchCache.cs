using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Portal.Domain.Status.Observation;

namespace Portal.Provisioning.Live;

/// <summary>Something in a cluster's cache changed: the objects of one namespace, or (namespace null) whether the cache is synced.</summary>
internal readonly record struct CacheChange(string Cluster, string? Namespace);

/// <summary>The watch cache of one cluster: lists, then watches, every kind the portal creates and the events about them.</summary>
/// <remarks>
/// One loop per kind. A watch resumes from the last resourceVersion it saw (bookmarks included). A watch the server refuses
/// as expired (410 Gone, sent as an ERROR event that KubernetesClient 21 reports only to its error callback) or that a
/// resumed request ends at once is followed by a fresh list. A watch cut mid-stream resumes at once. A failed list or watch
/// is retried after an exponential backoff with jitter, and then lists again (which shows the cluster answers and catches up
/// on what was missed). Every kind is listed again every <see cref="LiveOptions.ResyncInterval"/>. Events are watched once
/// the other kinds are listed, so that the objects they are about are known.
/// Start it once; dispose it to stop every loop.
/// </remarks>
internal sealed class ClusterWatchCache : IAsyncDisposable
{
    /// <summary>A resumed watch that closes this fast without a single event was refused.</summary>
    internal static readonly TimeSpan QuickEnd = TimeSpan.FromSeconds(1);

    // Watches cut this many times in a row before delivering anything are given up for a list.
    private const int QuietDropsBeforeList = 3;

    // One failed attempt followed by a quick success does not make the cached state doubtful; a second one in a row does.
    private const int FailuresBeforeUnsynced = 2;

    // The server closes a watch at its timeout; the client stops waiting a little later in case it does not.
    private static readonly TimeSpan ClientGrace = TimeSpan.FromSeconds(5);

    private readonly IKubernetes _client;
    private readonly LiveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<CacheChange> _changed;
    private readonly ObservationStore _store;
    private readonly KindState[] _kinds;
    private readonly Lock _statusGate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _resourcesListed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _running = Task.CompletedTask;
    private bool _synced;
    private int _started;
    private DateTimeOffset? _watchingSince;

    public ClusterWatchCache(
        string cluster,
        IKubernetes client,
        LiveOptions options,
        TimeProvider time,
        ILogger logger,
        Action<CacheChange>? changed = null,
        IReadOnlyList<WatchedKind>? kinds = null)
    {
        Cluster = cluster;
        _client = client;
        _options = options;
        _time = time;
        _logger = logger;
        _changed = changed ?? (_ => { });
        _store = new ObservationStore(options);
        _kinds = (kinds ?? WatchedKinds.All).Select(k => new KindState(k)).ToArray();
    }

    public string Cluster { get; }

    /// <summary>Every kind is listed and none is failing: what the cache shows is the cluster as it is.</summary>
    public bool IsSynced
    {
        get
        {
            lock (_statusGate)
            {
                return _synced;
            }
        }
    }

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        lock (_statusGate)
        {
            _watchingSince = _time.GetUtcNow();
        }

        var token = _stop.Token;
        _running = Task.WhenAll(_kinds.Select(k => Task.Run(() => RunKindAsync(k, token), CancellationToken.None))
            .Append(Task.Run(() => MaintainAsync(token), CancellationToken.None)));
    }

    /// <summary>The objects of a stack in its namespace and the events about them, as the cache has them now.</summary>
    public StackObservation Observe(string stack, string @namespace) => _store.Observe(stack, @namespace, _time.GetUtcNow());

    /// <summary>Every cached object (events excluded).</summary>
    public IReadOnlyList<ObservedObject> Objects() => _store.Objects();

    /// <summary>Every kept event.</summary>
    public IReadOnlyList<ObservedEvent> Events() => _store.Events();

    public int PendingEventCount => _store.PendingEventCount;

    public LiveClusterStatus Status()
    {
        lock (_statusGate)
        {
            return new LiveClusterStatus(
                Cluster,
                _synced,
                ProblemLocked(),
                _store.ObjectCount,
                _store.EventCount,
                _kinds.Select(k => new LiveKindStatus(
                    k.Kind.Name, k.Listed, k.Failures, k.FailingSince, k.LastFailureAt, k.LastBackoff, k.LastError,
                    k.Lists, k.Watches, k.Expired, k.Drops, k.ResourceVersion)
                {
                    LastHeardAt = k.LastHeardAt,
                }).ToList())
            {
                WatchingSince = _watchingSince,
            };
        }
    }

    /// <summary>Some kind failed its list or watch more than once in a row: the cluster does not answer as it should.</summary>
    public bool IsFailing
    {
        get
        {
            lock (_statusGate)
            {
                return _kinds.Any(k => k.Failures >= FailuresBeforeUnsynced);
            }
        }
    }

    /// <summary>Why the cache is not synced, in one sentence; null when it is.</summary>
    public string? Problem
    {
        get
        {
            lock (_statusGate)
            {
                return ProblemLocked();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _running.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping is what was asked for.
        }

        _stop.Dispose();
    }

    private async Task RunKindAsync(KindState state, CancellationToken cancellationToken)
    {
        try
        {
            if (state.Kind.IsEvent)
            {
                await _resourcesListed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            string? resourceVersion = null;
            var resyncAt = DateTimeOffset.MaxValue;
            var expiries = 0;
            var quietDrops = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    if (resourceVersion is null || _time.GetUtcNow() >= resyncAt)
                    {
                        if (expiries > 1)
                        {
                            // A server that refuses every resumed watch must not turn into a list per second.
                            await Task.Delay(Backoff(expiries - 1), _time, cancellationToken).ConfigureAwait(false);
                        }

                        resourceVersion = await ListAsync(state, cancellationToken).ConfigureAwait(false);
                        resyncAt = _time.GetUtcNow() + Jittered(_options.ResyncInterval, 0.2);
                    }
                    else if (quietDrops > 1)
                    {
                        // A server that cuts every watch before it serves anything must not be asked again at once, forever.
                        await Task.Delay(Backoff(quietDrops - 1), _time, cancellationToken).ConfigureAwait(false);
                    }

                    var outcome = await WatchAsync(state, resourceVersion, resyncAt, cancellationToken).ConfigureAwait(false);
                    quietDrops = outcome.Quiet ? quietDrops + 1 : 0;
                    if (outcome.Expired || quietDrops >= QuietDropsBeforeList)
                    {
                        // A watch that keeps breaking before it delivers anything makes no progress: a list does.
                        expiries++;
                        quietDrops = 0;
                        resourceVersion = null;
                    }
                    else
                    {
                        expiries = 0;
                        resourceVersion = outcome.ResourceVersion;
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // After a failure the kind is listed again: a list that succeeds shows the cluster answers, and it catches
                    // up on whatever happened while nothing was watched.
                    resourceVersion = null;
                    var delay = Failed(state, e);
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private async Task<string> ListAsync(KindState state, CancellationToken cancellationToken)
    {
        lock (_statusGate)
        {
            state.Lists++;
        }

        var items = new List<ObservedObject>();
        string? continueToken = null;
        var resourceVersion = "";
        do
        {
            var page = await state.Kind.List(_client, continueToken, _options.ListPageSize, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items);
            if (resourceVersion.Length == 0)
            {
                resourceVersion = page.ResourceVersion;
            }

            continueToken = page.Continue;
        }
        while (continueToken is not null);

        var now = _time.GetUtcNow();
        var changed = state.Kind.IsEvent
            ? _store.ReplaceEvents(items.OfType<ObservedEvent>().ToList(), now)
            : _store.Replace(state.Kind.Owns, items, now);
        LiveLog.Listed(_logger, Cluster, state.Kind.Name, items.Count, resourceVersion);
        Succeeded(state, listed: true, resourceVersion);
        Notify(changed);
        return resourceVersion;
    }

    private async Task<WatchOutcome> WatchAsync(KindState state, string resourceVersion, DateTimeOffset resyncAt, CancellationToken cancellationToken)
    {
        var timeout = Jittered(_options.WatchTimeout, 1.0);
        var untilResync = resyncAt - _time.GetUtcNow();
        if (untilResync < timeout)
        {
            timeout = untilResync;
        }

        var timeoutSeconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds));
        using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        watchStop.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds) + ClientGrace);

        lock (_statusGate)
        {
            state.Watches++;
        }

        string? error = null;
        var items = 0;
        var started = _time.GetTimestamp();
        try
        {
            var events = state.Kind.Watch(_client, resourceVersion, timeoutSeconds, e => error ??= Describe(e), watchStop.Token);
            await foreach (var item in events.ConfigureAwait(false))
            {
                if (++items == 1)
                {
                    Succeeded(state, listed: false, null);
                }

                if (!string.IsNullOrEmpty(item.ResourceVersion))
                {
                    resourceVersion = item.ResourceVersion;
                }

                Apply(state, item);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && watchStop.IsCancellationRequested)
        {
            // The server kept the watch open past its timeout: close it here and carry on.
            return new WatchOutcome(resourceVersion, Expired: false);
        }
        catch (Exception e) when (e is not HttpOperationException && !cancellationToken.IsCancellationRequested
            && (e is IOException || e.InnerException is IOException || items > 0 || _time.GetElapsedTime(started) >= QuickEnd))
        {
            // Cut mid-stream (the stream broke, over HTTP/1.1 or as an HTTP/2 stream reset): resume where it stopped.
            lock (_statusGate)
            {
                state.Drops++;
            }

            var reason = Describe(e);
            LiveLog.WatchDropped(_logger, Cluster, state.Kind.Name, reason);
            return new WatchOutcome(resourceVersion, Expired: false, Quiet: items == 0 && _time.GetElapsedTime(started) < QuickEnd);
        }

        if (error is null && items == 0 && _time.GetElapsedTime(started) < QuickEnd)
        {
            error = "the resumed watch ended at once";
        }

        if (error is not null)
        {
            lock (_statusGate)
            {
                state.Expired++;
            }

            LiveLog.WatchExpired(_logger, Cluster, state.Kind.Name, resourceVersion, error);
            return new WatchOutcome(resourceVersion, Expired: true);
        }

        if (items == 0)
        {
            // Quiet for its whole timeout and closed cleanly: the cluster answered all along.
            Succeeded(state, listed: false, null);
        }

        return new WatchOutcome(resourceVersion, Expired: false);
    }

    private void Apply(KindState state, WatchItem item)
    {
        var now = _time.GetUtcNow();
        lock (_statusGate)
        {
            // Bookmarks count: they say the watch is alive and caught up to their resourceVersion.
            state.LastHeardAt = now;
            if (item.ResourceVersion is { Length: > 0 } version)
            {
                state.ResourceVersion = version;
            }
        }

        var changed = (item.Type, item.Object) switch
        {
            (WatchEventType.Added or WatchEventType.Modified, ObservedEvent e) => _store.UpsertEvent(e, now),
            (WatchEventType.Added or WatchEventType.Modified, { } obj) => _store.Upsert(obj, now),
            (WatchEventType.Deleted, ObservedEvent e) => _store.DeleteEvent(e.Namespace, e.Name),
            (WatchEventType.Deleted, { } obj) => _store.Delete(obj.Kind, obj.Namespace, obj.Name),
            _ => null,
        };
        if (changed is not null)
        {
            Notify(changed);
        }
    }

    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        var interval = _options.EventMaxAge / 10;
        if (interval > TimeSpan.FromMinutes(1))
        {
            interval = TimeSpan.FromMinutes(1);
        }

        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Notify(_store.Prune(_time.GetUtcNow()));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private void Succeeded(KindState state, bool listed, string? resourceVersion)
    {
        bool? syncChanged;
        bool recovered;
        lock (_statusGate)
        {
            recovered = state.Failures >= FailuresBeforeUnsynced;
            state.LastHeardAt = _time.GetUtcNow();
            state.Failures = 0;
            state.FailingSince = null;
            state.LastError = null;
            if (listed)
            {
                state.Listed = true;
                state.ResourceVersion = resourceVersion;
            }

            if (_kinds.Where(k => !k.Kind.IsEvent).All(k => k.Listed))
            {
                _resourcesListed.TrySetResult();
            }

            syncChanged = UpdateSyncedLocked();
        }

        if (recovered)
        {
            LiveLog.KindRecovered(_logger, Cluster, state.Kind.Name);
        }

        AfterSyncChange(syncChanged);
    }

    private TimeSpan Failed(KindState state, Exception exception)
    {
        var now = _time.GetUtcNow();
        var reason = Describe(exception);
        TimeSpan delay;
        int failures;
        bool? syncChanged;
        lock (_statusGate)
        {
            failures = ++state.Failures;
            state.FailingSince ??= now;
            state.LastFailureAt = now;
            state.LastError = reason;
            delay = Backoff(failures);
            state.LastBackoff = delay;
            syncChanged = UpdateSyncedLocked();
        }

        if (failures == FailuresBeforeUnsynced)
        {
            LiveLog.KindFailing(_logger, Cluster, state.Kind.Name, reason, delay);
        }
        else
        {
            LiveLog.KindRetrying(_logger, Cluster, state.Kind.Name, failures, reason, delay);
        }

        AfterSyncChange(syncChanged);
        return delay;
    }

    // Returns the new value when it changed.
    private bool? UpdateSyncedLocked()
    {
        var synced = _kinds.All(k => k.Listed && k.Failures < FailuresBeforeUnsynced);
        if (synced == _synced)
        {
            return null;
        }

        _synced = synced;
        return synced;
    }

    private void AfterSyncChange(bool? synced)
    {
        if (synced is not { } now)
        {
            return;
        }

        if (now)
        {
            LiveLog.CacheSynced(_logger, Cluster, _store.ObjectCount);
        }
        else
        {
            var problem = Problem ?? "";
            LiveLog.CacheNotSynced(_logger, Cluster, problem);
        }

        _changed(new CacheChange(Cluster, null));
    }

    private string? ProblemLocked()
    {
        if (_synced)
        {
            return null;
        }

        var failing = _kinds.Where(k => k.Failures >= FailuresBeforeUnsynced).OrderByDescending(k => k.Failures).FirstOrDefault();
        return failing is not null
            ? $"cluster {Cluster} is not reachable: {failing.LastError}"
            : $"the portal is still reading cluster {Cluster}";
    }

    private void Notify(IReadOnlySet<string> namespaces)
    {
        foreach (var @namespace in namespaces)
        {
            _changed(new CacheChange(Cluster, @namespace));
        }
    }

    /// <summary>Exponential, with "equal jitter": half the step is fixed, half random, so retries of many kinds spread out.</summary>
    private TimeSpan Backoff(int failures)
    {
        var step = _options.MinBackoff * Math.Pow(2, Math.Min(failures - 1, 30));
        if (step > _options.MaxBackoff)
        {
            step = _options.MaxBackoff;
        }

        return step / 2 + step / 2 * Random.Shared.NextDouble();
    }

    private static TimeSpan Jittered(TimeSpan value, double spread) => value * (1 + spread * Random.Shared.NextDouble());

    /// <summary>One sentence about a failure, from the cluster's Status when it sent one; never object contents.</summary>
    internal static string Describe(Exception exception) => exception switch
    {
        HttpOperationException http => StatusMessage(http),
        KubernetesException kube => kube.Status is { } status
            ? $"{status.Code} {status.Reason}: {status.Message}".Trim()
            : kube.Message,
        HttpRequestException request => request.Message,
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    private static string StatusMessage(HttpOperationException exception)
    {
        var code = (int)exception.Response.StatusCode;
        try
        {
            if (KubernetesJson.Deserialize<V1Status>(exception.Response.Content) is { Message.Length: > 0 } status)
            {
                return $"{code} {status.Reason}: {status.Message}";
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a Status body: the HTTP status says enough.
        }

        return $"{code} {exception.Response.ReasonPhrase}";
    }

    private readonly record struct WatchOutcome(string ResourceVersion, bool Expired, bool Quiet = false);

    /// <summary>The loop state of one kind; fields are guarded by the cache's status lock.</summary>
    private sealed class KindState(WatchedKind kind)
    {
        public WatchedKind Kind { get; } = kind;

        public bool Listed { get; set; }

        public int Failures { get; set; }

        public DateTimeOffset? FailingSince { get; set; }

        public DateTimeOffset? LastFailureAt { get; set; }

        public TimeSpan? LastBackoff { get; set; }

        public string? LastError { get; set; }

        public long Lists { get; set; }

        public long Watches { get; set; }

        public long Expired { get; set; }

        public long Drops { get; set; }

        public string? ResourceVersion { get; set; }

        /// <summary>The last list, watch event or bookmark, or clean end of a quiet watch: when the cache last heard the cluster
        /// answer for this kind.</summary>
        public DateTimeOffset? LastHeardAt { get; set; }
    }
}
