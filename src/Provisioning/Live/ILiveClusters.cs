namespace Portal.Provisioning.Live;

/// <summary>The watch caches of the connected clusters: whether each one is synced, and how its lists and watches fare.</summary>
public interface ILiveClusters
{
    /// <summary>One status per connected cluster, by name.</summary>
    IReadOnlyList<LiveClusterStatus> All { get; }

    LiveClusterStatus? Find(string cluster);
}

/// <summary>The state of one cluster's watch cache.</summary>
/// <param name="Synced">Every kind has been listed and is being watched; false while the cluster is first read or cannot be reached.</param>
/// <param name="Problem">Why it is not synced, in one sentence; null when it is.</param>
/// <param name="Objects">Objects cached (events not counted).</param>
/// <param name="Events">Events kept about those objects.</param>
public sealed record LiveClusterStatus(
    string Cluster,
    bool Synced,
    string? Problem,
    int Objects,
    int Events,
    IReadOnlyList<LiveKindStatus> Kinds)
{
    /// <summary>When the cache started watching; null before it started.</summary>
    public DateTimeOffset? WatchingSince { get; init; }

    /// <summary>How far behind the cache may be: the time since it last heard from the cluster (a list, an event, a bookmark) on
    /// its least recently heard kind, counted from <see cref="WatchingSince"/> for a kind never heard; null before it started.</summary>
    /// <remarks>With bookmarks (every minute or so on a real API server) a healthy cache stays well under a couple of minutes;
    /// it grows while a watch is down.</remarks>
    public TimeSpan? Lag(DateTimeOffset now)
    {
        if (WatchingSince is not { } since)
        {
            return null;
        }

        var oldest = Kinds.Count == 0 ? since : Kinds.Min(k => k.LastHeardAt ?? since);
        return oldest > now ? TimeSpan.Zero : now - oldest;
    }
}

/// <summary>How the list and watch of one kind fare.</summary>
/// <param name="Listed">The kind has been listed at least once.</param>
/// <param name="ConsecutiveFailures">Failed lists or watches since the last success.</param>
/// <param name="FailingSince">When the current run of failures began.</param>
/// <param name="LastBackoff">The delay before the latest retry.</param>
/// <param name="Lists">Lists so far (the first one, re-lists after expiry or failure, resyncs).</param>
/// <param name="Watches">Watches opened so far.</param>
/// <param name="Expired">Watches the server answered with 410 Gone (or another error event), or that ended at once.</param>
/// <param name="Drops">Watches cut mid-stream and resumed from their resourceVersion.</param>
/// <param name="ResourceVersion">Where the watch resumes.</param>
public sealed record LiveKindStatus(
    string Kind,
    bool Listed,
    int ConsecutiveFailures,
    DateTimeOffset? FailingSince,
    DateTimeOffset? LastFailureAt,
    TimeSpan? LastBackoff,
    string? LastError,
    long Lists,
    long Watches,
    long Expired,
    long Drops,
    string? ResourceVersion)
{
    /// <summary>When the cache last heard the cluster answer for this kind: a list, a watch event or bookmark, or a quiet watch
    /// that ended on time; null before the first.</summary>
    public DateTimeOffset? LastHeardAt { get; init; }
}
