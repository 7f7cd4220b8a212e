using System.Collections.Frozen;
using System.Threading.Channels;

namespace Portal.Provisioning.Live;

/// <summary>One subscriber: a bounded channel fed by a pump from a per-stack mailbox that the publisher never waits on.</summary>
/// <remarks>
/// The publisher only merges into the mailbox (under a lock, no waiting); the pump moves one update at a time into the channel
/// and waits there when the reader is slow. While it waits, further updates of a stack merge into the one still in the
/// mailbox: the latest snapshot, with the union of what changed. So a slow reader costs at most the channel's capacity plus
/// one update per stack, and never holds up the cache or other subscribers.
/// The first update a subscriber gets about a stack has <see cref="LiveUpdate.IsInitial"/> set and names every component and
/// relation as changed: for the stacks known when it subscribed, and for a stack that appears (or appears again) later.
/// </remarks>
internal sealed class LiveSubscription : ILiveSubscription
{
    private readonly Channel<LiveUpdate> _channel;
    private readonly Action<LiveSubscription> _unsubscribe;
    private readonly Lock _gate = new();
    private readonly List<string> _order = [];
    private readonly Dictionary<string, LiveUpdate> _mailbox = new(StringComparer.Ordinal);
    private readonly HashSet<string> _introduced = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private int _disposed;

    public LiveSubscription(string? stack, int capacity, Action<LiveSubscription> unsubscribe)
    {
        Stack = stack;
        _unsubscribe = unsubscribe;
        _channel = Channel.CreateBounded<LiveUpdate>(new BoundedChannelOptions(capacity)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>The stack this subscriber follows; null for every stack.</summary>
    public string? Stack { get; }

    public ChannelReader<LiveUpdate> Updates => _channel.Reader;

    /// <summary>Updates not yet in the channel (for tests of slow readers).</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _mailbox.Count;
            }
        }
    }

    public bool Wants(string stack) => Stack is null || Stack == stack;

    /// <summary>Queues a new snapshot of a stack (or its removal); never waits.</summary>
    public void Offer(LiveStack snapshot, IReadOnlySet<string> changedComponents, IReadOnlySet<string> changedRelations, bool removed)
    {
        if (Volatile.Read(ref _disposed) == 1 || !Wants(snapshot.Stack))
        {
            return;
        }

        lock (_gate)
        {
            var name = snapshot.Stack;
            LiveUpdate update;
            if (removed)
            {
                if (!_introduced.Remove(name))
                {
                    // Never told about it: there is nothing to take back.
                    return;
                }

                update = new LiveUpdate(snapshot, changedComponents, changedRelations, IsInitial: false, Removed: true);
            }
            else
            {
                update = _introduced.Add(name)
                    ? new LiveUpdate(snapshot, AllComponents(snapshot), AllRelations(snapshot), IsInitial: true)
                    : new LiveUpdate(snapshot, changedComponents, changedRelations, IsInitial: false);
            }

            if (_mailbox.TryGetValue(name, out var waiting))
            {
                update = Merge(waiting, update);
            }
            else
            {
                _order.Add(name);
            }

            _mailbox[name] = update;
        }

        _wake.Writer.TryWrite(true);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _unsubscribe(this);
        _stop.Cancel();
        _channel.Writer.TryComplete();
        lock (_gate)
        {
            _mailbox.Clear();
            _order.Clear();
        }
    }

    private static LiveUpdate Merge(LiveUpdate earlier, LiveUpdate later)
    {
        if (later.Removed)
        {
            return later;
        }

        if (earlier.IsInitial || earlier.Removed || later.IsInitial)
        {
            // The reader has not seen this stack yet (or saw it go): the merged update introduces it.
            return new LiveUpdate(later.Stack, AllComponents(later.Stack), AllRelations(later.Stack), IsInitial: true);
        }

        return new LiveUpdate(
            later.Stack,
            earlier.ChangedComponents.Union(later.ChangedComponents, StringComparer.Ordinal).ToFrozenSet(StringComparer.Ordinal),
            earlier.ChangedRelations.Union(later.ChangedRelations, StringComparer.Ordinal).ToFrozenSet(StringComparer.Ordinal),
            IsInitial: false);
    }

    private static FrozenSet<string> AllComponents(LiveStack stack) =>
        stack.Spec.Components.Select(c => c.Name).ToFrozenSet(StringComparer.Ordinal);

    private static FrozenSet<string> AllRelations(LiveStack stack) =>
        stack.Spec.Relations.Select(r => r.Key).ToFrozenSet(StringComparer.Ordinal);

    private async Task PumpAsync()
    {
        var token = _stop.Token;
        try
        {
            while (await _wake.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                while (Next() is { } update)
                {
                    await _channel.Writer.WriteAsync(update, token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
        catch (ChannelClosedException)
        {
            // Disposed while writing.
        }
    }

    // Takes the oldest waiting update out of the mailbox; what arrives later for that stack starts a new one.
    private LiveUpdate? Next()
    {
        lock (_gate)
        {
            if (_order.Count == 0)
            {
                return null;
            }

            var name = _order[0];
            _order.RemoveAt(0);
            return _mailbox.Remove(name, out var update) ? update : null;
        }
    }
}
