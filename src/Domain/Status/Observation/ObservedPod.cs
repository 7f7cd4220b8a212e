using Portal.Domain.Naming;

namespace Portal.Domain.Status.Observation;

/// <summary>The phase of a pod.</summary>
public enum PodPhase
{
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
}

/// <summary>The restart policy of a pod: <see cref="Always"/> for services, <see cref="Never"/>/<see cref="OnFailure"/> for Job pods.</summary>
public enum PodRestartPolicy
{
    Always,
    OnFailure,
    Never,
}

/// <summary>The status of one container of a pod: readiness, restarts, why it waits and how it last ended.</summary>
public sealed record ObservedContainer
{
    public required string Name { get; init; }

    /// <summary>The image reference as written in the pod spec, e.g. <c>airbyte/server:1.7.0</c>.</summary>
    public string Image { get; init; } = "";

    public bool Ready { get; init; }

    public int RestartCount { get; init; }

    /// <summary>When the current run started (state running), if it runs.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Reason of the waiting state: <c>ContainerCreating</c>, <c>CrashLoopBackOff</c>, <c>ImagePullBackOff</c>…</summary>
    public string? WaitingReason { get; init; }

    public string? WaitingMessage { get; init; }

    /// <summary>Reason of the current terminated state (<c>Completed</c>, <c>Error</c>, <c>OOMKilled</c>), if terminated.</summary>
    public string? TerminatedReason { get; init; }

    public int? TerminatedExitCode { get; init; }

    public string? TerminatedMessage { get; init; }

    /// <summary>Reason the previous run ended (<c>lastState.terminated</c>), if the container restarted.</summary>
    public string? LastTerminatedReason { get; init; }

    public int? LastTerminatedExitCode { get; init; }

    public DateTimeOffset? LastTerminatedAt { get; init; }

    public bool HasRestarted => LastTerminatedReason is not null || LastTerminatedExitCode is not null || RestartCount > 0;
}

/// <summary>An observed pod: phase, conditions, container states, node and owner.</summary>
/// <remarks>The pod's annotations are those of its template: <see cref="SecretRevisions"/> reads the ledger of which
/// Secret revision it loaded (<see cref="PortalLabels.SecretRevisionsAnnotation"/>).</remarks>
public sealed record ObservedPod : ObservedObject
{
    public const string ReadyCondition = "Ready";
    public const string ScheduledCondition = "PodScheduled";
    public const string UnschedulableReason = "Unschedulable";

    public override string Kind => ObjectKinds.Pod;

    public PodPhase Phase { get; init; } = PodPhase.Pending;

    /// <summary>Pod-level reason (<c>Evicted</c>, <c>NodeLost</c>…), if any.</summary>
    public string? Reason { get; init; }

    public string? Message { get; init; }

    public PodRestartPolicy RestartPolicy { get; init; } = PodRestartPolicy.Always;

    public string? NodeName { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public IReadOnlyList<ObservedCondition> Conditions { get; init; } = [];

    public IReadOnlyList<ObservedContainer> Containers { get; init; } = [];

    public IReadOnlyList<ObservedContainer> InitContainers { get; init; } = [];

    public bool Ready => Conditions.IsTrue(ReadyCondition);

    public int RestartCount => Containers.Sum(c => c.RestartCount);

    /// <summary>The ledger: revision of each portal-managed Secret this pod loaded, by Secret name.</summary>
    public IReadOnlyDictionary<string, int> SecretRevisions =>
        SecretRevisionLedger.Parse(Annotation(PortalLabels.SecretRevisionsAnnotation));

    /// <summary>The label a ReplicaSet's pods carry with the hash its name ends in.</summary>
    public const string PodTemplateHashLabel = "pod-template-hash";

    /// <summary>The name of the workload object the pod belongs to (<c>airbyte-server</c>, <c>oauth2-proxy</c>): its ReplicaSet's name
    /// without the pod-template hash, or its StatefulSet; else from its labels (a component's only workload carries the
    /// component's name as its workload label and is named after the component alone).</summary>
    public string WorkloadName
    {
        get
        {
            if (ControllerOwner is { } owner)
            {
                if (owner.Kind == ObjectKinds.StatefulSet)
                {
                    return owner.Name;
                }

                if (owner.Kind == ObjectKinds.ReplicaSet && Label(PodTemplateHashLabel) is { Length: > 0 } hash && owner.Name.EndsWith($"-{hash}", StringComparison.Ordinal))
                {
                    return owner.Name[..^(hash.Length + 1)];
                }
            }

            return Component is { } component && Workload is { } workload
                ? ObjectNames.Workload(component, workload == component ? "" : workload)
                : ControllerOwner?.Name ?? Name;
        }
    }
}
