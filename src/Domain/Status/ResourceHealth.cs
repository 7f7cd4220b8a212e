using Portal.Domain.Status.Observation;

namespace Portal.Domain.Status;

/// <summary>The health of one Kubernetes object (Argo CD's vocabulary), ordered from best to worst for aggregation.</summary>
public enum HealthStatus
{
    /// <summary>Doing what it should.</summary>
    Healthy,
    /// <summary>Paused on purpose (a paused rollout, a suspended Job).</summary>
    Suspended,
    /// <summary>On its way to healthy, within its deadline.</summary>
    Progressing,
    /// <summary>Expected but not in the cluster.</summary>
    Missing,
    /// <summary>Failed, or progressing past its deadline.</summary>
    Degraded,
    /// <summary>The rules cannot tell (a pod whose node stopped reporting).</summary>
    Unknown,
}

/// <summary>The health of one object: status, one sentence, and what to do about it when it is not healthy.</summary>
/// <param name="Resource">The object, e.g. <c>Deployment/airbyte-server</c>.</param>
/// <param name="Message">One sentence for the operator; empty when there is nothing to say.</param>
public sealed record ResourceHealth(ObjectRef Resource, HealthStatus Status, string Message)
{
    /// <summary>A short machine-readable reason (<c>CrashLoopBackOff</c>, <c>ImagePullBackOff</c>, <c>DeadlineExceeded</c>…); empty when healthy.</summary>
    public string Reason { get; init; } = "";

    /// <summary>What the operator should do, when a person can help.</summary>
    public string? Action { get; init; }

    /// <summary>For a progressing object: when it turns degraded if it makes no progress.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Degraded because it was progressing for longer than its deadline.</summary>
    public bool DeadlineExceeded { get; init; }

    /// <summary>The most recent Warning events about the object (attached whenever it is not healthy).</summary>
    public IReadOnlyList<ObservedEvent> Warnings { get; init; } = [];

    public bool IsHealthy => Status == HealthStatus.Healthy;

    /// <summary>An expected object that is not in the cluster.</summary>
    public static ResourceHealth Missing(ObjectRef resource, string action) =>
        new(resource, HealthStatus.Missing, $"{resource.Kind} {resource.Name} is missing") { Reason = "Missing", Action = action };

    public override string ToString() => Message.Length == 0 ? $"{Resource}: {Status}" : $"{Resource}: {Status}: {Message}";
}

/// <summary>Helpers over <see cref="HealthStatus"/>.</summary>
public static class HealthStatuses
{
    /// <summary>The worst of several statuses (Healthy when there are none).</summary>
    public static HealthStatus Worst(IEnumerable<HealthStatus> statuses) =>
        statuses.DefaultIfEmpty(HealthStatus.Healthy).Max();
}
