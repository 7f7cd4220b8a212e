using System.Threading.Channels;
using Portal.Domain.Stacks;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;

namespace Portal.Provisioning.Live;

/// <summary>The live state of every stack the portal knows: what the watch caches of its clusters show, turned into status by
/// the Domain rules. The topology page, the overview and <c>GET /stacks/{name}/topology</c> all read it.</summary>
public interface ILiveStacks
{
    /// <summary>The latest snapshot of every known stack, by name.</summary>
    IReadOnlyList<LiveStack> All { get; }

    /// <summary>The latest snapshot of one stack; null when the portal does not know it.</summary>
    LiveStack? Find(string stack);

    /// <summary>Subscribes to one stack (or to every stack when <paramref name="stack"/> is null). The channel first carries one
    /// update per stack with <see cref="LiveUpdate.IsInitial"/> set, then change batches at most every ~100 ms. Disposing the
    /// subscription completes its channel and frees it.</summary>
    ILiveSubscription Subscribe(string? stack = null);
}

/// <summary>One subscriber's channel of updates.</summary>
public interface ILiveSubscription : IDisposable
{
    ChannelReader<LiveUpdate> Updates { get; }
}

/// <summary>A stack as the portal sees it live.</summary>
/// <param name="Version">Grows with every change of this stack's snapshot.</param>
/// <param name="Reachable">False while the cluster's watch cache is not synced (unreachable, re-listing); the status then
/// says so rather than guessing.</param>
public sealed record LiveStack(
    string Stack,
    string Cluster,
    string Namespace,
    StackSpec Spec,
    StackStatus Status,
    StackObservation Observation,
    DateTimeOffset ObservedAt,
    long Version,
    bool Reachable);

/// <summary>A new snapshot of a stack and what changed since the subscriber's previous one.</summary>
/// <param name="ChangedComponents">Components whose status, message or objects changed (every component on the initial update).</param>
/// <param name="ChangedRelations">Relation keys whose status or message changed.</param>
/// <param name="Removed">True when the stack is gone (deleted); <see cref="Stack"/> is its last snapshot.</param>
public sealed record LiveUpdate(
    LiveStack Stack,
    IReadOnlySet<string> ChangedComponents,
    IReadOnlySet<string> ChangedRelations,
    bool IsInitial,
    bool Removed = false);

/// <summary>Live logs of one container.</summary>
public interface IPodLogs
{
    /// <summary>The last <paramref name="tailLines"/> lines of a container's log, then (when <paramref name="follow"/>) every new
    /// line until cancelled or the container stops.</summary>
    IAsyncEnumerable<string> ReadAsync(string cluster, string @namespace, string pod, string container, int tailLines, bool follow, CancellationToken cancellationToken);
}
