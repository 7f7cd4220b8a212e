using Portal.Domain.Status;
using Portal.Domain.Status.Observation;

namespace Portal.Domain.Tests.Status;

public sealed class ResourceHealthTests
{
    private static readonly DateTimeOffset Now = StatusWorld.Now;
    private static readonly ResourceHealthEvaluator Evaluator = new();

    private static DateTimeOffset Ago(double minutes) => Now - TimeSpan.FromMinutes(minutes);

    private static ObservedDeployment Deployment(
        long generation = 1, long observed = 1, int desired = 1, int replicas = 1, int updated = 1, int available = 1,
        bool paused = false, string? progressingReason = null, double createdMinutesAgo = 60) => new()
    {
        Namespace = "ns", Name = "airbyte-server", CreatedAt = Ago(createdMinutesAgo),
        Generation = generation, ObservedGeneration = observed,
        DesiredReplicas = desired, Replicas = replicas, UpdatedReplicas = updated, ReadyReplicas = available, AvailableReplicas = available,
        Paused = paused,
        Conditions = progressingReason is null ? [] : [new ObservedCondition(ObservedDeployment.ProgressingCondition, ConditionStatus.False, progressingReason)],
    };

    [Theory]
    [InlineData(1, 1, 2, 2, 2, 2, false, null, HealthStatus.Healthy, "2 of 2 replicas available")]
    [InlineData(2, 1, 1, 1, 1, 1, false, null, HealthStatus.Progressing, "waiting for the controller to observe the new spec")]
    [InlineData(2, 2, 3, 3, 1, 1, false, null, HealthStatus.Progressing, "waiting for rollout: 1 of 3 new replicas updated")]
    [InlineData(2, 2, 2, 3, 2, 2, false, null, HealthStatus.Progressing, "waiting for rollout: 1 old replica pending termination")]
    [InlineData(2, 2, 2, 2, 2, 1, false, null, HealthStatus.Progressing, "waiting for rollout: 1 of 2 updated replicas available")]
    [InlineData(2, 2, 2, 2, 1, 1, false, "ProgressDeadlineExceeded", HealthStatus.Degraded, "rollout exceeded its progress deadline")]
    [InlineData(1, 1, 1, 1, 1, 1, true, null, HealthStatus.Suspended, "rollout is paused")]
    [InlineData(1, 1, 0, 0, 0, 0, false, null, HealthStatus.Healthy, "0 of 0 replicas available")]
    public void Deployment_rollout_states(
        long generation, long observed, int desired, int replicas, int updated, int available, bool paused, string? reason,
        HealthStatus expected, string message)
    {
        var health = Evaluator.Evaluate(Deployment(generation, observed, desired, replicas, updated, available, paused, reason, createdMinutesAgo: 1), Now);

        Assert.Equal(expected, health.Status);
        Assert.Equal(message, health.Message);
    }

    [Fact]
    public void Deployment_progress_deadline_exceeded_wins_over_counts_and_names_an_action()
    {
        var health = Evaluator.Evaluate(Deployment(updated: 0, available: 0, progressingReason: "ProgressDeadlineExceeded"), Now);

        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal("ProgressDeadlineExceeded", health.Reason);
        Assert.Equal("Check the pods and events of airbyte-server", health.Action);
    }

    [Theory]
    [InlineData(9, HealthStatus.Progressing)]
    [InlineData(10, HealthStatus.Degraded)]
    [InlineData(30, HealthStatus.Degraded)]
    public void Deployment_rollout_without_progress_turns_degraded_after_ten_minutes(double minutesWithoutProgress, HealthStatus expected)
    {
        var deployment = Deployment(generation: 2, observed: 2, available: 0, createdMinutesAgo: minutesWithoutProgress);

        var health = Evaluator.Evaluate(deployment, Now);

        Assert.Equal(expected, health.Status);
        Assert.Equal(Ago(minutesWithoutProgress) + TimeSpan.FromMinutes(10), health.Deadline);
        if (expected == HealthStatus.Degraded)
        {
            Assert.True(health.DeadlineExceeded);
            Assert.Equal("rollout made no progress for 10 minutes: waiting for rollout: 0 of 1 updated replica available", health.Message);
        }
    }

    [Fact]
    public void Deployment_deadline_runs_from_its_latest_progress_not_its_creation()
    {
        var deployment = Deployment(available: 0, createdMinutesAgo: 120) with
        {
            Conditions = [new ObservedCondition(ObservedDeployment.ProgressingCondition, ConditionStatus.True, "ReplicaSetUpdated", LastUpdateAt: Ago(3))],
        };

        var health = Evaluator.Evaluate(deployment, Now);

        Assert.Equal(HealthStatus.Progressing, health.Status);
        Assert.Equal(Ago(3) + TimeSpan.FromMinutes(10), health.Deadline);
    }

    [Fact]
    public void Deployment_deadline_restarts_when_the_cache_saw_a_change()
    {
        var deployment = Deployment(available: 0, createdMinutesAgo: 120) with { LastChangedAt = Ago(1) };

        Assert.Equal(HealthStatus.Progressing, Evaluator.Evaluate(deployment, Now).Status);
    }

    private static ObservedStatefulSet StatefulSet(
        int desired = 1, int ready = 1, int updated = 1, string current = "r1", string update = "r1",
        string strategy = ObservedStatefulSet.RollingUpdateStrategy, int? partition = null, long observed = 1) => new()
    {
        Namespace = "ns", Name = "minio", CreatedAt = Ago(1),
        Generation = 1, ObservedGeneration = observed,
        DesiredReplicas = desired, Replicas = desired, ReadyReplicas = ready, CurrentReplicas = desired, UpdatedReplicas = updated,
        CurrentRevision = current, UpdateRevision = update, UpdateStrategy = strategy, Partition = partition,
    };

    public static TheoryData<ObservedStatefulSet, HealthStatus, string> StatefulSets => new()
    {
        { StatefulSet(), HealthStatus.Healthy, "1 of 1 pod ready" },
        { StatefulSet(observed: 0), HealthStatus.Progressing, "waiting for the controller to observe the new spec" },
        { StatefulSet(desired: 3, ready: 1), HealthStatus.Progressing, "waiting for 2 of 3 pods to be ready" },
        { StatefulSet(desired: 3, ready: 3, updated: 1, current: "r1", update: "r2"), HealthStatus.Progressing, "waiting for rolling update: 1 of 3 pods at revision r2" },
        { StatefulSet(desired: 3, ready: 3, updated: 3, current: "r2", update: "r2"), HealthStatus.Healthy, "3 of 3 pods ready" },
        { StatefulSet(desired: 3, ready: 3, updated: 0, current: "r1", update: "r2", partition: 2), HealthStatus.Progressing, "waiting for partitioned rollout: 0 of 1 new pod updated" },
        { StatefulSet(desired: 3, ready: 3, updated: 1, current: "r1", update: "r2", partition: 2), HealthStatus.Healthy, "partitioned rollout complete: 1 new pod updated" },
        { StatefulSet(desired: 2, ready: 2, current: "r1", update: "r2", strategy: ObservedStatefulSet.OnDeleteStrategy), HealthStatus.Healthy, "2 pods ready" },
    };

    [Theory]
    [MemberData(nameof(StatefulSets))]
    public void StatefulSet_states(ObservedStatefulSet statefulSet, HealthStatus expected, string message)
    {
        var health = Evaluator.Evaluate(statefulSet, Now);

        Assert.Equal(expected, health.Status);
        Assert.Equal(message, health.Message);
    }

    [Fact]
    public void StatefulSet_not_ready_for_ten_minutes_is_degraded()
    {
        var health = Evaluator.Evaluate(StatefulSet(ready: 0) with { CreatedAt = Ago(11) }, Now);

        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal("not ready after 10 minutes: waiting for 1 of 1 pod to be ready", health.Message);
    }

    [Fact]
    public void ReplicaSet_that_cannot_create_pods_is_degraded_with_the_controller_message()
    {
        var replicaSet = new ObservedReplicaSet
        {
            Namespace = "ns", Name = "airbyte-server-5d8f7", CreatedAt = Ago(1), DesiredReplicas = 1,
            Conditions = [new ObservedCondition(ObservedReplicaSet.ReplicaFailureCondition, ConditionStatus.True, "FailedCreate", "exceeded quota: compute")],
        };

        var health = Evaluator.Evaluate(replicaSet, Now);

        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal("cannot create pods: exceeded quota: compute", health.Message);
        Assert.Equal("FailedCreate", health.Reason);
    }

    private static ObservedPod Pod(
        PodPhase phase = PodPhase.Running, bool ready = true, string? waiting = null, string? waitingMessage = null, int restarts = 0,
        int? lastExit = null, string? lastReason = null, PodRestartPolicy policy = PodRestartPolicy.Always, double createdMinutesAgo = 1,
        string? podMessage = null, string? podReason = null, string? terminatedReason = null, int? terminatedExit = null) => new()
    {
        Namespace = "ns", Name = "airbyte-server-5d8f7-x1", CreatedAt = Ago(createdMinutesAgo),
        Labels = StatusWorld.Labels("airbyte", "server"),
        Phase = phase, RestartPolicy = policy, Message = podMessage, Reason = podReason, NodeName = "node-1",
        Conditions = [new ObservedCondition(ObservedPod.ReadyCondition, ready ? ConditionStatus.True : ConditionStatus.False)],
        Containers =
        [
            new ObservedContainer
            {
                Name = "server", Image = "airbyte/server:1.7.x", Ready = ready, RestartCount = restarts,
                StartedAt = phase == PodPhase.Running && waiting is null ? Ago(createdMinutesAgo) : null,
                WaitingReason = waiting, WaitingMessage = waitingMessage,
                LastTerminatedExitCode = lastExit, LastTerminatedReason = lastReason ?? (lastExit is null ? null : "Error"),
                TerminatedReason = terminatedReason, TerminatedExitCode = terminatedExit,
            },
        ],
    };

    public static TheoryData<ObservedPod, HealthStatus, string> Pods => new()
    {
        { Pod(), HealthStatus.Healthy, "ready" },
        { Pod(restarts: 2), HealthStatus.Healthy, "ready (2 restarts)" },
        { Pod(ready: false, waiting: "CrashLoopBackOff", restarts: 5, lastExit: 1), HealthStatus.Degraded, "back-off restarting failed container (5 restarts, last exit code 1)" },
        { Pod(ready: false, waiting: "CrashLoopBackOff", restarts: 3, lastReason: "OOMKilled", lastExit: 137), HealthStatus.Degraded, "back-off restarting failed container (3 restarts, last ran out of memory)" },
        { Pod(PodPhase.Pending, false, "ImagePullBackOff"), HealthStatus.Degraded, "cannot pull image airbyte/server:1.7.x (ImagePullBackOff)" },
        { Pod(PodPhase.Pending, false, "ErrImagePull"), HealthStatus.Degraded, "cannot pull image airbyte/server:1.7.x (ErrImagePull)" },
        { Pod(PodPhase.Pending, false, "InvalidImageName"), HealthStatus.Degraded, "invalid image name airbyte/server:1.7.x" },
        { Pod(PodPhase.Pending, false, "CreateContainerConfigError", "secret \"airbyte-db-relation\" not found"), HealthStatus.Degraded, "cannot create container: secret \"airbyte-db-relation\" not found" },
        { Pod(PodPhase.Pending, false, "RunContainerError", "permission denied"), HealthStatus.Degraded, "RunContainerError: permission denied" },
        { Pod(PodPhase.Pending, false, "ContainerCreating"), HealthStatus.Progressing, "pending (ContainerCreating)" },
        { Pod(PodPhase.Pending, false), HealthStatus.Progressing, "pending (waiting to start)" },
        { Pod(PodPhase.Succeeded, false, policy: PodRestartPolicy.Never), HealthStatus.Healthy, "completed" },
        { Pod(PodPhase.Failed, false, podMessage: "The node was low on resource: memory.", podReason: "Evicted"), HealthStatus.Degraded, "The node was low on resource: memory." },
        { Pod(PodPhase.Failed, false, terminatedReason: "OOMKilled", terminatedExit: 137), HealthStatus.Degraded, "container server ran out of memory (OOMKilled)" },
        { Pod(PodPhase.Failed, false, terminatedReason: "Error", terminatedExit: 2), HealthStatus.Degraded, "container server failed with exit code 2" },
        { Pod(ready: false, restarts: 4, lastExit: 1), HealthStatus.Degraded, "container server is not ready after 4 restarts, last exit code 1" },
        { Pod(ready: false), HealthStatus.Progressing, "waiting for container server to be ready" },
        { Pod(ready: false, policy: PodRestartPolicy.Never), HealthStatus.Progressing, "running" },
        { Pod(PodPhase.Unknown, false), HealthStatus.Unknown, "the node stopped reporting the pod's state" },
    };

    [Theory]
    [MemberData(nameof(Pods))]
    public void Pod_states(ObservedPod pod, HealthStatus expected, string message)
    {
        var health = Evaluator.Evaluate(pod, Now);

        Assert.Equal(expected, health.Status);
        Assert.Equal(message, health.Message);
    }

    [Theory]
    [InlineData("ImagePullBackOff", "Fix the image name of airbyte-server: ImagePullBackOff for airbyte/server:1.7.x")]
    [InlineData("ErrImagePull", "Fix the image name of airbyte-server: ErrImagePull for airbyte/server:1.7.x")]
    [InlineData("CrashLoopBackOff", "Read the logs of airbyte-server: container server keeps crashing")]
    [InlineData("CreateContainerConfigError", "Check the Secrets and ConfigMaps airbyte-server references: CreateContainerConfigError")]
    public void Pod_waiting_errors_name_the_action_on_the_workload(string reason, string action)
    {
        var health = Evaluator.Evaluate(Pod(PodPhase.Pending, false, reason), Now);

        Assert.Equal(reason, health.Reason);
        Assert.Equal(action, health.Action);
    }

    [Fact]
    public void Job_pod_that_cannot_pull_its_image_is_degraded_too()
    {
        var health = Evaluator.Evaluate(Pod(PodPhase.Pending, false, "ImagePullBackOff", policy: PodRestartPolicy.Never), Now);

        Assert.Equal(HealthStatus.Degraded, health.Status);
    }

    [Fact]
    public void Init_container_in_crash_loop_is_named_in_the_message()
    {
        var pod = Pod(PodPhase.Pending, false) with
        {
            InitContainers = [new ObservedContainer { Name = "wait-for-db", WaitingReason = "CrashLoopBackOff", RestartCount = 2, LastTerminatedExitCode = 1 }],
        };

        var health = Evaluator.Evaluate(pod, Now);

        Assert.Equal("init container wait-for-db: back-off restarting failed container (2 restarts, last exit code 1)", health.Message);
    }

    [Theory]
    [InlineData(4, HealthStatus.Progressing)]
    [InlineData(6, HealthStatus.Degraded)]
    public void Unschedulable_pod_turns_degraded_after_five_minutes_with_the_scheduler_message(double minutes, HealthStatus expected)
    {
        var pod = Pod(PodPhase.Pending, false, createdMinutesAgo: minutes) with
        {
            Conditions = [new ObservedCondition(ObservedPod.ScheduledCondition, ConditionStatus.False, ObservedPod.UnschedulableReason, "0/3 nodes are available: 3 Insufficient cpu.")],
        };

        var health = Evaluator.Evaluate(pod, Now);

        Assert.Equal(expected, health.Status);
        if (expected == HealthStatus.Degraded)
        {
            Assert.Equal("still pending after 5 minutes: not scheduled: 0/3 nodes are available: 3 Insufficient cpu.", health.Message);
            Assert.Equal("Free or add cluster capacity for airbyte-server: 0/3 nodes are available: 3 Insufficient cpu.", health.Action);
        }
        else
        {
            Assert.Equal("pending (not scheduled: 0/3 nodes are available: 3 Insufficient cpu.)", health.Message);
        }
    }

    [Fact]
    public void Running_pod_that_never_becomes_ready_is_degraded_after_ten_minutes()
    {
        var health = Evaluator.Evaluate(Pod(ready: false, createdMinutesAgo: 11), Now);

        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal("container server not ready after 10 minutes", health.Message);
        Assert.Equal("Check the readiness probe and logs of airbyte-server", health.Action);
    }

    private static ObservedPersistentVolumeClaim Claim(VolumeClaimPhase phase, string? storageClass = "standard", double minutes = 1) => new()
    {
        Namespace = "ns", Name = "data-minio-0", CreatedAt = Ago(minutes), Phase = phase, StorageClassName = storageClass, VolumeName = "pv-1",
    };

    [Theory]
    [InlineData(VolumeClaimPhase.Bound, "standard", 1, HealthStatus.Healthy, "bound to pv-1")]
    [InlineData(VolumeClaimPhase.Pending, "standard", 1, HealthStatus.Progressing, "waiting for a volume from storage class standard")]
    [InlineData(VolumeClaimPhase.Lost, "standard", 1, HealthStatus.Degraded, "the bound volume is lost")]
    [InlineData(VolumeClaimPhase.Pending, "standard", 6, HealthStatus.Degraded, "no volume after 5 minutes: does storage class standard provision volumes?")]
    [InlineData(VolumeClaimPhase.Pending, null, 6, HealthStatus.Degraded, "no volume after 5 minutes: does the default storage class provision volumes?")]
    public void PersistentVolumeClaim_phases(VolumeClaimPhase phase, string? storageClass, double minutes, HealthStatus expected, string message)
    {
        var health = Evaluator.Evaluate(Claim(phase, storageClass, minutes), Now);

        Assert.Equal(expected, health.Status);
        Assert.Equal(message, health.Message);
    }

    [Fact]
    public void Pending_claim_past_its_deadline_points_at_the_storage_class()
    {
        var health = Evaluator.Evaluate(Claim(VolumeClaimPhase.Pending, "local-path", 6), Now);

        Assert.Equal("Check that storage class local-path provisions volumes (a WaitForFirstConsumer class binds only once a pod is scheduled)", health.Action);
    }

    private static ObservedIngress Ingress(double minutes, params string[] addresses) =>
        StatusWorld.Ingress("ingress-airbyte", "ingress", addresses) with { Namespace = "ns", CreatedAt = Ago(minutes) };

    [Theory]
    [InlineData(1, new[] { "203.0.113.10" }, HealthStatus.Healthy, "address 203.0.113.10")]
    [InlineData(30, new[] { "203.0.113.10", "lb.example.net" }, HealthStatus.Healthy, "address 203.0.113.10, lb.example.net")]
    [InlineData(4, new string[0], HealthStatus.Progressing, "waiting for ingress address")]
    [InlineData(6, new string[0], HealthStatus.Degraded, "no load-balancer address after 5 minutes: is an ingress controller running for class nginx?")]
    public void Ingress_is_healthy_once_it_has_an_address_and_degraded_after_the_deadline(double minutes, string[] addresses, HealthStatus expected, string message)
    {
        var health = Evaluator.Evaluate(Ingress(minutes, addresses), Now);

        Assert.Equal(expected, health.Status);
        Assert.Equal(message, health.Message);
    }

    [Fact]
    public void Ingress_past_its_deadline_carries_its_latest_warnings_only()
    {
        var ingress = Ingress(6) with { Uid = "uid-ing" };
        ObservedEvent Event(string reason, double minutesAgo, EventType type = EventType.Warning, string about = "ingress-airbyte") => new()
        {
            Namespace = "ns", Name = $"{about}.{reason}", CreatedAt = Ago(minutesAgo), LastSeen = Ago(minutesAgo),
            InvolvedObject = new ObjectRef(ObjectKinds.Ingress, about), Type = type, Reason = reason, Message = reason,
        };
        var events = new[]
        {
            Event("Older", 5), Event("Newest", 1), Event("Sync", 2, EventType.Normal), Event("Elsewhere", 1, about: "other"),
        };

        var health = Evaluator.Evaluate(ingress, Now, events);

        Assert.Equal(["Newest", "Older"], health.Warnings.Select(e => e.Reason));
        Assert.Equal("Check that an ingress controller serves class nginx", health.Action);
    }

    [Fact]
    public void Healthy_objects_carry_no_warnings()
    {
        var warning = new ObservedEvent
        {
            Namespace = "ns", Name = "e", InvolvedObject = new ObjectRef(ObjectKinds.Ingress, "ingress-airbyte"), Type = EventType.Warning, Reason = "Old",
        };

        Assert.Empty(Evaluator.Evaluate(Ingress(1, "203.0.113.10"), Now, [warning]).Warnings);
    }

    [Fact]
    public void Deadlines_are_configurable()
    {
        var evaluator = new ResourceHealthEvaluator(HealthDeadlines.Default with { IngressAddress = TimeSpan.FromMinutes(1) });

        var health = evaluator.Evaluate(Ingress(2), Now);

        Assert.Equal("no load-balancer address after 1 minute: is an ingress controller running for class nginx?", health.Message);
    }

    [Fact]
    public void Deadlines_report_every_invalid_value_at_once()
    {
        Assert.Empty(HealthDeadlines.Default.Validate());

        var errors = (HealthDeadlines.Default with { Deployment = TimeSpan.Zero, IngressAddress = TimeSpan.FromMinutes(-1), MaxWarnings = -1 }).Validate();

        Assert.Equal(["Deployment", "IngressAddress", "MaxWarnings"], errors.Select(e => e.Path));
    }

    [Theory]
    [InlineData(ServiceType.ClusterIP, new string[0], 30, HealthStatus.Healthy)]
    [InlineData(ServiceType.LoadBalancer, new[] { "198.51.100.7" }, 30, HealthStatus.Healthy)]
    [InlineData(ServiceType.LoadBalancer, new string[0], 2, HealthStatus.Progressing)]
    [InlineData(ServiceType.LoadBalancer, new string[0], 6, HealthStatus.Degraded)]
    public void Service_is_healthy_except_a_load_balancer_without_address(ServiceType type, string[] addresses, double minutes, HealthStatus expected)
    {
        var service = new ObservedService { Namespace = "ns", Name = "svc", CreatedAt = Ago(minutes), Type = type, LoadBalancerAddresses = addresses };

        Assert.Equal(expected, Evaluator.Evaluate(service, Now).Status);
    }

    private static ObservedJob Job(int active = 0, int failed = 0, double startedMinutesAgo = 1, long? activeDeadline = null, params ObservedCondition[] conditions) => new()
    {
        Namespace = "ns", Name = "temporal-admin-schema", CreatedAt = Ago(startedMinutesAgo), StartedAt = Ago(startedMinutesAgo),
        Active = active, Failed = failed, ActiveDeadlineSeconds = activeDeadline, Conditions = conditions,
    };

    public static TheoryData<ObservedJob, HealthStatus, string> Jobs => new()
    {
        { Job(conditions: new ObservedCondition(ObservedJob.CompleteCondition, ConditionStatus.True)), HealthStatus.Healthy, "completed" },
        { Job(failed: 7, conditions: new ObservedCondition(ObservedJob.FailedCondition, ConditionStatus.True, "BackoffLimitExceeded", "Job has reached the specified backoff limit")), HealthStatus.Degraded, "failed: Job has reached the specified backoff limit" },
        { Job(active: 1), HealthStatus.Progressing, "running (1 active)" },
        { Job(active: 1, failed: 2), HealthStatus.Progressing, "running (1 active, 2 failed attempts)" },
        { Job(conditions: new ObservedCondition(ObservedJob.SuspendedCondition, ConditionStatus.True)), HealthStatus.Suspended, "suspended" },
        { Job(active: 1, startedMinutesAgo: 16), HealthStatus.Degraded, "still running (1 active) after 15 minutes" },
        { Job(active: 1, startedMinutesAgo: 3, activeDeadline: 60), HealthStatus.Degraded, "still running (1 active) after 2 minutes" },
        { Job(active: 1, startedMinutesAgo: 30, activeDeadline: 3600), HealthStatus.Progressing, "running (1 active)" },
    };

    [Theory]
    [MemberData(nameof(Jobs))]
    public void Job_states(ObservedJob job, HealthStatus expected, string message)
    {
        var health = Evaluator.Evaluate(job, Now);

        Assert.Equal(expected, health.Status);
        Assert.Equal(message, health.Message);
    }

    [Fact]
    public void Object_stuck_in_deletion_points_at_its_finalizers()
    {
        var secret = StatusWorld.Secret("airbyte-db-relation", "postgresql", ["host"]) with { DeletionRequestedAt = Ago(6) };

        var health = Evaluator.Evaluate(secret, Now);

        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal("still being deleted after 5 minutes: a finalizer may be stuck", health.Message);
        Assert.Equal("Check the finalizers of Secret airbyte-db-relation", health.Action);
    }

    [Fact]
    public void Secrets_and_config_maps_are_healthy_by_existing()
    {
        Assert.True(Evaluator.Evaluate(StatusWorld.Secret("s", "c", []), Now).IsHealthy);
        Assert.True(Evaluator.Evaluate(new ObservedConfigMap { Namespace = "ns", Name = "airbyte-config" }, Now).IsHealthy);
    }

    [Fact]
    public void Worst_health_follows_Argo_CD_order()
    {
        Assert.Equal(HealthStatus.Degraded, HealthStatuses.Worst([HealthStatus.Healthy, HealthStatus.Degraded, HealthStatus.Progressing, HealthStatus.Missing]));
        Assert.Equal(HealthStatus.Healthy, HealthStatuses.Worst([]));
    }
}
