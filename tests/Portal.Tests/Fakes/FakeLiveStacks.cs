using System.Collections.Concurrent;
using System.Threading.Channels;
using Portal.Provisioning.Live;

namespace Portal.Tests.Fakes;

/// <summary>A hand-written live source: each subscription gets a real unbounded channel that first carries one initial update
/// per stack, as the contract says; <see cref="Publish"/> pushes a change batch to every matching subscriber.</summary>
public sealed class FakeLiveStacks : ILiveStacks
{
    private readonly ConcurrentDictionary<string, LiveStack> _stacks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Subscription, byte> _subscriptions = new();

    public IReadOnlyList<LiveStack> All => _stacks.Values.OrderBy(s => s.Stack, StringComparer.Ordinal).ToList();

    /// <summary>Subscriptions not disposed yet.</summary>
    public int OpenSubscriptions => _subscriptions.Count;

    /// <summary>Every stack asked for by a subscription, in order (null for "every stack").</summary>
    public ConcurrentQueue<string?> Subscribed { get; } = new();

    public LiveStack? Find(string stack) => _stacks.GetValueOrDefault(stack);

    /// <summary>Knows a stack without telling anyone (its state before a page opens).</summary>
    public void Seed(LiveStack stack) => _stacks[stack.Stack] = stack;

    public ILiveSubscription Subscribe(string? stack = null)
    {
        var subscription = new Subscription(this, stack);
        Subscribed.Enqueue(stack);
        foreach (var known in All.Where(s => stack is null || s.Stack == stack))
        {
            var components = known.Spec.Components.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            var relations = known.Spec.Relations.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
            subscription.Channel.Writer.TryWrite(new LiveUpdate(known, components, relations, IsInitial: true));
        }

        _subscriptions[subscription] = 0;
        return subscription;
    }

    /// <summary>A new snapshot of a stack and what changed, to every subscriber of it.</summary>
    public void Publish(LiveStack stack, IEnumerable<string>? changedComponents = null, IEnumerable<string>? changedRelations = null, bool removed = false)
    {
        if (removed)
        {
            _stacks.TryRemove(stack.Stack, out _);
        }
        else
        {
            _stacks[stack.Stack] = stack;
        }

        var update = new LiveUpdate(
            stack,
            (changedComponents ?? []).ToHashSet(StringComparer.Ordinal),
            (changedRelations ?? []).ToHashSet(StringComparer.Ordinal),
            IsInitial: false,
            Removed: removed);
        foreach (var subscription in _subscriptions.Keys.Where(s => s.Stack is null || s.Stack == stack.Stack))
        {
            subscription.Channel.Writer.TryWrite(update);
        }
    }

    private sealed class Subscription(FakeLiveStacks owner, string? stack) : ILiveSubscription
    {
        public Channel<LiveUpdate> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<LiveUpdate>();

        public string? Stack => stack;

        public ChannelReader<LiveUpdate> Updates => Channel.Reader;

        public void Dispose()
        {
            Channel.Writer.TryComplete();
            owner._subscriptions.TryRemove(this, out _);
        }
    }
}
