using Microsoft.Extensions.Logging;

namespace Portal.Provisioning.Live;

/// <summary>Log messages of the watch caches and the live stack status. Object contents and log lines are never logged.</summary>
internal static partial class LiveLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Cluster {Cluster}: listed {Count} {Kind} objects at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string cluster, string kind, int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cluster {Cluster}: the {Kind} watch was cut ({Reason}); resuming")]
    public static partial void WatchDropped(ILogger logger, string cluster, string kind, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster}: the {Kind} watch from resourceVersion {ResourceVersion} expired ({Reason}); listing again")]
    public static partial void WatchExpired(ILogger logger, string cluster, string kind, string resourceVersion, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {Cluster}: cannot list or watch {Kind}: {Reason}; retrying in {Delay}")]
    public static partial void KindFailing(ILogger logger, string cluster, string kind, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cluster {Cluster}: {Kind} failed {Failures} times in a row: {Reason}; retrying in {Delay}")]
    public static partial void KindRetrying(ILogger logger, string cluster, string kind, int failures, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster}: {Kind} is listed and watched again")]
    public static partial void KindRecovered(ILogger logger, string cluster, string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster}: the watch cache is synced ({Objects} objects)")]
    public static partial void CacheSynced(ILogger logger, string cluster, int objects);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {Cluster}: the watch cache is not synced: {Problem}")]
    public static partial void CacheNotSynced(ILogger logger, string cluster, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching cluster {Cluster}")]
    public static partial void WatchingCluster(ILogger logger, string cluster);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped watching cluster {Cluster}")]
    public static partial void StoppedWatchingCluster(ILogger logger, string cluster);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the stacks from the portal database failed; trying again")]
    public static partial void StackPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Evaluating the status of stack {Stack} failed; its previous status stays")]
    public static partial void EvaluationFailed(ILogger logger, Exception exception, string stack);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stack {Stack} appeared (cluster {Cluster}, namespace {Namespace})")]
    public static partial void StackAppeared(ILogger logger, string stack, string cluster, string @namespace);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stack {Stack} is gone")]
    public static partial void StackRemoved(ILogger logger, string stack);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Following the log of {Namespace}/{Pod} container {Container} on cluster {Cluster}")]
    public static partial void LogsOpened(ILogger logger, string cluster, string @namespace, string pod, string container);
}
