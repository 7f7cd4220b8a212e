using Portal.Domain.Common;

namespace Portal.Domain.Status;

/// <summary>How long each kind of object may be progressing before its health turns degraded (nothing is "progressing forever").</summary>
/// <remarks>Measured from the object's last change (or creation, or its own progress stamp) to the injected <c>now</c>.</remarks>
public sealed record HealthDeadlines
{
    public static HealthDeadlines Default { get; } = new();

    /// <summary>A Deployment rollout without progress (Kubernetes' own progressDeadlineSeconds defaults to the same).</summary>
    public TimeSpan Deployment { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan StatefulSet { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan ReplicaSet { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A pod that stays Pending (unschedulable, volumes not attaching, image still pulling).</summary>
    public TimeSpan PodPending { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A running pod whose containers never become ready.</summary>
    public TimeSpan PodNotReady { get; init; } = TimeSpan.FromMinutes(10);

    public TimeSpan PersistentVolumeClaim { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>An Ingress waiting for the controller to publish a load-balancer address.</summary>
    public TimeSpan IngressAddress { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A LoadBalancer Service waiting for an address.</summary>
    public TimeSpan LoadBalancerAddress { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A Job without <c>activeDeadlineSeconds</c>; a Job with one gets that deadline plus <see cref="JobDeadlineGrace"/>.</summary>
    public TimeSpan Job { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Time the Job controller gets to mark a Job failed after its own active deadline.</summary>
    public TimeSpan JobDeadlineGrace { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>An object with a deletion timestamp that is still there (a stuck finalizer).</summary>
    public TimeSpan Deletion { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How many of the latest Warning events are attached to an unhealthy object.</summary>
    public int MaxWarnings { get; init; } = 5;

    /// <summary>Every problem with these deadlines at once (for the portal's options validator): each must be positive.</summary>
    public IReadOnlyList<ValidationError> Validate()
    {
        var errors = new ErrorList();
        foreach (var (name, value) in new (string, TimeSpan)[]
        {
            (nameof(Deployment), Deployment), (nameof(StatefulSet), StatefulSet), (nameof(ReplicaSet), ReplicaSet),
            (nameof(PodPending), PodPending), (nameof(PodNotReady), PodNotReady), (nameof(PersistentVolumeClaim), PersistentVolumeClaim),
            (nameof(IngressAddress), IngressAddress), (nameof(LoadBalancerAddress), LoadBalancerAddress), (nameof(Job), Job),
            (nameof(Deletion), Deletion),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add(name, $"must be a positive duration, not {value}");
            }
        }

        if (JobDeadlineGrace < TimeSpan.Zero)
        {
            errors.Add(nameof(JobDeadlineGrace), $"must not be negative, not {JobDeadlineGrace}");
        }

        if (MaxWarnings < 0)
        {
            errors.Add(nameof(MaxWarnings), $"must not be negative, not {MaxWarnings}");
        }

        return errors;
    }
}
