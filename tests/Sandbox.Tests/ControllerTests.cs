using k8s;
using k8s.Models;

namespace Portal.Sandbox.Tests;

/// <summary>The simulated controllers, driven deterministically by the manual clock.</summary>
public sealed class ControllerTests : IAsyncLifetime
{
    private SandboxHarness _sandbox = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sandbox = await SandboxHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _sandbox.DisposeAsync();

    private Kubernetes Client => _sandbox.Client;

    private async Task<List<V1Pod>> Pods(string ns, string? selector = null) =>
        [.. (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: Ct)).Items];

    private static bool Ready(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    [Fact]
    public async Task A_deployment_becomes_available_with_ready_pods_and_real_conditions()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", 3), ns, cancellationToken: Ct);
        await _sandbox.SettleAsync();
        var pods = await Pods(ns);
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal("Pending", p.Status.Phase));
        Assert.All(pods, p => Assert.Equal("ReplicaSet", p.Metadata.OwnerReferences.Single().Kind));

        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.All(await Pods(ns), p => Assert.Equal("Running", p.Status.Phase));
        Assert.All(await Pods(ns), p => Assert.False(Ready(p)));

        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.All(await Pods(ns), p => Assert.True(Ready(p)));
        var deployment = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: Ct);
        Assert.Equal(3, deployment.Status.AvailableReplicas);
        Assert.Equal(3, deployment.Status.ReadyReplicas);
        Assert.Equal(deployment.Metadata.Generation, deployment.Status.ObservedGeneration);
        Assert.Equal("1", deployment.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        var available = deployment.Status.Conditions.Single(c => c.Type == "Available");
        Assert.Equal(("True", "MinimumReplicasAvailable"), (available.Status, available.Reason));
        var progressing = deployment.Status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal(("True", "NewReplicaSetAvailable"), (progressing.Status, progressing.Reason));
        Assert.Equal(["Available", "Progressing"], deployment.Status.Conditions.Select(c => c.Type));
    }

    [Theory]
    [InlineData(4, "1", "0")]
    [InlineData(4, "0", "1")]
    [InlineData(5, "2", "1")]
    [InlineData(4, "25%", "25%")]
    public async Task A_template_change_rolls_pods_within_maxSurge_and_maxUnavailable(int replicas, string maxSurge, string maxUnavailable)
    {
        var ns = await _sandbox.NamespaceAsync();
        var manifest = Manifests.Deployment("web", replicas);
        manifest.Spec.Strategy = new V1DeploymentStrategy
        {
            Type = "RollingUpdate",
            RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = (IntOrString)maxSurge, MaxUnavailable = (IntOrString)maxUnavailable },
        };
        await Client.AppsV1.CreateNamespacedDeploymentAsync(manifest, ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        var oldPods = (await Pods(ns)).Select(p => p.Metadata.Name).ToHashSet();

        // What kubectl rollout restart sends.
        var restart = """{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2025-01-01T00:00:00Z"}}}}}""";
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(restart, V1Patch.PatchType.StrategicMergePatch), "web", ns, cancellationToken: Ct);
        var surge = maxSurge.EndsWith('%') ? (int)Math.Ceiling(replicas * int.Parse(maxSurge[..^1]) / 100.0) : int.Parse(maxSurge);
        var unavailable = maxUnavailable.EndsWith('%') ? replicas * int.Parse(maxUnavailable[..^1]) / 100 : int.Parse(maxUnavailable);
        var sawProgressing = false;
        for (var step = 0; step < 60; step++)
        {
            await _sandbox.SettleAsync();
            var pods = (await Pods(ns)).Where(p => p.Metadata.DeletionTimestamp is null).ToList();
            Assert.True(pods.Count <= replicas + surge, $"{pods.Count} pods exceed {replicas}+{surge}");
            Assert.True(pods.Count(Ready) >= replicas - unavailable, $"only {pods.Count(Ready)} ready, fewer than {replicas}-{unavailable}");
            var deployment = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: Ct);
            var progressing = deployment.Status.Conditions.Single(c => c.Type == "Progressing");
            sawProgressing |= progressing.Reason == "ReplicaSetUpdated";
            if (deployment.Status.UpdatedReplicas == replicas && deployment.Status.AvailableReplicas == replicas && deployment.Status.Replicas == replicas && progressing.Reason == "NewReplicaSetAvailable")
            {
                Assert.True(sawProgressing);
                Assert.Equal("2", deployment.Metadata.Annotations["deployment.kubernetes.io/revision"]);
                var final = await Pods(ns);
                Assert.Equal(replicas, final.Count);
                Assert.DoesNotContain(final, p => oldPods.Contains(p.Metadata.Name));
                var sets = (await Client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: Ct)).Items;
                Assert.Equal(2, sets.Count);
                Assert.Contains(sets, s => s.Spec.Replicas == 0);
                return;
            }

            if (_sandbox.Cluster.NextScheduledTime is { } next)
            {
                _sandbox.Clock.SetUtcNow(next);
            }
        }

        Assert.Fail("the rollout did not finish");
    }

    [Fact]
    public async Task A_rollout_that_never_becomes_ready_exceeds_its_progress_deadline()
    {
        var ns = await _sandbox.NamespaceAsync();
        var manifest = Manifests.Deployment("web", 2);
        manifest.Spec.ProgressDeadlineSeconds = 60;
        await Client.AppsV1.CreateNamespacedDeploymentAsync(manifest, ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        var patch = """{"spec":{"template":{"metadata":{"annotations":{"sandbox.portal.airbyte.io/fault":"never-ready"}}}}}""";
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.StrategicMergePatch), "web", ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(30));
        var during = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: Ct);
        Assert.Equal("ReplicaSetUpdated", during.Status.Conditions.Single(c => c.Type == "Progressing").Reason);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(40));
        var after = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: Ct);
        var progressing = after.Status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal(("False", "ProgressDeadlineExceeded"), (progressing.Status, progressing.Reason));
        Assert.Equal("True", after.Status.Conditions.Single(c => c.Type == "Available").Status);
    }

    [Fact]
    public async Task Recreate_strategy_removes_old_pods_before_starting_new_ones()
    {
        var ns = await _sandbox.NamespaceAsync();
        var manifest = Manifests.Deployment("web", 2);
        manifest.Spec.Strategy = new V1DeploymentStrategy { Type = "Recreate" };
        await Client.AppsV1.CreateNamespacedDeploymentAsync(manifest, ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.27"}]}}}}""", V1Patch.PatchType.StrategicMergePatch), "web", ns, cancellationToken: Ct);
        await _sandbox.SettleAsync();
        var pods = await Pods(ns);
        Assert.DoesNotContain(pods, p => p.Spec.Containers[0].Image == "nginx:1.27" && pods.Any(o => o.Spec.Containers[0].Image == "nginx:1.25" && o.Metadata.DeletionTimestamp is null));
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.All(await Pods(ns), p => Assert.Equal("nginx:1.27", p.Spec.Containers[0].Image));
    }

    [Fact]
    public async Task Scaling_a_deployment_adds_and_removes_pods()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", 1), ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":3}}", V1Patch.PatchType.MergePatch), "web", ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(3, (await Pods(ns)).Count(Ready));
        await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":1}}", V1Patch.PatchType.MergePatch), "web", ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Single(await Pods(ns));
    }

    [Fact]
    public async Task A_statefulset_creates_pods_by_ordinal_one_after_another_with_claims()
    {
        var ns = await _sandbox.NamespaceAsync();
        var sts = new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "db" },
            Spec = new V1StatefulSetSpec
            {
                Replicas = 3,
                ServiceName = "db",
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "db" } },
                Template = Manifests.Deployment("db", 1).Spec.Template,
                VolumeClaimTemplates = [new V1PersistentVolumeClaim { Metadata = new V1ObjectMeta { Name = "data" }, Spec = new V1PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"], Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } } } }],
            },
        };
        await Client.AppsV1.CreateNamespacedStatefulSetAsync(sts, ns, cancellationToken: Ct);
        await _sandbox.SettleAsync();
        Assert.Equal(["db-0"], (await Pods(ns)).Select(p => p.Metadata.Name));
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(["db-0", "db-1"], (await Pods(ns)).Select(p => p.Metadata.Name).Order());
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(10));
        var pods = await Pods(ns);
        Assert.Equal(["db-0", "db-1", "db-2"], pods.Select(p => p.Metadata.Name).Order());
        Assert.All(pods, p => Assert.True(Ready(p)));
        Assert.Equal("data-db-1", pods.Single(p => p.Metadata.Name == "db-1").Spec.Volumes.Single(v => v.Name == "data").PersistentVolumeClaim.ClaimName);
        var claims = (await Client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(ns, cancellationToken: Ct)).Items;
        Assert.Equal(["data-db-0", "data-db-1", "data-db-2"], claims.Select(c => c.Metadata.Name).Order());
        Assert.All(claims, c => Assert.Equal("Bound", c.Status.Phase));
        var status = (await Client.AppsV1.ReadNamespacedStatefulSetAsync("db", ns, cancellationToken: Ct)).Status;
        Assert.Equal((3, 3), (status.ReadyReplicas ?? 0, status.UpdatedReplicas ?? 0));
        Assert.Equal(status.UpdateRevision, status.CurrentRevision);

        await Client.AppsV1.PatchNamespacedStatefulSetScaleAsync(new V1Patch("{\"spec\":{\"replicas\":1}}", V1Patch.PatchType.MergePatch), "db", ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["db-0"], (await Pods(ns)).Select(p => p.Metadata.Name));
        var deletions = (await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "reason=SuccessfulDelete", cancellationToken: Ct)).Items.Select(e => e.Message).ToList();
        Assert.Equal(["delete Pod db-2 in StatefulSet db successful", "delete Pod db-1 in StatefulSet db successful"], deletions);
    }

    [Theory]
    [InlineData(false, "Complete")]
    [InlineData(true, "Failed")]
    public async Task A_job_runs_to_completion_or_fails_past_its_backoff_limit(bool fail, string condition)
    {
        var ns = await _sandbox.NamespaceAsync();
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "migrate" },
            Spec = new V1JobSpec
            {
                BackoffLimit = 1,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Annotations = fail ? new Dictionary<string, string> { [FaultSettings.PodAnnotation] = "job-fail" } : null },
                    Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "run", Image = "busybox:1" }] },
                },
            },
        };
        await Client.BatchV1.CreateNamespacedJobAsync(job, ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(30));
        var done = await Client.BatchV1.ReadNamespacedJobAsync("migrate", ns, cancellationToken: Ct);
        Assert.Equal("True", done.Status.Conditions.Single(c => c.Type == condition).Status);
        if (fail)
        {
            Assert.Equal(2, done.Status.Failed);
            Assert.Equal("BackoffLimitExceeded", done.Status.Conditions.Single(c => c.Type == "Failed").Reason);
        }
        else
        {
            Assert.Equal(1, done.Status.Succeeded);
            Assert.NotNull(done.Status.CompletionTime);
            Assert.Equal("Succeeded", (await Pods(ns)).Single().Status.Phase);
        }
    }

    [Theory]
    [InlineData(false, "true", true)]
    [InlineData(false, "false", false)]
    [InlineData(true, "true", false)]
    public async Task Airbytes_bootloader_writes_its_auth_secret_when_it_completes(bool fail, string enabled, bool written)
    {
        var ns = await _sandbox.NamespaceAsync();
        var job = new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "airbyte-bootloader" },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Annotations = fail ? new Dictionary<string, string> { [FaultSettings.PodAnnotation] = "job-fail" } : null },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "bootloader", Image = "airbyte/bootloader:1.7.0",
                                Env = [new V1EnvVar { Name = "AB_KUBERNETES_SECRET_NAME", Value = "airbyte-auth-secrets" }, new V1EnvVar { Name = "AB_AUTH_SECRET_CREATION_ENABLED", Value = enabled }],
                            },
                        ],
                    },
                },
            },
        };
        await Client.BatchV1.CreateNamespacedJobAsync(job, ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(30));

        var secrets = (await Client.CoreV1.ListNamespacedSecretAsync(ns, cancellationToken: Ct)).Items;
        var secret = secrets.SingleOrDefault(s => s.Metadata.Name == "airbyte-auth-secrets");
        Assert.Equal(written, secret is not null);
        if (secret is not null)
        {
            Assert.Contains("jwt-signature-secret", secret.Data.Keys);
            Assert.Null(secret.Metadata.Labels);
        }
    }

    [Theory]
    [InlineData("standard", "Bound")]
    [InlineData("standard-wffc", "Pending")]
    [InlineData("missing-class", "Pending")]
    public async Task A_claim_binds_according_to_its_storage_class(string storageClass, string phase)
    {
        var ns = await _sandbox.NamespaceAsync();
        var claim = new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = "data" },
            Spec = new V1PersistentVolumeClaimSpec { StorageClassName = storageClass, AccessModes = ["ReadWriteOnce"], Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("2Gi") } } },
        };
        await Client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(claim, ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        var read = await Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("data", ns, cancellationToken: Ct);
        Assert.Equal(phase, read.Status.Phase);
        if (phase == "Bound")
        {
            Assert.Equal("2Gi", read.Status.Capacity["storage"].ToString());
            var volume = await Client.CoreV1.ReadPersistentVolumeAsync(read.Spec.VolumeName, cancellationToken: Ct);
            Assert.Equal("data", volume.Spec.ClaimRef.Name);
        }

        if (storageClass == "standard-wffc")
        {
            // The first consumer gets it bound.
            var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "user" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox:1" }], Volumes = [new V1Volume { Name = "d", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "data" } }] } };
            await Client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Ct);
            await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
            Assert.Equal("Bound", (await Client.CoreV1.ReadNamespacedPersistentVolumeClaimAsync("data", ns, cancellationToken: Ct)).Status.Phase);
            Assert.Equal("Running", (await Client.CoreV1.ReadNamespacedPodAsync("user", ns, cancellationToken: Ct)).Status.Phase);
        }

        if (storageClass == "missing-class")
        {
            var events = (await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=data", cancellationToken: Ct)).Items;
            Assert.Contains(events, e => e.Reason == "ProvisioningFailed");
        }
    }

    [Fact]
    public async Task A_service_gets_a_cluster_ip_and_endpoints_follow_ready_pods()
    {
        var ns = await _sandbox.NamespaceAsync();
        var service = await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "web" }, Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = (IntOrString)"http" }] },
        }, ns, cancellationToken: Ct);
        Assert.StartsWith("10.96.", service.Spec.ClusterIP, StringComparison.Ordinal);
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", 2), ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));
        var early = await Client.CoreV1.ReadNamespacedEndpointsAsync("web", ns, cancellationToken: Ct);
        Assert.Equal(2, early.Subsets.Single().NotReadyAddresses.Count);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        var endpoints = await Client.CoreV1.ReadNamespacedEndpointsAsync("web", ns, cancellationToken: Ct);
        var subset = endpoints.Subsets.Single();
        Assert.Equal(2, subset.Addresses.Count);
        Assert.Equal(8080, subset.Ports.Single().Port);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_ingress_gets_an_address_unless_the_cluster_is_bare_metal(bool loadBalancer)
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.Simulation.LoadBalancerAddress = loadBalancer ? "127.0.0.1" : null);
        var ns = await sandbox.NamespaceAsync();
        await sandbox.Client.NetworkingV1.CreateNamespacedIngressAsync(new V1Ingress
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1IngressSpec { IngressClassName = "nginx", Rules = [new V1IngressRule { Host = "airbyte.example.com" }] },
        }, ns, cancellationToken: Ct);
        await sandbox.AdvanceAsync(TimeSpan.FromMinutes(5));
        var ingress = await sandbox.Client.NetworkingV1.ReadNamespacedIngressAsync("web", ns, cancellationToken: Ct);
        var addresses = ingress.Status?.LoadBalancer?.Ingress?.Select(i => i.Ip).ToList() ?? [];
        Assert.Equal(loadBalancer ? ["127.0.0.1"] : [], addresses);
    }

    [Fact]
    public async Task Pods_report_kubelet_events_in_order()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "p" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx:1.25" }] } }, ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromSeconds(5));
        var events = (await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=p", cancellationToken: Ct)).Items;
        Assert.Equal(["Scheduled", "Pulling", "Pulled", "Created", "Started"], events.Select(e => e.Reason));
        Assert.Equal("kubelet", events.Single(e => e.Reason == "Started").Source.Component);
        Assert.Equal("spec.containers{app}", events.Single(e => e.Reason == "Started").InvolvedObject.FieldPath);
    }

    [Fact]
    public async Task Logs_can_be_read_tailed_and_followed()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.Simulation.LogHeartbeatInterval = TimeSpan.FromSeconds(10));
        var ns = await sandbox.NamespaceAsync();
        await sandbox.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "p" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "nginx:1.25", Ports = [new V1ContainerPort { ContainerPort = 80 }] }] } }, ns, cancellationToken: Ct);
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(2));
        using var all = new StreamReader(await sandbox.Client.CoreV1.ReadNamespacedPodLogAsync("p", ns, cancellationToken: Ct));
        var lines = (await all.ReadToEndAsync(Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("listening on port(s) 80", lines[2], StringComparison.Ordinal);
        using var tail = new StreamReader(await sandbox.Client.CoreV1.ReadNamespacedPodLogAsync("p", ns, tailLines: 1, cancellationToken: Ct));
        Assert.Equal(lines[2], (await tail.ReadToEndAsync(Ct)).TrimEnd());

        using var follow = new StreamReader(await sandbox.Client.CoreV1.ReadNamespacedPodLogAsync("p", ns, follow: true, tailLines: 0, cancellationToken: Ct));
        var next = follow.ReadLineAsync(Ct).AsTask();
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(10));
        var heartbeat = await next.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.Contains("heartbeat", heartbeat, StringComparison.Ordinal);
    }
}
