using System.Text.Json;
using k8s;
using k8s.Models;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Live;
using Portal.Sandbox;

namespace Portal.Provisioning.Tests.Live;

/// <summary>The watch cache against the sandbox: what it keeps, and how it survives expired, cut and failing watches.</summary>
public sealed class WatchCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_cache_sees_creates_updates_and_deletes_of_the_portals_objects_and_nothing_else()
    {
        await using var live = await LiveSandbox.StartAsync();
        await live.WaitForSyncAsync();
        var ns = await live.CreateNamespaceAsync();

        await live.CreateConfigMapAsync(ns, "settings", LiveSandbox.Labels("s1", "airbyte"));
        await live.CreateConfigMapAsync(ns, "not-ours", new Dictionary<string, string> { ["app"] = "other" });
        const string value = "Zq8-value-of-a-secret-never-cached";
        await live.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "creds", Labels = LiveSandbox.Labels("s1", "airbyte") }, StringData = new Dictionary<string, string> { ["password"] = value } },
            ns, cancellationToken: Ct);
        await live.WaitUntilAsync(() => live.CachedConfigMaps(ns).ContainsKey("settings") && Find<ObservedSecret>(live, ns, "creds") is not null, "the new objects are cached");

        Assert.Equal(["password"], Find<ObservedSecret>(live, ns, "creds")!.KeyNames);
        var patch = new V1Patch("""{"data":{"b":"2"}}""", V1Patch.PatchType.MergePatch);
        await live.Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "settings", ns, cancellationToken: Ct);
        await live.WaitUntilAsync(() => live.CachedConfigMaps(ns).GetValueOrDefault("settings") == "a,b", "the update is cached");

        await live.Client.CoreV1.DeleteNamespacedConfigMapAsync("settings", ns, cancellationToken: Ct);
        await live.WaitUntilAsync(() => !live.CachedConfigMaps(ns).ContainsKey("settings"), "the delete is cached");

        Assert.DoesNotContain(live.Cache.Objects(), o => o.Name == "not-ours");
        var everything = string.Join("\n", live.Cache.Objects().Select(o => JsonSerializer.Serialize(o, o.GetType())));
        Assert.DoesNotContain(value, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value)), everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deployment_is_cached_with_its_replica_set_its_pod_and_the_events_about_the_pod_but_not_events_about_others()
    {
        await using var live = await LiveSandbox.StartAsync();
        await live.WaitForSyncAsync();
        var ns = await live.CreateNamespaceAsync();
        var labels = LiveSandbox.Labels("s1", "minio");
        labels["app"] = "web";
        await live.Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web", Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx:1.27" }] },
                },
            },
        }, ns, cancellationToken: Ct);
        await live.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "stranger" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "busybox:1.36" }] },
        }, ns, cancellationToken: Ct);

        await live.WaitUntilAsync(
            () => live.Cache.Observe("s1", ns) is var o && o.Find<ObservedDeployment>("web") is { } d && o.PodsOf(d).Any(p => p.Ready && o.EventsFor(p).Any(e => e.Reason == "Started")),
            "the deployment's pod is ready with its events");

        var observation = live.Cache.Observe("s1", ns);
        var pod = observation.PodsOf(observation.Find<ObservedDeployment>("web")!).Single();
        Assert.Contains(observation.EventsFor(pod), e => e.Reason == "Scheduled");
        Assert.NotNull(observation.All<ObservedReplicaSet>().SingleOrDefault());

        // The stranger's events exist in the cluster, and the cache's event watch has gone past them, but it keeps none.
        var strangerEvents = (await live.Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "involvedObject.name=stranger", cancellationToken: Ct)).Items;
        Assert.NotEmpty(strangerEvents);
        var last = strangerEvents.Max(e => long.Parse(e.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture));
        await live.WaitUntilAsync(
            () => long.TryParse(live.Kind(ObjectKinds.Event).ResourceVersion, System.Globalization.CultureInfo.InvariantCulture, out var seen) && seen >= last,
            "the event watch has gone past the stranger's events");
        Assert.DoesNotContain(live.Cache.Events(), e => e.InvolvedObject.Name == "stranger");
        Assert.DoesNotContain(live.Cache.Objects(), o => o.Name == "stranger");
    }

    [Fact]
    public async Task A_compacted_resource_version_is_listed_again_once_per_kind_and_the_cache_is_right_afterwards()
    {
        // A short watch history and no bookmarks: every resumed watch is older than what the server still keeps.
        await using var live = await LiveSandbox.StartAsync(o =>
        {
            o.WatchHistorySize = 16;
            o.BookmarkInterval = TimeSpan.FromHours(1);
        });
        await live.WaitForSyncAsync();
        var ns = await live.CreateNamespaceAsync();
        await live.CreateConfigMapAsync(ns, "doomed", LiveSandbox.Labels("s1", "airbyte"));
        await live.WaitUntilAsync(() => live.CachedConfigMaps(ns).ContainsKey("doomed"), "the first object is cached");
        var kinds = live.Cache.Status().Kinds.Count;
        Assert.All(live.Cache.Status().Kinds, k => Assert.Equal(1, k.Lists));

        // Cut every watch and hold the reconnections back while the cluster moves on by more than its history.
        live.Gate.Close();
        live.Sandbox.Faults.DropWatchStreams();
        await live.WaitUntilAsync(() => live.Gate.Held == kinds, "every kind waits to watch again");
        await live.Client.CoreV1.DeleteNamespacedConfigMapAsync("doomed", ns, cancellationToken: Ct);
        for (var i = 0; i < 20; i++)
        {
            await live.CreateConfigMapAsync(ns, $"new-{i:00}", LiveSandbox.Labels("s1", "airbyte"));
        }

        live.Gate.Open();
        var expected = await live.ClusterConfigMapsAsync(ns);
        await live.WaitUntilAsync(() => Same(expected, live.CachedConfigMaps(ns)), "the cache matches the cluster");
        await live.WaitForSyncAsync();
        // Each kind's resumed watch gets its 410 in its own time (a kind with no change in between is synced all along): wait
        // until every kind has had it and listed again, then look at how.
        await live.WaitUntilAsync(
            () => live.Cache.Status().Kinds.All(k => k.Expired >= 1 && k.Lists >= 2), "every kind's resumed watch has expired and been listed again");

        Assert.All(live.Cache.Status().Kinds, k =>
        {
            Assert.True(k.Expired >= 1, $"{k.Kind} should have seen its watch expire");
            Assert.True(k.Lists == 2, $"{k.Kind} was listed {k.Lists} times; once at the start and once after the expiry were expected\n{string.Join("\n", live.Logs.Lines)}");
        });

        // Watching resumes from the new list: one more change arrives without another list.
        await live.CreateConfigMapAsync(ns, "after", LiveSandbox.Labels("s1", "airbyte"));
        await live.WaitUntilAsync(() => live.CachedConfigMaps(ns).ContainsKey("after"), "the next change is cached");
        Assert.All(live.Cache.Status().Kinds, k => Assert.Equal(2, k.Lists));
        Assert.Equal(2 * kinds, live.Gate.Lists);
    }

    [Fact]
    public async Task Every_kind_is_listed_again_at_the_resync_interval_while_its_watch_is_healthy()
    {
        var options = LiveSandbox.FastOptions();
        options.ResyncInterval = TimeSpan.FromSeconds(1);
        await using var live = await LiveSandbox.StartAsync(options: options);
        await live.WaitForSyncAsync();
        var ns = await live.CreateNamespaceAsync();
        await live.CreateConfigMapAsync(ns, "kept", LiveSandbox.Labels("s1", "airbyte"));

        await live.WaitUntilAsync(() => live.Cache.Status().Kinds.All(k => k.Lists >= 3), "every kind was listed twice more");

        Assert.All(live.Cache.Status().Kinds, k =>
        {
            Assert.Equal(0, k.Expired);
            Assert.Equal(0, k.ConsecutiveFailures);
        });
        Assert.True(live.Cache.IsSynced);
        Assert.True(live.CachedConfigMaps(ns).ContainsKey("kept"));
    }

    [Fact]
    public async Task Watches_cut_again_and_again_reconnect_from_where_they_stopped_and_lose_no_change()
    {
        await using var live = await LiveSandbox.StartAsync();
        await live.WaitForSyncAsync();
        var ns = await live.CreateNamespaceAsync();

        // Every open watch is cut again and again while the changes go on: each cut comes right after a change the watch may
        // not have delivered yet, which comes again from the resourceVersion the watch resumes at.
        await live.CreateConfigMapAsync(ns, "counter", LiveSandbox.Labels("s1", "airbyte"), new Dictionary<string, string> { ["k00"] = "0" });
        for (var i = 1; i <= 12; i++)
        {
            var key = $"k{i:00}";
            var patch = new V1Patch($$$"""{"data":{"{{{key}}}":"{{{i}}}"}}""", V1Patch.PatchType.MergePatch);
            await live.Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "counter", ns, cancellationToken: Ct);
            if (i % 2 == 1)
            {
                await live.WaitUntilAsync(() => live.CachedConfigMaps(ns).GetValueOrDefault("counter")?.Contains(key, StringComparison.Ordinal) == true, $"{key} is cached");
            }
            else
            {
                live.Sandbox.Faults.DropWatchStreams();
            }
        }

        for (var i = 0; i < 5; i++)
        {
            await live.CreateConfigMapAsync(ns, $"extra-{i}", LiveSandbox.Labels("s1", "airbyte"));
        }

        live.Sandbox.Faults.DropWatchStreams();
        await live.Client.CoreV1.DeleteNamespacedConfigMapAsync("extra-0", ns, cancellationToken: Ct);
        await live.Client.CoreV1.DeleteNamespacedConfigMapAsync("extra-3", ns, cancellationToken: Ct);

        var expected = await live.ClusterConfigMapsAsync(ns);
        await live.WaitUntilAsync(() => Same(expected, live.CachedConfigMaps(ns)), "the cache matches the cluster");

        Assert.Equal(13, live.CachedConfigMaps(ns)["counter"].Split(',').Length);
        var configMaps = live.Kind(ObjectKinds.ConfigMap);
        Assert.True(configMaps.Drops >= 6, $"the ConfigMap watch should have been cut many times, was cut {configMaps.Drops} times\n{LiveSandbox.Describe(live.Cache.Status())}");
        // Every cut watch resumed from its resourceVersion: nothing had to be listed again.
        Assert.Equal(1, configMaps.Lists);
        Assert.True(live.Cache.IsSynced);
    }

    [Fact]
    public async Task Watches_that_break_before_delivering_anything_give_way_to_a_list_and_the_cache_still_converges()
    {
        await using var live = await LiveSandbox.StartAsync();
        await live.WaitForSyncAsync();
        var ns = await live.CreateNamespaceAsync();

        // Cut after the first event: over HTTP/2 the reset overtakes the event, so no resumed watch ever delivers one.
        live.Sandbox.Faults.Set(new FaultSettings { DropWatchAfterEvents = 1, DropWatchBudget = 1000 });
        for (var i = 0; i < 5; i++)
        {
            await live.CreateConfigMapAsync(ns, $"cm-{i}", LiveSandbox.Labels("s1", "airbyte"));
        }

        var expected = await live.ClusterConfigMapsAsync(ns);
        await live.WaitUntilAsync(() => Same(expected, live.CachedConfigMaps(ns)), "the cache matches the cluster");
        var configMaps = live.Kind(ObjectKinds.ConfigMap);
        Assert.True(configMaps.Watches <= 10 * configMaps.Lists, $"watches should give way to lists: {configMaps.Watches} watches, {configMaps.Lists} lists");
    }

    [Fact]
    public async Task Server_errors_are_retried_with_exponential_backoff_then_the_cache_recovers()
    {
        await using var live = await LiveSandbox.StartAsync();
        await live.WaitForSyncAsync();
        var ns = await live.CreateNamespaceAsync();

        live.Sandbox.Faults.Set(new FaultSettings { ApiErrorRate = 1, ApiErrorCodes = [503], ApiErrorBudget = 100_000 });
        live.Sandbox.Faults.DropWatchStreams();
        await live.WaitUntilAsync(
            () => live.Cache.Status().Kinds.All(k => k.ConsecutiveFailures >= 4),
            "every kind failed four times in a row", TimeSpan.FromSeconds(30));

        var status = live.Cache.Status();
        Assert.False(status.Synced);
        Assert.Contains("not reachable", status.Problem, StringComparison.Ordinal);
        Assert.Contains("503", status.Problem, StringComparison.Ordinal);
        foreach (var kind in status.Kinds)
        {
            // Between failure i and i+1 the cache waited at least half of MinBackoff·2^(i-1): the retries spread out.
            var failures = kind.ConsecutiveFailures;
            var least = TimeSpan.Zero;
            for (var i = 1; i < failures; i++)
            {
                var step = live.Options.MinBackoff * Math.Pow(2, i - 1);
                least += (step > live.Options.MaxBackoff ? live.Options.MaxBackoff : step) / 2;
            }

            Assert.True(kind.LastFailureAt - kind.FailingSince >= least,
                $"{kind.Kind} failed {failures} times within {kind.LastFailureAt - kind.FailingSince}, less than the backoff allows ({least})");
            Assert.True(kind.LastBackoff >= live.Options.MinBackoff, $"{kind.Kind} waits only {kind.LastBackoff} after {failures} failures");
        }

        live.Sandbox.Faults.Clear();
        await live.CreateConfigMapAsync(ns, "after-the-outage", LiveSandbox.Labels("s1", "airbyte"));
        await live.WaitUntilAsync(() => live.Cache.IsSynced && live.CachedConfigMaps(ns).ContainsKey("after-the-outage"), "the cache recovers", TimeSpan.FromSeconds(30));
        Assert.All(live.Cache.Status().Kinds, k => Assert.Equal(0, k.ConsecutiveFailures));
        Assert.Null(live.Cache.Problem);
    }

    [Fact]
    public async Task A_cluster_that_does_not_answer_is_not_synced_and_says_why()
    {
        var configuration = Portal.Provisioning.Clusters.ClusterConnector.FromKubeconfig($$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: nowhere
              cluster:
                server: https://127.0.0.1:{{UnusedPort()}}
                insecure-skip-tls-verify: true
            users:
            - name: u
              user:
                token: t
            contexts:
            - name: c
              context:
                cluster: nowhere
                user: u
            current-context: c
            """, null).Value;
        using var client = new Kubernetes(configuration);
        await using var cache = new ClusterWatchCache("nowhere", client, LiveSandbox.FastOptions(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        cache.Start();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (cache.Problem?.Contains("not reachable", StringComparison.Ordinal) != true)
        {
            await Task.Delay(20, timeout.Token);
        }

        Assert.False(cache.IsSynced);
        Assert.StartsWith("cluster nowhere is not reachable: ", cache.Problem, StringComparison.Ordinal);
        Assert.Empty(cache.Objects());
    }

    private static T? Find<T>(LiveSandbox live, string ns, string name)
        where T : ObservedObject => live.Cache.Objects().OfType<T>().FirstOrDefault(o => o.Namespace == ns && o.Name == name);

    private static bool Same(Dictionary<string, string> expected, Dictionary<string, string> actual) =>
        expected.Count == actual.Count && expected.All(p => actual.TryGetValue(p.Key, out var keys) && keys == p.Value);

    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
