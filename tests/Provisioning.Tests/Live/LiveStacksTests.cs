using k8s;
using k8s.Models;
using Portal.Domain.Stacks;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Live;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Tests.Infrastructure;
using Portal.Sandbox;

namespace Portal.Provisioning.Tests.Live;

/// <summary>The live stack state over a sandbox cluster and a portal database: stacks coming and going, subscriptions and their
/// batches, slow subscribers, unreachable clusters and health deadlines.</summary>
public sealed class LiveStacksTests : IAsyncLifetime
{
    private const string Cluster = "sandbox";

    private SandboxCluster _sandbox = null!;
    private Kubernetes _client = null!;
    private ClusterRegistry _clusters = null!;
    private PortalDatabase _database = null!;
    private Func<Task> _dropDatabase = () => Task.CompletedTask;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _sandbox = await SandboxServer.StartAsync(
            new SandboxOptions
            {
                Seed = 5,
                Simulation = Steps.StackHarness.FastSimulation(),
            },
            Ct);
        _client = new Kubernetes(ClusterConnector.FromKubeconfig(_sandbox.Kubeconfig(), null).Value);
        _clusters = new ClusterRegistry(TimeProvider.System);
        Assert.True(_clusters.Connect(Cluster, _sandbox.Kubeconfig(), null).IsSuccess);
        (_database, _dropDatabase) = await TestDatabases.CreateAsync("sqlite", "live");
    }

    public async ValueTask DisposeAsync()
    {
        _clusters.Dispose();
        _client.Dispose();
        await _sandbox.DisposeAsync();
        await _dropDatabase();
    }

    [Fact]
    public async Task A_subscriber_gets_the_initial_snapshot_then_batches_naming_what_changed_at_most_every_100_ms_and_disposing_ends_it()
    {
        await using var harness = await LiveStacksHarness.StartAsync(_database, _clusters);
        var spec = await NewStackAsync(harness);
        await harness.WaitForAsync(spec.Name, s => s.Reachable, "the stack is read from a synced cache");

        using var subscription = harness.Live.Subscribe(spec.Name);
        var initial = await LiveStacksHarness.NextAsync(subscription.Updates, "the initial update");
        Assert.True(initial.IsInitial);
        Assert.Equal(spec.Components.Select(c => c.Name).Order(), initial.ChangedComponents.Order());
        Assert.Equal(spec.Relations.Select(r => r.Key).Order(), initial.ChangedRelations.Order());

        await CreateConfigMapAsync(spec, "minio-settings", "minio");
        var change = await LiveStacksHarness.NextAsync(subscription.Updates, "the update about minio");
        Assert.False(change.IsInitial);
        Assert.Equal(["minio"], change.ChangedComponents);
        Assert.Contains(change.Stack.Observation.ForComponent("minio"), o => o.Name == "minio-settings");
        Assert.True(change.Stack.Version > initial.Stack.Version);

        // A burst of changes arrives in batches no closer together than the batch interval, the last one included.
        for (var i = 0; i < 30; i++)
        {
            await PatchConfigMapAsync(spec, "minio-settings", $"k{i}");
        }

        var updates = new List<LiveUpdate>();
        while (!updates.Any(u => u.Stack.Observation.Find<ObservedConfigMap>("minio-settings")?.KeyNames.Contains("k29") == true))
        {
            updates.Add(await LiveStacksHarness.NextAsync(subscription.Updates, "the batches of the burst"));
        }

        Assert.True(updates.Count < 30, $"30 changes should arrive in fewer batches, got {updates.Count}");
        foreach (var (earlier, later) in updates.Zip(updates.Skip(1)))
        {
            Assert.True(later.Stack.ObservedAt - earlier.Stack.ObservedAt >= TimeSpan.FromMilliseconds(90),
                $"two batches {later.Stack.ObservedAt - earlier.Stack.ObservedAt:g} apart");
        }

        Assert.Equal(1, harness.Live.SubscriberCount);
        subscription.Dispose();
        await subscription.Updates.Completion.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(0, harness.Live.SubscriberCount);
    }

    [Fact]
    public async Task A_reader_that_never_reads_holds_up_nobody_and_later_gets_the_latest_snapshot()
    {
        var options = LiveSandbox.FastOptions();
        options.SubscriberCapacity = 2;
        await using var harness = await LiveStacksHarness.StartAsync(_database, _clusters, options);
        var spec = await NewStackAsync(harness);
        await CreateConfigMapAsync(spec, "airbyte-settings", "airbyte");
        await harness.WaitForAsync(spec.Name, s => s.Reachable && s.Observation.Find<ObservedConfigMap>("airbyte-settings") is not null, "the ConfigMap is seen");

        using var slow = harness.Live.Subscribe(spec.Name);
        using var fast = harness.Live.Subscribe(spec.Name);
        var seen = (await LiveStacksHarness.NextAsync(fast.Updates, "the fast reader's initial update")).Stack.Version;

        // Twenty changes, each in its own batch: the fast reader sees every one while the slow one reads nothing.
        for (var i = 0; i < 20; i++)
        {
            await PatchConfigMapAsync(spec, "airbyte-settings", $"k{i}");
            var key = $"k{i}";
            LiveUpdate update;
            do
            {
                update = await LiveStacksHarness.NextAsync(fast.Updates, $"the fast reader's update with {key}");
                Assert.True(update.Stack.Version > seen);
                seen = update.Stack.Version;
            }
            while (update.Stack.Observation.Find<ObservedConfigMap>("airbyte-settings")?.KeyNames.Contains(key) != true);
        }

        // The slow reader holds its channel's capacity, one update on its way in, and one merged update waiting.
        Assert.True(((LiveSubscription)slow).Pending <= 1);
        var backlog = new List<LiveUpdate>();
        while (backlog.Count == 0 || backlog[^1].Stack.Version < seen)
        {
            backlog.Add(await LiveStacksHarness.NextAsync(slow.Updates, "the slow reader's backlog"));
        }

        Assert.True(backlog.Count <= options.SubscriberCapacity + 2, $"the slow reader got {backlog.Count} updates");
        Assert.True(backlog[0].IsInitial);
        Assert.Equal(seen, backlog[^1].Stack.Version);
        Assert.Contains("airbyte", backlog[^1].ChangedComponents);
        Assert.False(slow.Updates.TryRead(out _));
    }

    [Fact]
    public async Task Stacks_that_appear_and_disappear_in_the_database_appear_and_disappear_within_seconds()
    {
        await using var harness = await LiveStacksHarness.StartAsync(_database, _clusters);
        using var everything = harness.Live.Subscribe();

        var spec = await NewStackAsync(harness);
        var appeared = await LiveStacksHarness.NextAsync(everything.Updates, "the new stack", TimeSpan.FromSeconds(3));
        Assert.Equal(spec.Name, appeared.Stack.Stack);
        Assert.True(appeared.IsInitial);
        Assert.Contains(harness.Live.All, s => s.Stack == spec.Name);

        await harness.RemoveStackAsync(spec.Name);
        LiveUpdate gone;
        do
        {
            gone = await LiveStacksHarness.NextAsync(everything.Updates, "the removal", TimeSpan.FromSeconds(3));
        }
        while (!gone.Removed);

        Assert.Equal(spec.Name, gone.Stack.Stack);
        Assert.Null(harness.Live.Find(spec.Name));
    }

    [Fact]
    public async Task A_stack_on_a_cluster_the_portal_is_not_connected_to_is_unknown_with_the_reason_until_the_cluster_is_connected()
    {
        await using var harness = await LiveStacksHarness.StartAsync(_database, _clusters);
        var ns = await CreateNamespaceAsync();
        var spec = TestStacks.Minimal($"far{Guid.NewGuid():N}"[..10], ns) with { Cluster = "elsewhere" };
        await harness.AddStackAsync(spec);

        var unreachable = await harness.WaitForAsync(spec.Name, _ => true, "the stack is known");
        Assert.False(unreachable.Reachable);
        Assert.Equal(ComponentStatus.Unknown, unreachable.Status.Status);
        Assert.All(unreachable.Status.Components, c =>
        {
            Assert.Equal(ComponentStatus.Unknown, c.Status);
            Assert.Equal("the portal is not connected to cluster elsewhere", c.Message);
            Assert.Equal("Connect cluster elsewhere to the portal again", c.Cause!.Action);
        });
        Assert.All(unreachable.Status.Relations, r => Assert.Equal(RelationStatus.Unknown, r.Status));

        Assert.True(harness.Clusters.Connect("elsewhere", _sandbox.Kubeconfig(), null).IsSuccess);
        var reachable = await harness.WaitForAsync(spec.Name, s => s.Reachable, "the newly connected cluster is read");
        Assert.DoesNotContain(reachable.Status.Components, c => c.Message.Contains("not connected", StringComparison.Ordinal));
        Assert.True(((ILiveClusters)harness.Caches).Find("elsewhere")!.Synced);
    }

    [Fact]
    public async Task Health_deadlines_pass_without_any_change_in_the_cluster_and_the_status_follows()
    {
        var deadlines = HealthDeadlines.Default with { PodNotReady = TimeSpan.FromSeconds(3), Deployment = TimeSpan.FromSeconds(3), ReplicaSet = TimeSpan.FromSeconds(3) };
        await using var harness = await LiveStacksHarness.StartAsync(_database, _clusters, deadlines: deadlines);
        var spec = await NewStackAsync(harness);
        var labels = Labels(spec, "airbyte-webhooks");
        labels["portal.airbyte.io/workload"] = "airbyte-webhooks";
        await _client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "airbyte-webhooks", Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["portal.airbyte.io/workload"] = "airbyte-webhooks" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels, Annotations = new Dictionary<string, string> { [FaultSettings.PodAnnotation] = "never-ready" } },
                    Spec = new V1PodSpec
                    {
                        Containers = [new V1Container
                        {
                            Name = "webhooks", Image = "registry.example.com/airbyte-webhooks:1.0",
                            ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/health", Port = 8080 } },
                        }],
                    },
                },
            },
        }, spec.Namespace, cancellationToken: Ct);

        var progressing = await harness.WaitForAsync(spec.Name,
            s => s.Status.Component("airbyte-webhooks").Resources.Any(r => r.Resource.Kind == ObjectKinds.Pod && r.Status == HealthStatus.Progressing && r.Deadline is not null),
            "the pod is running but not ready, within its deadline");
        var podName = progressing.Status.Component("airbyte-webhooks").Resources.First(r => r.Resource.Kind == ObjectKinds.Pod && r.Status == HealthStatus.Progressing).Resource.Name;

        // From here on the pod does not change: only time passes.
        await _sandbox.WaitForIdleAsync(Ct);
        var settled = (await _client.CoreV1.ReadNamespacedPodAsync(podName, spec.Namespace, cancellationToken: Ct)).Metadata.ResourceVersion;
        await harness.WaitForAsync(spec.Name, s => s.Observation.Find<ObservedPod>(podName)?.ResourceVersion == settled, "the cache has the settled pod");

        var overdue = await harness.WaitForAsync(spec.Name,
            s => s.Status.Component("airbyte-webhooks").Resources.Any(r => r.Resource == new ObjectRef(ObjectKinds.Pod, podName) && r.DeadlineExceeded),
            "the pod is past its deadline", TimeSpan.FromSeconds(20));

        var webhooks = overdue.Status.Component("airbyte-webhooks");
        Assert.Equal(ComponentStatus.Error, webhooks.Status);
        Assert.Contains("not ready after 3 seconds", webhooks.Message, StringComparison.Ordinal);
        Assert.Equal(settled, overdue.Observation.Find<ObservedPod>(podName)!.ResourceVersion);
    }

    private async Task<StackSpec> NewStackAsync(LiveStacksHarness harness)
    {
        var ns = await CreateNamespaceAsync();
        var spec = TestStacks.Minimal($"s{Guid.NewGuid():N}"[..10], ns);
        await harness.AddStackAsync(spec);
        return spec;
    }

    private async Task<string> CreateNamespaceAsync()
    {
        var name = $"live-{Guid.NewGuid():N}"[..20];
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: Ct);
        return name;
    }

    private static Dictionary<string, string> Labels(StackSpec spec, string component) => LiveSandbox.Labels(spec.Name, component);

    private Task<V1ConfigMap> CreateConfigMapAsync(StackSpec spec, string name, string component) =>
        _client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, Labels = Labels(spec, component) }, Data = new Dictionary<string, string> { ["a"] = "1" } },
            spec.Namespace, cancellationToken: Ct);

    private Task<V1ConfigMap> PatchConfigMapAsync(StackSpec spec, string name, string key) =>
        _client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch($$$"""{"data":{"{{{key}}}":"x"}}""", V1Patch.PatchType.MergePatch), name, spec.Namespace, cancellationToken: Ct);
}
