using Portal.Domain.Status.Observation;
using static Portal.Domain.Status.TimeText;

namespace Portal.Domain.Status;

/// <summary>Argo CD's per-kind health rules, plus a deadline on every "progressing" so that nothing progresses forever.</summary>
/// <remarks>Pure: the same object, events and <c>now</c> give the same health. One deliberate difference from Argo CD:
/// container waiting errors (<c>ImagePullBackOff</c>…) degrade Job pods too, because the portal has no sync hooks
/// that Argo protects with that exception, and a Job whose image cannot be pulled never finishes.</remarks>
public sealed class ResourceHealthEvaluator
{
    public ResourceHealthEvaluator(HealthDeadlines? deadlines = null)
    {
        Deadlines = deadlines ?? HealthDeadlines.Default;
    }

    public HealthDeadlines Deadlines { get; }

    /// <summary>The health of one object at <paramref name="now"/>, with the stack's warnings about it attached when it is not healthy.</summary>
    public ResourceHealth Evaluate(ObservedObject resource, StackObservation observation, DateTimeOffset now) =>
        Evaluate(resource, now, observation.EventsFor(resource));

    /// <summary>The health of one object at <paramref name="now"/>; <paramref name="events"/> may hold events about other objects too.</summary>
    public ResourceHealth Evaluate(ObservedObject resource, DateTimeOffset now, IEnumerable<ObservedEvent>? events = null)
    {
        var verdict = resource.DeletionRequestedAt is { } deletion ? Deleting(resource, deletion) : Assess(resource);
        var health = new ResourceHealth(resource.Ref, verdict.Status, verdict.Message) { Reason = verdict.Reason, Action = verdict.Action };

        if (verdict is { Status: HealthStatus.Progressing, Since: { } since, Allowed: { } allowed })
        {
            var deadline = since + allowed;
            health = now >= deadline
                ? health with
                {
                    Status = HealthStatus.Degraded,
                    Message = verdict.OverdueMessage ?? $"{verdict.Message} for more than {Describe(allowed)}",
                    Reason = "DeadlineExceeded",
                    Action = verdict.OverdueAction ?? verdict.Action,
                    Deadline = deadline,
                    DeadlineExceeded = true,
                }
                : health with { Deadline = deadline };
        }

        if (!health.IsHealthy && events is not null)
        {
            health = health with
            {
                Warnings = events
                    .Where(e => e.Type == EventType.Warning && e.IsAbout(resource))
                    .OrderByDescending(e => e.When)
                    .Take(Deadlines.MaxWarnings)
                    .ToList(),
            };
        }

        return health;
    }

    private Verdict Assess(ObservedObject resource) => resource switch
    {
        ObservedDeployment deployment => Deployment(deployment),
        ObservedStatefulSet statefulSet => StatefulSet(statefulSet),
        ObservedReplicaSet replicaSet => ReplicaSet(replicaSet),
        ObservedPod pod => Pod(pod),
        ObservedJob job => Job(job),
        ObservedPersistentVolumeClaim claim => Claim(claim),
        ObservedService service => Service(service),
        ObservedIngress ingress => Ingress(ingress),
        ObservedSecret or ObservedConfigMap => new Verdict(HealthStatus.Healthy, ""),
        _ => new Verdict(HealthStatus.Unknown, $"no health rule for {resource.Kind}"),
    };

    private Verdict Deleting(ObservedObject resource, DateTimeOffset requestedAt) =>
        new(HealthStatus.Progressing, "being deleted")
        {
            Reason = "Deleting",
            Since = requestedAt,
            Allowed = Deadlines.Deletion,
            OverdueMessage = $"still being deleted after {Describe(Deadlines.Deletion)}: a finalizer may be stuck",
            OverdueAction = $"Check the finalizers of {resource.Kind} {resource.Name}",
        };

    // Mirrors kubectl rollout status, as Argo CD's health_deployment.go does.
    private Verdict Deployment(ObservedDeployment deployment)
    {
        if (deployment.Paused)
        {
            return new Verdict(HealthStatus.Suspended, "rollout is paused") { Reason = "Paused", Action = $"Resume the rollout of {deployment.Name}" };
        }

        var progressing = deployment.Conditions.Find(ObservedDeployment.ProgressingCondition);
        var since = Latest(deployment.CreatedAt, deployment.LastChangedAt, progressing?.LastUpdateAt, progressing?.LastTransitionAt);
        var action = $"Check the pods and events of {deployment.Name}";
        Verdict Rolling(string message) => new(HealthStatus.Progressing, message)
        {
            Reason = "RollingOut",
            Action = $"Wait for the rollout of {deployment.Name} to finish",
            Since = since,
            Allowed = Deadlines.Deployment,
            OverdueMessage = $"rollout made no progress for {Describe(Deadlines.Deployment)}: {message}",
            OverdueAction = action,
        };

        if (deployment.Generation > deployment.ObservedGeneration)
        {
            return Rolling("waiting for the controller to observe the new spec");
        }

        if (progressing?.Reason == ObservedDeployment.ProgressDeadlineExceededReason)
        {
            return new Verdict(HealthStatus.Degraded, "rollout exceeded its progress deadline")
            {
                Reason = ObservedDeployment.ProgressDeadlineExceededReason,
                Action = action,
            };
        }

        if (deployment.UpdatedReplicas < deployment.DesiredReplicas)
        {
            return Rolling($"waiting for rollout: {deployment.UpdatedReplicas} of {Plural(deployment.DesiredReplicas, "new replica")} updated");
        }

        if (deployment.Replicas > deployment.UpdatedReplicas)
        {
            return Rolling($"waiting for rollout: {Plural(deployment.Replicas - deployment.UpdatedReplicas, "old replica")} pending termination");
        }

        if (deployment.AvailableReplicas < deployment.UpdatedReplicas)
        {
            return Rolling($"waiting for rollout: {deployment.AvailableReplicas} of {Plural(deployment.UpdatedReplicas, "updated replica")} available");
        }

        return new Verdict(HealthStatus.Healthy, $"{deployment.AvailableReplicas} of {Plural(deployment.DesiredReplicas, "replica")} available");
    }

    private Verdict StatefulSet(ObservedStatefulSet statefulSet)
    {
        Verdict Rolling(string message) => new(HealthStatus.Progressing, message)
        {
            Reason = "RollingOut",
            Action = $"Wait for the pods of {statefulSet.Name} to become ready",
            Since = Latest(statefulSet.CreatedAt, statefulSet.LastChangedAt),
            Allowed = Deadlines.StatefulSet,
            OverdueMessage = $"not ready after {Describe(Deadlines.StatefulSet)}: {message}",
            OverdueAction = $"Check the pods and events of {statefulSet.Name}",
        };

        if (statefulSet.ObservedGeneration == 0 || statefulSet.Generation > statefulSet.ObservedGeneration)
        {
            return Rolling("waiting for the controller to observe the new spec");
        }

        if (statefulSet.ReadyReplicas < statefulSet.DesiredReplicas)
        {
            return Rolling($"waiting for {statefulSet.DesiredReplicas - statefulSet.ReadyReplicas} of {Plural(statefulSet.DesiredReplicas, "pod")} to be ready");
        }

        if (statefulSet.UpdateStrategy == ObservedStatefulSet.OnDeleteStrategy)
        {
            return new Verdict(HealthStatus.Healthy, $"{Plural(statefulSet.ReadyReplicas, "pod")} ready");
        }

        if (statefulSet.Partition is > 0 and var partition)
        {
            var expected = statefulSet.DesiredReplicas - partition;
            return statefulSet.UpdatedReplicas < expected
                ? Rolling($"waiting for partitioned rollout: {statefulSet.UpdatedReplicas} of {Plural(expected, "new pod")} updated")
                : new Verdict(HealthStatus.Healthy, $"partitioned rollout complete: {Plural(statefulSet.UpdatedReplicas, "new pod")} updated");
        }

        if (statefulSet.UpdateRevision.Length > 0 && statefulSet.CurrentRevision != statefulSet.UpdateRevision)
        {
            return Rolling($"waiting for rolling update: {statefulSet.UpdatedReplicas} of {Plural(statefulSet.DesiredReplicas, "pod")} at revision {statefulSet.UpdateRevision}");
        }

        return new Verdict(HealthStatus.Healthy, $"{statefulSet.ReadyReplicas} of {Plural(statefulSet.DesiredReplicas, "pod")} ready");
    }

    private Verdict ReplicaSet(ObservedReplicaSet replicaSet)
    {
        Verdict Rolling(string message) => new(HealthStatus.Progressing, message)
        {
            Reason = "RollingOut",
            Since = Latest(replicaSet.CreatedAt, replicaSet.LastChangedAt),
            Allowed = Deadlines.ReplicaSet,
            OverdueMessage = $"not available after {Describe(Deadlines.ReplicaSet)}: {message}",
            OverdueAction = $"Check the pods and events of {replicaSet.Name}",
        };

        if (replicaSet.Generation > replicaSet.ObservedGeneration)
        {
            return Rolling("waiting for the controller to observe the new spec");
        }

        if (replicaSet.Conditions.Find(ObservedReplicaSet.ReplicaFailureCondition) is { IsTrue: true } failure)
        {
            return new Verdict(HealthStatus.Degraded, $"cannot create pods: {failure.Message}")
            {
                Reason = failure.Reason.Length > 0 ? failure.Reason : ObservedReplicaSet.ReplicaFailureCondition,
                Action = $"Check the events of {replicaSet.Name}: {failure.Message}",
            };
        }

        return replicaSet.AvailableReplicas < replicaSet.DesiredReplicas
            ? Rolling($"{replicaSet.AvailableReplicas} of {Plural(replicaSet.DesiredReplicas, "replica")} available")
            : new Verdict(HealthStatus.Healthy, $"{replicaSet.AvailableReplicas} of {Plural(replicaSet.DesiredReplicas, "replica")} available");
    }

    private Verdict Pod(ObservedPod pod)
    {
        var workload = pod.WorkloadName;
        var multiContainer = pod.Containers.Count + pod.InitContainers.Count > 1;
        foreach (var (container, init) in pod.InitContainers.Select(c => (c, true)).Concat(pod.Containers.Select(c => (c, false))))
        {
            if (IsErrorWaiting(container.WaitingReason))
            {
                return WaitingError(workload, container, init ? $"init container {container.Name}: " : multiContainer ? $"container {container.Name}: " : "");
            }
        }

        switch (pod.Phase)
        {
            case PodPhase.Pending:
                return PendingPod(pod, workload);
            case PodPhase.Succeeded:
                return new Verdict(HealthStatus.Healthy, "completed");
            case PodPhase.Failed:
                return FailedPod(pod, workload);
            case PodPhase.Running when pod.RestartPolicy != PodRestartPolicy.Always:
                // A Job's pod has a finite life: its Job carries the deadline.
                return new Verdict(HealthStatus.Progressing, "running");
            case PodPhase.Running when pod.Ready:
                return new Verdict(HealthStatus.Healthy, pod.RestartCount > 0 ? $"ready ({Plural(pod.RestartCount, "restart")})" : "ready");
            case PodPhase.Running:
                return NotReadyPod(pod, workload);
            default:
                return new Verdict(HealthStatus.Unknown, string.IsNullOrEmpty(pod.Message) ? "the node stopped reporting the pod's state" : pod.Message)
                {
                    Reason = pod.Reason ?? "Unknown",
                    Action = $"Check the node {pod.NodeName} of pod {pod.Name}",
                };
        }
    }

    private static bool IsErrorWaiting(string? reason) =>
        reason is not null
        && (reason.StartsWith("Err", StringComparison.Ordinal)
            || reason.EndsWith("Error", StringComparison.Ordinal)
            || reason.EndsWith("BackOff", StringComparison.Ordinal)
            || reason == "InvalidImageName");

    private static Verdict WaitingError(string workload, ObservedContainer container, string prefix)
    {
        var reason = container.WaitingReason!;
        var detail = container.WaitingMessage;
        switch (reason)
        {
            case "CrashLoopBackOff":
                var outOfMemory = container.LastTerminatedReason == "OOMKilled";
                var last = outOfMemory ? ", last ran out of memory"
                    : container.LastTerminatedExitCode is { } code ? $", last exit code {Number(code)}" : "";
                return new Verdict(HealthStatus.Degraded, $"{prefix}back-off restarting failed container ({Plural(container.RestartCount, "restart")}{last})")
                {
                    Reason = reason,
                    Action = outOfMemory
                        ? $"Raise the memory limit of {workload}: container {container.Name} runs out of memory"
                        : $"Read the logs of {workload}: container {container.Name} keeps crashing",
                };
            case "ImagePullBackOff" or "ErrImagePull" or "InvalidImageName":
                return new Verdict(HealthStatus.Degraded,
                    reason == "InvalidImageName" ? $"{prefix}invalid image name {container.Image}" : $"{prefix}cannot pull image {container.Image} ({reason})")
                {
                    Reason = reason,
                    Action = $"Fix the image name of {workload}: {reason} for {container.Image}",
                };
            case "CreateContainerConfigError":
                return new Verdict(HealthStatus.Degraded, $"{prefix}cannot create container: {detail ?? reason}")
                {
                    Reason = reason,
                    Action = $"Check the Secrets and ConfigMaps {workload} references: {detail ?? reason}",
                };
            default:
                return new Verdict(HealthStatus.Degraded, string.IsNullOrEmpty(detail) ? $"{prefix}{reason}" : $"{prefix}{reason}: {detail}")
                {
                    Reason = reason,
                    Action = $"Read the events and logs of {workload}",
                };
        }
    }

    private Verdict PendingPod(ObservedPod pod, string workload)
    {
        var scheduled = pod.Conditions.Find(ObservedPod.ScheduledCondition);
        var unschedulable = scheduled is { Status: ConditionStatus.False };
        var waiting = pod.InitContainers.Concat(pod.Containers).Select(c => c.WaitingReason).FirstOrDefault(r => r is not null);
        var detail = unschedulable ? $"not scheduled: {scheduled!.Message}"
            : waiting is not null ? waiting
            : string.IsNullOrEmpty(pod.Message) ? "waiting to start" : pod.Message;

        return new Verdict(HealthStatus.Progressing, $"pending ({detail})")
        {
            Reason = unschedulable ? ObservedPod.UnschedulableReason : "Pending",
            Action = $"Wait for pod {pod.Name} to start",
            Since = pod.CreatedAt,
            Allowed = Deadlines.PodPending,
            OverdueMessage = $"still pending after {Describe(Deadlines.PodPending)}: {detail}",
            OverdueAction = unschedulable
                ? $"Free or add cluster capacity for {workload}: {scheduled!.Message}"
                : $"Check the events of pod {pod.Name}",
        };
    }

    private static Verdict FailedPod(ObservedPod pod, string workload)
    {
        if (!string.IsNullOrEmpty(pod.Message))
        {
            return new Verdict(HealthStatus.Degraded, pod.Message)
            {
                Reason = pod.Reason ?? "Failed",
                Action = pod.Reason == "Evicted" ? $"Check the resources of node {pod.NodeName}: {workload} was evicted" : $"Read the logs of {workload}",
            };
        }

        foreach (var container in pod.InitContainers.Concat(pod.Containers))
        {
            if (container.TerminatedReason == "OOMKilled")
            {
                return new Verdict(HealthStatus.Degraded, $"container {container.Name} ran out of memory (OOMKilled)")
                {
                    Reason = "OOMKilled",
                    Action = $"Raise the memory limit of {workload}",
                };
            }

            if (container.TerminatedExitCode is { } code and not 0)
            {
                return new Verdict(HealthStatus.Degraded, $"container {container.Name} failed with exit code {Number(code)}")
                {
                    Reason = container.TerminatedReason ?? "Error",
                    Action = $"Read the logs of {workload}",
                };
            }
        }

        return new Verdict(HealthStatus.Degraded, "failed") { Reason = "Failed", Action = $"Read the logs of {workload}" };
    }

    private Verdict NotReadyPod(ObservedPod pod, string workload)
    {
        // Argo CD: running, not ready, and a container has terminated before → it is not coming up by itself.
        if (pod.Containers.FirstOrDefault(c => !c.Ready && c.HasRestarted) is { } restarted)
        {
            var last = restarted.LastTerminatedReason == "OOMKilled" ? ", last ran out of memory"
                : restarted.LastTerminatedExitCode is { } code ? $", last exit code {Number(code)}" : "";
            return new Verdict(HealthStatus.Degraded, $"container {restarted.Name} is not ready after {Plural(restarted.RestartCount, "restart")}{last}")
            {
                Reason = "NotReadyAfterRestart",
                Action = $"Read the logs of {workload}: container {restarted.Name} restarted {Plural(restarted.RestartCount, "time")}",
            };
        }

        var notReady = pod.Containers.Where(c => !c.Ready).Select(c => c.Name).ToList();
        var names = notReady.Count == 0 ? "the pod" : $"container {string.Join(", ", notReady)}";
        var started = pod.Containers.Select(c => c.StartedAt).Append(pod.StartedAt).Max();
        return new Verdict(HealthStatus.Progressing, $"waiting for {names} to be ready")
        {
            Reason = "NotReady",
            Action = $"Wait for {workload} to become ready",
            Since = Latest(pod.CreatedAt, started),
            Allowed = Deadlines.PodNotReady,
            OverdueMessage = $"{names} not ready after {Describe(Deadlines.PodNotReady)}",
            OverdueAction = $"Check the readiness probe and logs of {workload}",
        };
    }

    private Verdict Job(ObservedJob job)
    {
        if (job.Conditions.Find(ObservedJob.FailedCondition) is { IsTrue: true } failed)
        {
            return new Verdict(HealthStatus.Degraded, failed.Message.Length > 0 ? $"failed: {failed.Message}" : "failed")
            {
                Reason = failed.Reason.Length > 0 ? failed.Reason : "Failed",
                Action = $"Read the logs of job {job.Name}",
            };
        }

        if (job.IsComplete)
        {
            return new Verdict(HealthStatus.Healthy, "completed");
        }

        if (job.Suspend || job.Conditions.IsTrue(ObservedJob.SuspendedCondition))
        {
            return new Verdict(HealthStatus.Suspended, "suspended") { Reason = "Suspended", Action = $"Resume job {job.Name}" };
        }

        var attempts = job.Failed > 0 ? $", {Plural(job.Failed, "failed attempt")}" : "";
        var message = job.Active > 0 || job.StartedAt is not null ? $"running ({job.Active} active{attempts})" : "waiting to start";
        var allowed = job.ActiveDeadlineSeconds is { } seconds
            ? TimeSpan.FromSeconds(seconds) + Deadlines.JobDeadlineGrace
            : Deadlines.Job;
        return new Verdict(HealthStatus.Progressing, message)
        {
            Reason = "Running",
            Action = $"Wait for job {job.Name} to finish",
            Since = job.StartedAt ?? job.CreatedAt,
            Allowed = allowed,
            OverdueMessage = $"still {message} after {Describe(allowed)}",
            OverdueAction = $"Read the logs of job {job.Name}",
        };
    }

    private Verdict Claim(ObservedPersistentVolumeClaim claim)
    {
        var storageClass = claim.StorageClassName is { Length: > 0 } name ? $"storage class {name}" : "the default storage class";
        return claim.Phase switch
        {
            VolumeClaimPhase.Bound => new Verdict(HealthStatus.Healthy, claim.VolumeName is null ? "bound" : $"bound to {claim.VolumeName}"),
            VolumeClaimPhase.Lost => new Verdict(HealthStatus.Degraded, "the bound volume is lost")
            {
                Reason = "Lost",
                Action = $"Restore the volume of {claim.Name}, or delete the claim to provision a new (empty) one",
            },
            _ => new Verdict(HealthStatus.Progressing, $"waiting for a volume from {storageClass}")
            {
                Reason = "Pending",
                Action = $"Wait for {storageClass} to provision a volume",
                Since = Latest(claim.CreatedAt, claim.LastChangedAt),
                Allowed = Deadlines.PersistentVolumeClaim,
                OverdueMessage = $"no volume after {Describe(Deadlines.PersistentVolumeClaim)}: does {storageClass} provision volumes?",
                OverdueAction = claim.StorageClassName is { Length: > 0 }
                    ? $"Check that {storageClass} provisions volumes (a WaitForFirstConsumer class binds only once a pod is scheduled)"
                    : "Set a storage class, or mark one as the cluster's default",
            },
        };
    }

    private Verdict Service(ObservedService service)
    {
        if (service.Type != ServiceType.LoadBalancer)
        {
            return new Verdict(HealthStatus.Healthy, service.ClusterIP is { Length: > 0 } ip ? $"cluster IP {ip}" : "");
        }

        if (service.LoadBalancerAddresses.Count > 0)
        {
            return new Verdict(HealthStatus.Healthy, $"address {string.Join(", ", service.LoadBalancerAddresses)}");
        }

        return new Verdict(HealthStatus.Progressing, "waiting for a load-balancer address")
        {
            Reason = "NoAddress",
            Action = $"Wait for the cluster to give {service.Name} an address",
            Since = Latest(service.CreatedAt, service.LastChangedAt),
            Allowed = Deadlines.LoadBalancerAddress,
            OverdueMessage = $"no load-balancer address after {Describe(Deadlines.LoadBalancerAddress)}: does the cluster provide LoadBalancer services?",
            OverdueAction = "Check that the cluster can provision LoadBalancer services",
        };
    }

    private Verdict Ingress(ObservedIngress ingress)
    {
        if (ingress.LoadBalancerAddresses.Count > 0)
        {
            return new Verdict(HealthStatus.Healthy, $"address {string.Join(", ", ingress.LoadBalancerAddresses)}");
        }

        var ingressClass = ingress.IngressClassName is { Length: > 0 } name ? $"class {name}" : "the default class";
        return new Verdict(HealthStatus.Progressing, "waiting for ingress address")
        {
            Reason = "NoAddress",
            Action = $"Wait for the ingress controller of {ingressClass} to publish an address",
            Since = Latest(ingress.CreatedAt, ingress.LastChangedAt),
            Allowed = Deadlines.IngressAddress,
            OverdueMessage = $"no load-balancer address after {Describe(Deadlines.IngressAddress)}: is an ingress controller running for {ingressClass}?",
            OverdueAction = $"Check that an ingress controller serves {ingressClass}",
        };
    }

    private static DateTimeOffset Latest(DateTimeOffset first, params DateTimeOffset?[] others) =>
        others.Aggregate(first, (latest, next) => next is { } value && value > latest ? value : latest);

    /// <summary>What a rule concludes; a progressing verdict with <see cref="Since"/> and <see cref="Allowed"/> has a deadline.</summary>
    private sealed record Verdict(HealthStatus Status, string Message)
    {
        public string Reason { get; init; } = "";

        public string? Action { get; init; }

        public DateTimeOffset? Since { get; init; }

        public TimeSpan? Allowed { get; init; }

        public string? OverdueMessage { get; init; }

        public string? OverdueAction { get; init; }
    }
}
