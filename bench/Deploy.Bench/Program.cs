using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using k8s;
using k8s.Models;
using Portal.Bench;
using Portal.Testing;
using Portal.Sandbox;

// Deploy benchmark: the whole charmed-airbyte blueprint deployed into one sandbox through the portal (POST /api/v1/stacks until
// the operation succeeded) against `kubectl apply --server-side` of the same GET /stacks/{name}/manifests output into another
// namespace of the same sandbox, followed by the same readiness wait kubectl can express (Deployments Available, StatefulSets
// rolled out, Jobs complete). Runs alternate so that both sides see the same machine state. API calls are counted by the
// sandbox per namespace. PostgreSQL runs in the cluster (mode in-cluster), so nothing outside the sandbox is needed.
// Usage: dotnet run -c Release --project bench/Deploy.Bench [-- --runs 3 --out bench/RESULTS.md]
var runs = 3;
var output = Path.Combine("bench", "RESULTS.md");
for (var i = 0; i < args.Length - 1; i += 2)
{
    switch (args[i])
    {
        case "--runs": runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
        case "--out": output = args[i + 1]; break;
    }
}

using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(30));
var ct = stop.Token;
var work = Directory.CreateTempSubdirectory("portal-deploy-bench-");
await using var cluster = await SandboxServer.StartAsync(new SandboxOptions(), ct);
var kubeconfig = cluster.WriteKubeconfig(Path.Combine(work.FullName, "sandbox.kubeconfig"));
using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

var token = PortalProcess.NewToken();
await using var portal = await PortalProcess.StartAsync(new Dictionary<string, string>
{
    ["Portal__EmbeddedSandbox"] = "false",
    ["Portal__Clusters__0__Name"] = "bench",
    ["Portal__Clusters__0__Kubeconfig"] = kubeconfig,
    ["Portal__BootstrapToken"] = token,
    ["Portal__DataDirectory"] = Path.Combine(work.FullName, "portal-data"),
    ["Logging__LogLevel__Default"] = "Warning",
    ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
}, token, TimeSpan.FromMinutes(1), ct);
var api = portal.Api;

var portalTimes = new List<TimeSpan>();
var kubectlTimes = new List<TimeSpan>();
var portalCalls = new List<long>();
var kubectlCalls = new List<long>();
var steps = 0;
var objects = 0;
// Run 0 is the first deploy after the portal started (cold: JIT, first connections); it is reported apart from the others.
TimeSpan? coldPortal = null;
for (var run = 0; run <= runs; run++)
{
    // Through the portal: from the request to the operation's success (every component healthy, every relation wired).
    var name = $"bench{run}";
    var portalNamespace = $"bench-portal-{run}";
    var before = cluster.RequestsIn(portalNamespace);
    var clock = Stopwatch.StartNew();
    using (var created = await api.PostAsJsonAsync("/api/v1/stacks", StackBody(name, portalNamespace), ct))
    {
        var body = await created.Content.ReadAsStringAsync(ct);
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/v1/stacks answered {(int)created.StatusCode}: {body}");
        }

        var operation = JsonDocument.Parse(body).RootElement.GetProperty("operationId").GetGuid();
        steps = await WaitForOperationAsync(api, operation, ct);
    }

    clock.Stop();
    portalTimes.Add(clock.Elapsed);
    portalCalls.Add(cluster.RequestsIn(portalNamespace) - before);

    // Through kubectl: the same manifests in a namespace of their own, with the Secrets the portal created copied over first
    // (the manifests reference them and carry no Secret values); the copy is not timed.
    var kubectlNamespace = $"bench-kubectl-{run}";
    var manifests = await api.GetStringAsync($"/api/v1/stacks/{name}/manifests", ct);
    var (file, kinds, count) = Retarget(manifests, kubectlNamespace, Path.Combine(work.FullName, $"{kubectlNamespace}.yaml"));
    objects = count;
    await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = kubectlNamespace } }, cancellationToken: ct);
    await CopySecretsAsync(client, portalNamespace, kubectlNamespace, ct);
    before = cluster.RequestsIn(kubectlNamespace);
    clock.Restart();
    await KubectlAsync(kubeconfig, $"apply --server-side --validate=false -f {file}", ct);
    if (kinds.Contains("Deployment"))
    {
        await KubectlAsync(kubeconfig, $"wait --for=condition=Available deployment --all -n {kubectlNamespace} --timeout=600s", ct);
    }

    foreach (var statefulSet in (await client.AppsV1.ListNamespacedStatefulSetAsync(kubectlNamespace, cancellationToken: ct)).Items)
    {
        await KubectlAsync(kubeconfig, $"rollout status statefulset/{statefulSet.Metadata.Name} -n {kubectlNamespace} --timeout=600s", ct);
    }

    if (kinds.Contains("Job"))
    {
        await KubectlAsync(kubeconfig, $"wait --for=condition=Complete job --all -n {kubectlNamespace} --timeout=600s", ct);
    }

    clock.Stop();
    kubectlTimes.Add(clock.Elapsed);
    kubectlCalls.Add(cluster.RequestsIn(kubectlNamespace) - before);
    Console.WriteLine($"run {run}: portal {portalTimes[^1].TotalSeconds:N1} s, {portalCalls[^1]} calls; kubectl {kubectlTimes[^1].TotalSeconds:N1} s, {kubectlCalls[^1]} calls");

    if (run == 0)
    {
        coldPortal = portalTimes[0];
        portalTimes.Clear();
        kubectlTimes.Clear();
        portalCalls.Clear();
        kubectlCalls.Clear();
    }
}

var portalMedian = Median(portalTimes);
var kubectlMedian = Median(kubectlTimes);
var report = new BenchReport("Deploy", $"""
    `dotnet run -c Release --project bench/Deploy.Bench` — the charmed-airbyte blueprint (PostgreSQL in-cluster) deployed {runs}
    times (after one cold deploy, reported apart) into one in-process sandbox through the portal (a Release build run as its own process, SQLite, in-memory Hangfire:
    `POST /api/v1/stacks` until the operation succeeded) and {runs} times with `kubectl apply --server-side` of the same
    `GET /stacks/{"{name}"}/manifests` output into a fresh namespace, then `kubectl wait`/`rollout status` for Deployments,
    StatefulSets and Jobs. The runs alternate. The portal does more than the manifests can: it generates and stores the
    secrets, creates each database and login role and the buckets through relation Jobs, issues the TLS certificates, wires
    every relation and waits for each component's health before its dependents (the Secrets it made are copied to the kubectl
    namespace untimed). API calls are the requests the sandbox served that named the stack's namespace.
    """);
report.Add("Deploy through the portal (median)", $"{portalMedian.TotalSeconds:N1} s ({string.Join(", ", portalTimes.Select(t => t.TotalSeconds.ToString("N1", CultureInfo.InvariantCulture)))} s; {steps} steps)");
report.Add("kubectl apply --server-side + readiness wait (median)", $"{kubectlMedian.TotalSeconds:N1} s ({string.Join(", ", kubectlTimes.Select(t => t.TotalSeconds.ToString("N1", CultureInfo.InvariantCulture)))} s; {objects} objects)");
report.Add("First deploy after the portal started (cold)", $"{coldPortal!.Value.TotalSeconds:N1} s");
report.Add("Ratio portal / kubectl", $"{portalMedian / kubectlMedian:N2}×");
report.Add("Kubernetes API calls per deploy, portal (median)", $"{Median(portalCalls):N0}");
report.Add("Kubernetes API calls per deploy, kubectl apply + wait (median)", $"{Median(kubectlCalls):N0}");
await report.WriteAsync(output, ct);

try
{
    work.Delete(recursive: true);
}
catch (IOException)
{
    // A temp folder left behind is harmless.
}

static object StackBody(string name, string @namespace) => new
{
    name,
    blueprint = "charmed-airbyte",
    cluster = "bench",
    @namespace,
    config = new Dictionary<string, Dictionary<string, object>>
    {
        ["airbyte"] = new() { ["external-hostname"] = $"airbyte.{name}.example.com" },
        ["airbyte-webhooks"] = new() { ["external-hostname"] = $"hooks.{name}.example.com", ["image"] = "registry.example.com/airbyte-webhooks:1.0" },
        ["oauth2-proxy"] = new() { ["provider"] = "github", ["client-id"] = "bench-client", ["client-secret"] = "bench-client-secret-xyz" },
        ["lego"] = new() { ["email"] = "ops@example.com", ["issuer"] = "internal-ca" },
        ["postgresql"] = new() { ["mode"] = "in-cluster" },
    },
};

// Polls the operation every 100 ms until it ends; returns its step count, or throws with its state when it did not succeed.
static async Task<int> WaitForOperationAsync(HttpClient api, Guid id, CancellationToken ct)
{
    while (true)
    {
        var root = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/operations/{id}", ct)).RootElement;
        var state = root.GetProperty("state").GetString();
        if (state == "Succeeded")
        {
            // Where the time went, for whoever reads the console: each step's start and duration from the operation's start.
            var created = root.GetProperty("createdAt").GetDateTimeOffset();
            foreach (var step in root.GetProperty("steps").EnumerateArray())
            {
                var started = step.GetProperty("startedAt").GetDateTimeOffset();
                var finished = step.GetProperty("finishedAt").GetDateTimeOffset();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {(started - created).TotalSeconds,6:N1} s +{(finished - started).TotalSeconds,5:N1} s  {step.GetProperty("key").GetString()}"));
            }

            return root.GetProperty("steps").GetArrayLength();
        }

        if (state is not ("Running" or "Failing" or "Cancelling"))
        {
            throw new InvalidOperationException($"the deploy ended {state}: {root}");
        }

        await Task.Delay(100, ct);
    }
}

// The manifests moved to another namespace (their Namespace object renamed), written to a file; the kinds present and the count.
static (string File, HashSet<string> Kinds, int Count) Retarget(string manifests, string @namespace, string path)
{
    var documents = KubernetesYaml.LoadAllFromString(manifests).OfType<IKubernetesObject<V1ObjectMeta>>().ToList();
    foreach (var document in documents)
    {
        if (document.Kind == "Namespace")
        {
            document.Metadata.Name = @namespace;
        }
        else
        {
            document.Metadata.NamespaceProperty = @namespace;
        }
    }

    File.WriteAllText(path, KubernetesYaml.SerializeAll(documents));
    return (path, documents.Select(d => d.Kind).ToHashSet(StringComparer.Ordinal), documents.Count);
}

static async Task CopySecretsAsync(Kubernetes client, string from, string to, CancellationToken ct)
{
    foreach (var secret in (await client.CoreV1.ListNamespacedSecretAsync(from, cancellationToken: ct)).Items)
    {
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = secret.Metadata.Name, Labels = secret.Metadata.Labels, Annotations = secret.Metadata.Annotations },
            Type = secret.Type,
            Data = secret.Data,
        }, to, cancellationToken: ct);
    }
}

static async Task KubectlAsync(string kubeconfig, string arguments, CancellationToken ct)
{
    var info = new ProcessStartInfo("kubectl", $"--kubeconfig {kubeconfig} {arguments}")
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        RedirectStandardInput = true,
        UseShellExecute = false,
    };
    using var process = Process.Start(info) ?? throw new InvalidOperationException("kubectl did not start");
    process.StandardInput.Close();
    var stdout = process.StandardOutput.ReadToEndAsync(ct);
    var stderr = process.StandardError.ReadToEndAsync(ct);
    await process.WaitForExitAsync(ct);
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"kubectl {arguments} exited with {process.ExitCode}: {await stderr}{await stdout}");
    }
}

static T Median<T>(List<T> values) => values.Order().ElementAt(values.Count / 2);
