using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Catalog;
using Portal.Domain.Stacks;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Live;

/// <summary>The live state of every stack: the stacks and their operations from the portal database, the objects from the
/// clusters' watch caches, turned into status by the Domain's <see cref="StackStatusEvaluator"/> and fanned out to subscribers.</summary>
/// <remarks>
/// Three loops run while the host runs: the watch caches follow the connected clusters; the stacks and the facts of their
/// operations are read from the database every <see cref="LiveOptions.StackPollInterval"/>; and the stacks a change touched
/// are evaluated again, at most every <see cref="LiveOptions.BatchInterval"/>, every stack every
/// <see cref="LiveOptions.ReevaluateInterval"/> (health has deadlines). A stack whose status, messages and objects did not change
/// is not published again. Snapshots are immutable; subscribers get their own channel (<see cref="LiveSubscription"/>).
/// </remarks>
internal sealed partial class LiveStacks : BackgroundService, ILiveStacks
{
    private static readonly FrozenSet<string> Nothing = FrozenSet<string>.Empty;

    private readonly PortalDatabase _database;
    private readonly WatchCaches _caches;
    private readonly ComponentCatalog _catalog;
    private readonly StackStatusEvaluator _evaluator;
    private readonly LiveOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LiveStacks> _logger;

    private readonly ConcurrentDictionary<string, StackEntry> _stacks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Cluster, string Namespace), string> _byPlace = new();
    private readonly ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock _publishGate = new();
    private readonly List<LiveSubscription> _subscribers = [];
    private int _allDirty;
    private long _evaluations;

    public LiveStacks(
        PortalDatabase database,
        WatchCaches caches,
        ComponentCatalog catalog,
        HealthDeadlines deadlines,
        IOptions<LiveOptions> options,
        TimeProvider time,
        ILogger<LiveStacks> logger)
    {
        _database = database;
        _caches = caches;
        _catalog = catalog;
        _evaluator = new StackStatusEvaluator(catalog, deadlines);
        _options = options.Value;
        _time = time;
        _logger = logger;
        _caches.Changed += OnCacheChanged;
    }

    public IReadOnlyList<LiveStack> All =>
        _stacks.Values.Select(e => e.Snapshot).OfType<LiveStack>().OrderBy(s => s.Stack, StringComparer.Ordinal).ToList();

    /// <summary>Subscribers right now (tests check that disposing frees them).</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_publishGate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Stack evaluations so far (benchmarks and tests of batching read it).</summary>
    public long Evaluations => Interlocked.Read(ref _evaluations);

    public LiveStack? Find(string stack) => _stacks.TryGetValue(stack, out var entry) ? entry.Snapshot : null;

    public ILiveSubscription Subscribe(string? stack = null)
    {
        var subscription = new LiveSubscription(stack, _options.SubscriberCapacity, Unsubscribe);
        lock (_publishGate)
        {
            _subscribers.Add(subscription);
            foreach (var snapshot in _stacks.Values.Select(e => e.Snapshot).OfType<LiveStack>().OrderBy(s => s.Stack, StringComparer.Ordinal))
            {
                subscription.Offer(snapshot, Nothing, Nothing, removed: false);
            }
        }

        return subscription;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await _caches.DisposeAsync().ConfigureAwait(false);
        List<LiveSubscription> subscribers;
        lock (_publishGate)
        {
            subscribers = [.. _subscribers];
        }

        // Readers see their channel complete rather than wait for updates that will never come.
        foreach (var subscription in subscribers)
        {
            subscription.Dispose();
        }
    }

    public override void Dispose()
    {
        _caches.Changed -= OnCacheChanged;
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(
            Task.Run(() => _caches.RunAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => PollStacksLoopAsync(stoppingToken), CancellationToken.None),
            Task.Run(() => EvaluateLoopAsync(stoppingToken), CancellationToken.None));

    private void Unsubscribe(LiveSubscription subscription)
    {
        lock (_publishGate)
        {
            _subscribers.Remove(subscription);
        }
    }

    private void OnCacheChanged(CacheChange change)
    {
        if (change.Namespace is { } @namespace)
        {
            if (_byPlace.TryGetValue((change.Cluster, @namespace), out var stack))
            {
                MarkDirty(stack);
            }

            return;
        }

        foreach (var entry in _stacks.Values.Where(e => e.Definition.Cluster == change.Cluster))
        {
            MarkDirty(entry.Definition.Name);
        }
    }

    private void MarkDirty(string stack)
    {
        _dirty[stack] = 0;
        _wake.Writer.TryWrite(true);
    }

    private async Task EvaluateLoopAsync(CancellationToken cancellationToken)
    {
        var nextFullPass = _time.GetUtcNow();
        long? lastBatch = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var untilFullPass = nextFullPass - _time.GetUtcNow();
                if (untilFullPass > TimeSpan.Zero && _dirty.IsEmpty)
                {
                    using var timeout = new CancellationTokenSource(untilFullPass, _time);
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
                    try
                    {
                        await _wake.Reader.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // Time for the pass over every stack.
                    }
                }

                if (_time.GetUtcNow() >= nextFullPass)
                {
                    Interlocked.Exchange(ref _allDirty, 1);
                    nextFullPass = _time.GetUtcNow() + _options.ReevaluateInterval;
                }

                // Batches go out no more often than the batch interval: changes arriving meanwhile join this batch.
                if (lastBatch is { } last && _time.GetElapsedTime(last) is var since && since < _options.BatchInterval)
                {
                    await Task.Delay(_options.BatchInterval - since, _time, cancellationToken).ConfigureAwait(false);
                }

                _wake.Reader.TryRead(out _);
                EvaluateDirty();
                lastBatch = _time.GetTimestamp();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Evaluates the stacks marked dirty (or all, on a full pass) and publishes those that changed, as one batch.</summary>
    internal void EvaluateDirty()
    {
        List<string> names;
        if (Interlocked.Exchange(ref _allDirty, 0) == 1)
        {
            _dirty.Clear();
            names = [.. _stacks.Keys];
        }
        else
        {
            names = [];
            foreach (var name in _dirty.Keys)
            {
                if (_dirty.TryRemove(name, out _))
                {
                    names.Add(name);
                }
            }
        }

        var now = _time.GetUtcNow();
        var batch = new List<(StackEntry Entry, Evaluated Result)>();
        foreach (var name in names)
        {
            if (!_stacks.TryGetValue(name, out var entry))
            {
                continue;
            }

            try
            {
                Interlocked.Increment(ref _evaluations);
                if (Evaluate(entry, now) is { } result)
                {
                    batch.Add((entry, result));
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LiveLog.EvaluationFailed(_logger, e, name);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        lock (_publishGate)
        {
            foreach (var (entry, result) in batch)
            {
                if (!_stacks.TryGetValue(entry.Definition.Name, out var current) || !ReferenceEquals(current, entry))
                {
                    // Removed (or replaced) while it was evaluated.
                    continue;
                }

                entry.Snapshot = result.Snapshot;
                entry.Prints = result.Prints;
                foreach (var subscription in _subscribers)
                {
                    subscription.Offer(result.Snapshot, result.ChangedComponents, result.ChangedRelations, removed: false);
                }
            }
        }
    }

    private Evaluated? Evaluate(StackEntry entry, DateTimeOffset now)
    {
        var definition = entry.Definition;
        var cache = _caches.Cache(definition.Cluster);
        var observation = cache?.Observe(definition.Name, definition.Namespace) ?? StackObservation.Empty(definition.Name);
        var status = _evaluator.Evaluate(definition.Spec, observation, definition.Facts, now);
        var reachable = cache?.IsSynced == true;
        if (!reachable)
        {
            status = cache is null
                ? Unreachable(status, $"the portal is not connected to cluster {definition.Cluster}",
                    $"Connect cluster {definition.Cluster} to the portal again")
                : cache.IsFailing
                    ? Unreachable(status, cache.Problem ?? $"cluster {definition.Cluster} is not reachable",
                        $"Check that the portal can reach cluster {definition.Cluster}: its API server, the network, the credentials")
                    : Unreachable(status, cache.Problem ?? $"the portal is still reading cluster {definition.Cluster}",
                        $"Wait for the portal to read cluster {definition.Cluster}");
        }

        var prints = LivePrints.Of(definition.Spec, status, observation, reachable);
        var previous = entry.Prints;
        if (previous is not null && entry.Snapshot is not null && previous.Stack == prints.Stack
            && prints.Components.Count == previous.Components.Count && prints.Relations.Count == previous.Relations.Count
            && prints.Components.All(p => previous.Components.TryGetValue(p.Key, out var old) && old == p.Value)
            && prints.Relations.All(p => previous.Relations.TryGetValue(p.Key, out var old) && old == p.Value))
        {
            return null;
        }

        var changedComponents = prints.Components
            .Where(p => previous is null || !previous.Components.TryGetValue(p.Key, out var old) || old != p.Value)
            .Select(p => p.Key)
            .ToFrozenSet(StringComparer.Ordinal);
        var changedRelations = prints.Relations
            .Where(p => previous is null || !previous.Relations.TryGetValue(p.Key, out var old) || old != p.Value)
            .Select(p => p.Key)
            .ToFrozenSet(StringComparer.Ordinal);
        var snapshot = new LiveStack(
            definition.Name,
            definition.Cluster,
            definition.Namespace,
            definition.Spec,
            status,
            observation,
            now,
            (entry.Snapshot?.Version ?? 0) + 1,
            reachable);
        return new Evaluated(snapshot, prints, changedComponents, changedRelations);
    }

    /// <summary>While the cache is not synced, nothing is claimed about the cluster: every component and relation is unknown,
    /// with the reason; what the cache last saw stays attached for the drawer.</summary>
    private static StackStatus Unreachable(StackStatus status, string problem, string action)
    {
        var components = status.Components
            .Select(c => c with
            {
                Status = ComponentStatus.Unknown,
                Message = problem,
                Cause = new StatusCause(CauseKind.PortalReported, c.Component, problem, action),
            })
            .ToList();
        var relations = status.Relations.Select(r => r with { Status = RelationStatus.Unknown, Message = problem }).ToList();
        return new StackStatus(status.Stack, ComponentStatus.Unknown, components, relations);
    }

    private void Remove(string name)
    {
        if (!_stacks.TryRemove(name, out var entry))
        {
            return;
        }

        _byPlace.TryRemove(new KeyValuePair<(string, string), string>((entry.Definition.Cluster, entry.Definition.Namespace), name));
        _dirty.TryRemove(name, out _);
        LiveLog.StackRemoved(_logger, name);
        lock (_publishGate)
        {
            if (entry.Snapshot is not { } last)
            {
                return;
            }

            foreach (var subscription in _subscribers)
            {
                subscription.Offer(last, Nothing, Nothing, removed: true);
            }
        }
    }

    /// <summary>What a stack is, from the database: its spec, where it runs, and the facts of its operations.</summary>
    private sealed record StackDefinition(string Name, string Cluster, string Namespace, StackSpec Spec, PortalFacts Facts, string Signature);

    /// <summary>A known stack: its definition (replaced by the poll loop) and its latest snapshot (replaced by the evaluation loop).</summary>
    private sealed class StackEntry(StackDefinition definition)
    {
        private StackDefinition _definition = definition;

        public StackDefinition Definition
        {
            get => Volatile.Read(ref _definition);
            set => Volatile.Write(ref _definition, value);
        }

        public LiveStack? Snapshot { get; set; }

        public LivePrints? Prints { get; set; }
    }

    private sealed record Evaluated(LiveStack Snapshot, LivePrints Prints, IReadOnlySet<string> ChangedComponents, IReadOnlySet<string> ChangedRelations);
}
