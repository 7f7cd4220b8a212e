using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using Portal.Bench;
using Portal.Sandbox;

// Sandbox benchmark: list and watch throughput with 10,000 objects and 200 concurrent watchers, and server memory.
// Server and clients share this process (and the machine's cores), so the numbers are a floor for the server alone.
// Usage: dotnet run -c Release --project bench/Sandbox.Bench [-- --objects 10000 --watchers 200 --updates 500 --out bench/RESULTS.md]
var objects = 10_000;
var watchers = 200;
var updates = 500;
var output = Path.Combine("bench", "RESULTS.md");
for (var i = 0; i < args.Length - 1; i += 2)
{
    switch (args[i])
    {
        case "--objects": objects = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--watchers": watchers = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--updates": updates = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--out": output = args[i + 1]; break;
    }
}

using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(15));
var ct = stop.Token;
await using var cluster = await SandboxServer.StartAsync(new SandboxOptions { WatchHistorySize = 50_000 }, ct);
var kubeconfig = cluster.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"sandbox-bench-{Guid.NewGuid():N}.kubeconfig"));
using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
const string Ns = "bench";
await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Ns } }, cancellationToken: ct);
var report = new BenchReport("Sandbox", """
    `dotnet run -c Release --project bench/Sandbox.Bench` — the sandbox over HTTPS on 127.0.0.1, KubernetesClient 21 and raw
    HttpClient as clients, all in one process (clients and server share the cores, so these are lower bounds for the server).
    ConfigMaps carry ~300 bytes of data each.
    """);
void Report(string metric, string value) => report.Add(metric, value);

var baseline = Memory();

// Create: 16 concurrent writers.
var created = Stopwatch.StartNew();
var next = -1;
await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
{
    int n;
    while ((n = Interlocked.Increment(ref next)) < objects)
    {
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = $"cm-{n:D5}", Labels = new Dictionary<string, string> { ["app"] = "bench", ["shard"] = (n % 10).ToString(CultureInfo.InvariantCulture) } },
            Data = new Dictionary<string, string> { ["payload"] = new string('x', 256), ["index"] = n.ToString(CultureInfo.InvariantCulture) },
        }, Ns, cancellationToken: ct);
    }
}));
created.Stop();
Report($"Create {objects:N0} ConfigMaps (16 concurrent clients)", $"{objects / created.Elapsed.TotalSeconds:N0} objects/s ({created.Elapsed.TotalSeconds:N1} s)");
var loaded = Memory();
Report($"Server memory after loading {objects:N0} objects", $"GC heap {Mb(loaded.Heap)} (+{Mb(loaded.Heap - baseline.Heap)}), process working set {Mb(loaded.WorkingSet)}");

// List: full lists through KubernetesClient (deserialized into V1ConfigMapList).
const int Lists = 10;
var listed = Stopwatch.StartNew();
for (var i = 0; i < Lists; i++)
{
    var list = await client.CoreV1.ListNamespacedConfigMapAsync(Ns, cancellationToken: ct);
    if (list.Items.Count != objects)
    {
        throw new InvalidOperationException($"listed {list.Items.Count} objects");
    }
}

listed.Stop();
Report($"Full list of {objects:N0} objects, KubernetesClient (typed)", $"{Lists / listed.Elapsed.TotalSeconds:N2} lists/s, {objects * Lists / listed.Elapsed.TotalSeconds:N0} objects/s");

// List: raw bytes (the server's share of the work).
using var raw = RawClient(cluster);
var rawListed = Stopwatch.StartNew();
long bytes = 0;
for (var i = 0; i < Lists; i++)
{
    bytes += (await raw.GetByteArrayAsync($"/api/v1/namespaces/{Ns}/configmaps", ct)).Length;
}

rawListed.Stop();
Report($"Full list of {objects:N0} objects, raw HTTP", $"{Lists / rawListed.Elapsed.TotalSeconds:N2} lists/s, {objects * Lists / rawListed.Elapsed.TotalSeconds:N0} objects/s, {bytes / rawListed.Elapsed.TotalSeconds / 1024 / 1024:N0} MB/s");

// Paged and selected lists.
var paged = Stopwatch.StartNew();
var pages = 0;
string? token = null;
do
{
    var page = await client.CoreV1.ListNamespacedConfigMapAsync(Ns, limit: 500, continueParameter: token, cancellationToken: ct);
    token = page.Metadata.ContinueProperty;
    pages++;
}
while (!string.IsNullOrEmpty(token));
paged.Stop();
Report($"Paged list (limit=500, {pages} pages)", $"{paged.Elapsed.TotalMilliseconds:N0} ms for all {objects:N0} objects");
var selected = Stopwatch.StartNew();
for (var i = 0; i < Lists; i++)
{
    await client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "shard=3", cancellationToken: ct);
}

selected.Stop();
Report("Label-selected list (1 in 10 match)", $"{selected.Elapsed.TotalMilliseconds / Lists:N0} ms per list");

// Watch fan-out: watchers read raw newline-delimited events and count them.
var startRv = cluster.ResourceVersion.ToString(CultureInfo.InvariantCulture);
var counts = new int[watchers];
var allReceived = new TaskCompletionSource();
var remaining = watchers;
var watchTasks = Enumerable.Range(0, watchers).Select(w => Task.Run(async () =>
{
    using var http = RawClient(cluster);
    using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{Ns}/configmaps?watch=true&resourceVersion={startRv}"), HttpCompletionOption.ResponseHeadersRead, ct);
    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
    while (await reader.ReadLineAsync(ct) is { } line)
    {
        if (line.Length > 0 && ++counts[w] == updates)
        {
            if (Interlocked.Decrement(ref remaining) == 0)
            {
                allReceived.TrySetResult();
            }

            return;
        }
    }
}, ct)).ToList();
while (cluster.OpenWatches < watchers)
{
    await Task.Delay(50, ct);
}

var duringWatch = Memory();
var fanout = Stopwatch.StartNew();
for (var i = 0; i < updates; i++)
{
    var patch = $"{{\"data\":{{\"index\":\"{i}-updated\"}}}}";
    await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), $"cm-{i % objects:D5}", Ns, cancellationToken: ct);
}

var written = fanout.Elapsed;
await allReceived.Task.WaitAsync(TimeSpan.FromMinutes(10), ct);
fanout.Stop();
await Task.WhenAll(watchTasks);
Report($"Watch fan-out: {updates} updates to {watchers} concurrent watchers", $"{(long)updates * watchers / fanout.Elapsed.TotalSeconds:N0} events/s delivered ({(long)updates * watchers:N0} events in {fanout.Elapsed.TotalSeconds:N1} s; writes took {written.TotalSeconds:N1} s)");
Report($"Server memory with {watchers} open watches", $"GC heap {Mb(duringWatch.Heap)}, process working set {Mb(duringWatch.WorkingSet)}");

// Watch resume from an old resourceVersion: replaying the history.
var replay = Stopwatch.StartNew();
var replayed = 0;
using (var http = RawClient(cluster))
using (var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{Ns}/configmaps?watch=true&resourceVersion={startRv}"), HttpCompletionOption.ResponseHeadersRead, ct))
using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct)))
{
    while (replayed < updates && await reader.ReadLineAsync(ct) is { } _)
    {
        replayed++;
    }
}

replay.Stop();
Report($"Watch resume replaying {updates} events", $"{replay.Elapsed.TotalMilliseconds:N0} ms");

await report.WriteAsync(output, ct);
File.Delete(kubeconfig);


static (long Heap, long WorkingSet) Memory()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    return (GC.GetTotalMemory(forceFullCollection: true), Process.GetCurrentProcess().WorkingSet64);
}

static string Mb(long bytes) => $"{bytes / 1024.0 / 1024:N0} MB";

static HttpClient RawClient(SandboxCluster cluster)
{
    // Trust exactly the sandbox's own CA, as the kubeconfig does.
    var ca = X509Certificate2.CreateFromPem(cluster.CertificateAuthorityPem);
    var handler = new SocketsHttpHandler
    {
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            },
        },
    };
    var http = new HttpClient(handler) { BaseAddress = cluster.BaseUrl, Timeout = Timeout.InfiniteTimeSpan };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.Token);
    return http;
}

