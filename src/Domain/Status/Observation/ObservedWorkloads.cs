using System.Collections.Frozen;
using System.Globalization;

namespace Portal.Domain.Status.Observation;

/// <summary>An observed Deployment: spec and status counts as <c>kubectl rollout status</c> reads them.</summary>
public sealed record ObservedDeployment : ObservedObject
{
    public const string ProgressingCondition = "Progressing";
    public const string AvailableCondition = "Available";
    public const string ProgressDeadlineExceededReason = "ProgressDeadlineExceeded";

    public override string Kind => ObjectKinds.Deployment;

    public long Generation { get; init; } = 1;

    public long ObservedGeneration { get; init; } = 1;

    /// <summary><c>spec.replicas</c>: how many pods the operator asked for.</summary>
    public int DesiredReplicas { get; init; } = 1;

    /// <summary><c>status.replicas</c>: pods of every revision, old ones included.</summary>
    public int Replicas { get; init; }

    public int UpdatedReplicas { get; init; }

    public int ReadyReplicas { get; init; }

    public int AvailableReplicas { get; init; }

    public bool Paused { get; init; }

    public IReadOnlyList<ObservedCondition> Conditions { get; init; } = [];

    /// <summary>Annotations of the pod template (the config hash and the secret-revision ledger the next pods get).</summary>
    public IReadOnlyDictionary<string, string> PodTemplateAnnotations { get; init; } = FrozenDictionary<string, string>.Empty;
}

/// <summary>An observed StatefulSet: replica counts and the current/update revisions of a rolling update.</summary>
public sealed record ObservedStatefulSet : ObservedObject
{
    public const string RollingUpdateStrategy = "RollingUpdate";
    public const string OnDeleteStrategy = "OnDelete";

    public override string Kind => ObjectKinds.StatefulSet;

    public long Generation { get; init; } = 1;

    public long ObservedGeneration { get; init; } = 1;

    public int DesiredReplicas { get; init; } = 1;

    public int Replicas { get; init; }

    public int ReadyReplicas { get; init; }

    public int CurrentReplicas { get; init; }

    public int UpdatedReplicas { get; init; }

    public string CurrentRevision { get; init; } = "";

    public string UpdateRevision { get; init; } = "";

    public string UpdateStrategy { get; init; } = RollingUpdateStrategy;

    /// <summary>The rolling-update partition: pods with an ordinal below it keep the old revision.</summary>
    public int? Partition { get; init; }

    /// <summary>Names of the volume claim templates; claims are named <c>&lt;template&gt;-&lt;statefulset&gt;-&lt;ordinal&gt;</c>.</summary>
    public IReadOnlyList<string> VolumeClaimTemplates { get; init; } = [];

    public IReadOnlyDictionary<string, string> PodTemplateAnnotations { get; init; } = FrozenDictionary<string, string>.Empty;
}

/// <summary>An observed ReplicaSet, owned by a Deployment.</summary>
public sealed record ObservedReplicaSet : ObservedObject
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string ReplicaFailureCondition = "ReplicaFailure";

    public override string Kind => ObjectKinds.ReplicaSet;

    public long Generation { get; init; } = 1;

    public long ObservedGeneration { get; init; } = 1;

    public int DesiredReplicas { get; init; } = 1;

    public int Replicas { get; init; }

    public int ReadyReplicas { get; init; }

    public int AvailableReplicas { get; init; }

    public IReadOnlyList<ObservedCondition> Conditions { get; init; } = [];

    /// <summary>The Deployment revision this ReplicaSet carries, if annotated.</summary>
    public int? Revision =>
        int.TryParse(Annotation(RevisionAnnotation), NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : null;
}

/// <summary>An observed Job (bootloader, schema setup, bucket and role creation).</summary>
public sealed record ObservedJob : ObservedObject
{
    public const string CompleteCondition = "Complete";
    public const string FailedCondition = "Failed";
    public const string SuspendedCondition = "Suspended";

    public override string Kind => ObjectKinds.Job;

    public int Active { get; init; }

    public int Succeeded { get; init; }

    public int Failed { get; init; }

    public int? Completions { get; init; }

    public int? BackoffLimit { get; init; }

    /// <summary><c>spec.activeDeadlineSeconds</c>: Kubernetes fails the Job itself after this long.</summary>
    public long? ActiveDeadlineSeconds { get; init; }

    public bool Suspend { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public IReadOnlyList<ObservedCondition> Conditions { get; init; } = [];

    public bool IsComplete => Conditions.IsTrue(CompleteCondition);

    public bool IsFailed => Conditions.IsTrue(FailedCondition);

    public bool IsFinished => IsComplete || IsFailed;
}
