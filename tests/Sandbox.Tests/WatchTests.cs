using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Portal.Sandbox.Tests;

/// <summary>Watch semantics: initial state, resume from a resourceVersion, 410 when too old, bookmarks, selectors, timeouts.</summary>
public sealed class WatchTests : IAsyncLifetime
{
    private SandboxHarness _sandbox = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sandbox = await SandboxHarness.StartAsync(o => o.WatchHistorySize = 64);

    public async ValueTask DisposeAsync() => await _sandbox.DisposeAsync();

    private Kubernetes Client => _sandbox.Client;

    private static V1ConfigMap Map(string name, string value = "1", Dictionary<string, string>? labels = null) =>
        new() { Metadata = new V1ObjectMeta { Name = name, Labels = labels }, Data = new Dictionary<string, string> { ["v"] = value } };

    [Fact]
    public async Task Watch_from_a_resourceVersion_replays_later_changes_then_streams_new_ones()
    {
        var ns = await _sandbox.NamespaceAsync();
        var first = await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("a"), ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("b"), ns, cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"v\":\"2\"}}", V1Patch.PatchType.MergePatch), "a", ns, cancellationToken: Ct);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        var seen = new List<(WatchEventType, string, string)>();
        await foreach (var (type, map) in Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: first.Metadata.ResourceVersion, cancellationToken: cts.Token))
        {
            seen.Add((type, map.Metadata.Name, map.Data?["v"] ?? ""));
            if (seen.Count == 2)
            {
                await Client.CoreV1.DeleteNamespacedConfigMapAsync("b", ns, cancellationToken: Ct);
            }

            if (seen.Count == 3)
            {
                break;
            }
        }

        Assert.Equal([(WatchEventType.Added, "b", "1"), (WatchEventType.Modified, "a", "2"), (WatchEventType.Deleted, "b", "1")], seen);
    }

    [Fact]
    public async Task A_watch_resumed_from_a_resourceVersion_replays_the_changes_of_its_own_kind_only()
    {
        // Found by the chaos test: a resumed ReplicaSet watch replayed the Pods and Jobs changed meanwhile, as ReplicaSets.
        var ns = await _sandbox.NamespaceAsync();
        var labels = new Dictionary<string, string> { ["app"] = "same" };
        var first = await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("before", labels: labels), ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "not-a-config-map", Labels = labels }, StringData = new Dictionary<string, string> { ["k"] = "v" } },
            ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "nor-this", Labels = labels } }, ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("after", labels: labels), ns, cancellationToken: Ct);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        var seen = new List<string>();
        await foreach (var (_, map) in Client.CoreV1.WatchListConfigMapForAllNamespacesAsync(
            labelSelector: "app=same", resourceVersion: first.Metadata.ResourceVersion, cancellationToken: cts.Token))
        {
            seen.Add($"{map.Kind}/{map.Metadata.Name}");
            if (map.Metadata.Name == "after")
            {
                break;
            }
        }

        Assert.Equal(["ConfigMap/after"], seen);
    }

    [Fact]
    public async Task Watch_without_resourceVersion_starts_with_the_current_objects()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("a"), ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("b"), ns, cancellationToken: Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        var names = new List<string>();
        await foreach (var (type, map) in Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, cancellationToken: cts.Token))
        {
            Assert.Equal(WatchEventType.Added, type);
            names.Add(map.Metadata.Name);
            if (names.Count == 2)
            {
                break;
            }
        }

        Assert.Equal(["a", "b"], names);
    }

    [Fact]
    public async Task Watch_from_a_compacted_resourceVersion_fails_with_410_Expired()
    {
        var ns = await _sandbox.NamespaceAsync();
        var first = await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("a"), ns, cancellationToken: Ct);
        for (var i = 0; i < 100; i++)
        {
            await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch($"{{\"data\":{{\"v\":\"{i}\"}}}}", V1Patch.PatchType.MergePatch), "a", ns, cancellationToken: Ct);
        }

        using var http = _sandbox.RawClient();
        var body = await http.GetStringAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={first.Metadata.ResourceVersion}", Ct);
        var error = JsonNode.Parse(body.Trim())!;
        Assert.Equal("ERROR", (string?)error["type"]);
        Assert.Equal(410, (int?)error["object"]!["code"]);
        Assert.Equal("Expired", (string?)error["object"]!["reason"]);

        // KubernetesClient 21 ends the enumeration on that ERROR event without yielding anything: a watcher that
        // resumes from a resourceVersion and gets nothing back must re-list (the portal's watch loop relies on this).
        var yielded = 0;
        await foreach (var _ in Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: first.Metadata.ResourceVersion, cancellationToken: Ct))
        {
            yielded++;
        }

        Assert.Equal(0, yielded);
    }

    [Fact]
    public async Task Bookmarks_arrive_when_asked_for_and_carry_the_current_resourceVersion()
    {
        var ns = await _sandbox.NamespaceAsync();
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("a"), ns, cancellationToken: Ct);
        using var http = _sandbox.RawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion={created.Metadata.ResourceVersion}");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("other"), "default", cancellationToken: Ct);
        var expected = _sandbox.Cluster.ResourceVersion;
        _sandbox.Clock.Advance(TimeSpan.FromSeconds(5));
        var line = JsonNode.Parse((await reader.ReadLineAsync(Ct))!)!;
        Assert.Equal("BOOKMARK", (string?)line["type"]);
        Assert.True(long.Parse((string)line["object"]!["metadata"]!["resourceVersion"]!) >= expected);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("other", "default", cancellationToken: Ct);
    }

    [Fact]
    public async Task KubernetesClient_passes_bookmarks_to_the_caller()
    {
        var ns = await _sandbox.NamespaceAsync();
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("a"), ns, cancellationToken: Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        var watch = Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, resourceVersion: created.Metadata.ResourceVersion, allowWatchBookmarks: true, cancellationToken: cts.Token);
        var enumerator = watch.GetAsyncEnumerator(cts.Token);
        var next = enumerator.MoveNextAsync().AsTask();
        while (_sandbox.Cluster.OpenWatches == 0)
        {
            await Task.Yield();
        }

        _sandbox.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await next);
        Assert.Equal(WatchEventType.Bookmark, enumerator.Current.Item1);
        await enumerator.DisposeAsync();
    }

    [Fact]
    public async Task A_label_selector_watch_sees_objects_enter_and_leave_the_selection()
    {
        var ns = await _sandbox.NamespaceAsync();
        var start = await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("a", labels: new() { ["tier"] = "back" }), ns, cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"tier\":\"front\"}}}", V1Patch.PatchType.MergePatch), "a", ns, cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"v\":\"2\"}}", V1Patch.PatchType.MergePatch), "a", ns, cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"tier\":\"back\"}}}", V1Patch.PatchType.MergePatch), "a", ns, cancellationToken: Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        var seen = new List<WatchEventType>();
        await foreach (var (type, _) in Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, labelSelector: "tier=front", resourceVersion: start.Metadata.ResourceVersion, cancellationToken: cts.Token))
        {
            seen.Add(type);
            if (seen.Count == 3)
            {
                break;
            }
        }

        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], seen);
    }

    [Fact]
    public async Task A_watch_with_timeoutSeconds_ends_cleanly_when_the_time_is_up()
    {
        var ns = await _sandbox.NamespaceAsync();
        using var http = _sandbox.RawClient();
        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={_sandbox.Cluster.ResourceVersion}&timeoutSeconds=30"), HttpCompletionOption.ResponseHeadersRead, Ct);
        var body = response.Content.ReadAsStringAsync(Ct);
        while (_sandbox.Cluster.OpenWatches == 0)
        {
            await Task.Yield();
        }

        _sandbox.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(body.IsCompleted);
        _sandbox.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("", await body.WaitAsync(TimeSpan.FromSeconds(20), Ct));
    }

    [Fact]
    public async Task Watching_a_single_object_by_name_ignores_the_others()
    {
        var ns = await _sandbox.NamespaceAsync();
        var start = await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("other"), ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("mine"), ns, cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"v\":\"2\"}}", V1Patch.PatchType.MergePatch), "other", ns, cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"v\":\"3\"}}", V1Patch.PatchType.MergePatch), "mine", ns, cancellationToken: Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(20));
        var seen = new List<string>();
        await foreach (var (type, map) in Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, fieldSelector: "metadata.name=mine", resourceVersion: start.Metadata.ResourceVersion, cancellationToken: cts.Token))
        {
            seen.Add($"{type} {map.Metadata.Name} {map.Data["v"]}");
            if (seen.Count == 2)
            {
                break;
            }
        }

        Assert.Equal(["Added mine 1", "Modified mine 3"], seen);
    }

    [Fact]
    public async Task Watch_streams_use_chunked_newline_delimited_json()
    {
        var ns = await _sandbox.NamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(Map("a"), ns, cancellationToken: Ct);
        using var http = _sandbox.RawClient();
        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion=0"), HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked == true || response.Version >= HttpVersion.Version20);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        var first = JsonNode.Parse((await reader.ReadLineAsync(Ct))!)!;
        Assert.Equal("ADDED", (string?)first["type"]);
        Assert.Equal("ConfigMap", (string?)first["object"]!["kind"]);
    }
}
