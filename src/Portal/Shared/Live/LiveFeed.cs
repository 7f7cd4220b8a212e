using System.Threading.Channels;
using Portal.Provisioning.Live;

namespace Portal.Shared.Live;

/// <summary>Pumps one live subscription into a component: reads the channel in the background, hands over everything that
/// is waiting as one batch, and unsubscribes when disposed.</summary>
/// <remarks>
/// The component passes <c>batch =&gt; InvokeAsync(() =&gt; Apply(batch))</c>, so each batch is applied on the renderer's
/// dispatcher and renders once, however many updates were queued while the previous render ran (the Aspire dashboard's
/// pattern). Disposing cancels the pump, disposes the subscription (which completes and frees its channel) and waits for
/// the pump to end; a failure of <c>apply</c> goes to <c>onError</c> (the component's <c>DispatchExceptionAsync</c>) instead
/// of dying unseen in a background task.
/// </remarks>
public sealed class LiveFeed : IAsyncDisposable
{
    private readonly ILiveSubscription _subscription;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    private LiveFeed(ILiveSubscription subscription, Func<IReadOnlyList<LiveUpdate>, Task> apply, Func<Exception, Task> onError)
    {
        _subscription = subscription;
        // On the thread pool, off the renderer's dispatcher: only apply (through InvokeAsync) comes back to it.
        _pump = Task.Run(() => PumpAsync(subscription.Updates, apply, onError, _stop.Token));
    }

    /// <summary>Subscribes to <paramref name="stack"/> (every stack when null) and starts pumping.</summary>
    public static LiveFeed Start(ILiveStacks live, string? stack, Func<IReadOnlyList<LiveUpdate>, Task> apply, Func<Exception, Task> onError) =>
        new(live.Subscribe(stack), apply, onError);

    /// <summary>One update per stack: the last snapshot, with the changed components and relations of every update merged.</summary>
    public static IReadOnlyList<LiveUpdate> Merge(IReadOnlyList<LiveUpdate> batch)
    {
        if (batch.Count <= 1)
        {
            return batch;
        }

        return batch
            .GroupBy(u => u.Stack.Stack, StringComparer.Ordinal)
            .Select(g => g.Count() == 1
                ? g.First()
                : g.Last() with
                {
                    ChangedComponents = g.SelectMany(u => u.ChangedComponents).ToHashSet(StringComparer.Ordinal),
                    ChangedRelations = g.SelectMany(u => u.ChangedRelations).ToHashSet(StringComparer.Ordinal),
                    IsInitial = g.Any(u => u.IsInitial),
                })
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _subscription.Dispose();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
            // The pump ends by cancellation; nothing else to do.
        }

        _stop.Dispose();
    }

    private static async Task PumpAsync(
        ChannelReader<LiveUpdate> updates, Func<IReadOnlyList<LiveUpdate>, Task> apply, Func<Exception, Task> onError, CancellationToken cancellationToken)
    {
        try
        {
            while (await updates.WaitToReadAsync(cancellationToken))
            {
                var batch = new List<LiveUpdate>();
                while (updates.TryRead(out var update))
                {
                    batch.Add(update);
                }

                if (batch.Count > 0)
                {
                    await apply(batch);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (ChannelClosedException)
        {
            // The source completed the channel: nothing more will come.
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            await onError(e);
        }
    }
}
