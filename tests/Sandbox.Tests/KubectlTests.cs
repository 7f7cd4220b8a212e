using System.Diagnostics;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Portal.Sandbox.Tests;

/// <summary>
/// The image's real kubectl binaries against a sandbox running on the real clock: what a newcomer types must work.
/// kubectl is google-cloud-cli's dispatcher on PATH (it picks the kubectl.1.NN beside it matching the server).
/// </summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private const string Manifest = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: NS
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: NS
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: nginx
                image: nginx:1.25
                ports: [{containerPort: 80}]
                readinessProbe: {httpGet: {path: /, port: 80}}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: NS}
        spec:
          selector: {app: web}
          ports: [{port: 80}]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: NS}
        data: {mode: demo}
        """;

    private SandboxCluster _cluster = null!;
    private Kubernetes _client = null!;
    private string _kubeconfig = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _cluster = await SandboxServer.StartAsync(new SandboxOptions
        {
            Simulation = new SimulationOptions
            {
                SchedulingDelay = TimeSpan.FromMilliseconds(50),
                ImagePullDelay = TimeSpan.FromMilliseconds(200),
                ReadinessDelay = TimeSpan.FromMilliseconds(200),
                PodTerminationDelay = TimeSpan.FromMilliseconds(50),
                VolumeBindDelay = TimeSpan.FromMilliseconds(50),
                LogHeartbeatInterval = null,
            },
        }, Ct);
        _kubeconfig = _cluster.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"sandbox-kubectl-{Guid.NewGuid():N}.kubeconfig"));
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_kubeconfig));
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _cluster.DisposeAsync();
        File.Delete(_kubeconfig);
    }

    /// <summary>The kubectl to use: $KUBECTL, else the one on PATH. Missing kubectl is a failure, not a skip.</summary>
    private static string Kubectl(string name = "kubectl")
    {
        if (name == "kubectl" && Environment.GetEnvironmentVariable("KUBECTL") is { Length: > 0 } explicitPath)
        {
            return explicitPath;
        }

        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/lib/google-cloud-sdk/bin");
        return dirs.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{name} was not found on PATH or in /usr/lib/google-cloud-sdk/bin: these tests need the image's kubectl (google-cloud-cli ships kubectl and kubectl.1.27 … kubectl.1.33)");
    }

    private async Task<(int Exit, string Out, string Err)> Run(string arguments, string? stdin = null, string binary = "kubectl", string? kubeconfig = null)
    {
        var start = new ProcessStartInfo(Kubectl(binary), $"--kubeconfig {kubeconfig ?? _kubeconfig} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
        };
        start.Environment["KUBECACHEDIR"] = Path.Combine(Path.GetTempPath(), "sandbox-kubectl-cache");
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {arguments} did not finish: {await error}");
        }

        return (process.ExitCode, await output, await error);
    }

    private static string Unique() => $"k-{Guid.NewGuid().ToString("N")[..8]}";

    [Fact]
    public async Task Apply_a_multi_document_manifest_then_roll_out_read_logs_and_delete()
    {
        var ns = Unique();
        var (exit, output, error) = await Run("apply --validate=false -f -", Manifest.Replace("NS", ns, StringComparison.Ordinal));
        Assert.True(exit == 0, error);
        Assert.Contains("deployment.apps/web created", output, StringComparison.Ordinal);
        Assert.Contains("configmap/settings created", output, StringComparison.Ordinal);

        (exit, output, error) = await Run($"-n {ns} rollout status deployment/web --timeout=50s");
        Assert.True(exit == 0, error);
        Assert.Contains("successfully rolled out", output, StringComparison.Ordinal);

        (exit, output, error) = await Run($"-n {ns} get pods -o json");
        Assert.True(exit == 0, error);
        var pods = JsonNode.Parse(output)!["items"]!.AsArray();
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Equal("Running", (string?)p!["status"]!["phase"]));

        (exit, output, error) = await Run($"-n {ns} logs deployment/web");
        Assert.True(exit == 0, error);
        Assert.Contains("nginx: starting nginx:1.25", output, StringComparison.Ordinal);

        (exit, output, _) = await Run($"-n {ns} get deploy,svc,cm");
        Assert.Contains("deployment.apps/web", output, StringComparison.Ordinal);
        Assert.Matches(@"web\s+2/2\s+2\s+2", output);

        // Re-applying an unchanged manifest changes nothing.
        (exit, output, error) = await Run("apply --validate=false -f -", Manifest.Replace("NS", ns, StringComparison.Ordinal));
        Assert.True(exit == 0, error);
        Assert.Contains("deployment.apps/web unchanged", output, StringComparison.Ordinal);

        (exit, output, error) = await Run($"delete namespace {ns} --wait=true --timeout=50s");
        Assert.True(exit == 0, error);
        var namespaces = await _client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        Assert.DoesNotContain(namespaces.Items, n => n.Metadata.Name == ns);
    }

    [Theory]
    [InlineData("create deployments")]
    [InlineData("delete secrets -n anywhere")]
    [InlineData("get pods --subresource=log")]
    [InlineData("create namespaces")]
    public async Task Auth_can_i_says_yes_for_the_sandbox_token(string question)
    {
        var (exit, output, error) = await Run($"auth can-i {question}");

        Assert.True(exit == 0, $"{output} {error}");
        Assert.Equal("yes", output.Trim());
    }

    [Fact]
    public async Task Auth_can_i_says_no_for_what_the_sandbox_denies_and_the_list_leaves_it_out()
    {
        await using var limited = await SandboxServer.StartAsync(new SandboxOptions { DeniedAccess = ["delete secrets", "patch deployments.apps"] }, Ct);
        var kubeconfig = limited.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"sandbox-kubectl-{Guid.NewGuid():N}.kubeconfig"));
        try
        {
            var (exit, output, _) = await Run("auth can-i delete secrets -n team", kubeconfig: kubeconfig);
            Assert.Equal(1, exit);
            Assert.Equal("no", output.Trim());

            (exit, output, _) = await Run("auth can-i patch deployments.apps", kubeconfig: kubeconfig);
            Assert.Equal(1, exit);
            Assert.Equal("no", output.Trim());

            (exit, output, _) = await Run("auth can-i get secrets -n team", kubeconfig: kubeconfig);
            Assert.Equal(0, exit);
            Assert.Equal("yes", output.Trim());

            string error;
            (exit, output, error) = await Run("auth can-i --list -n team", kubeconfig: kubeconfig);
            Assert.True(exit == 0, error);
            var secrets = output.Split('\n').Single(line => line.StartsWith("secrets ", StringComparison.Ordinal));
            Assert.Contains("get", secrets, StringComparison.Ordinal);
            Assert.DoesNotContain("delete", secrets.Replace("deletecollection", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public async Task Server_side_apply_records_kubectl_as_the_field_manager()
    {
        var ns = Unique();
        var (exit, output, error) = await Run("apply --server-side --validate=false -f -", Manifest.Replace("NS", ns, StringComparison.Ordinal));
        Assert.True(exit == 0, error);
        Assert.Contains("deployment.apps/web serverside-applied", output, StringComparison.Ordinal);
        var map = await _client.CoreV1.ReadNamespacedConfigMapAsync("settings", ns, cancellationToken: Ct);
        Assert.Contains(map.Metadata.ManagedFields, m => m.Manager == "kubectl" && m.Operation == "Apply");
        await _client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: Ct);
    }

    [Fact]
    public async Task Get_watch_prints_a_line_when_an_object_changes()
    {
        var ns = Unique();
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: Ct);
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "watched" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, ns, cancellationToken: Ct);
        var start = new ProcessStartInfo(Kubectl(), $"--kubeconfig {_kubeconfig} -n {ns} get configmap watched -w") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync(Ct);
        var lines = new List<string>();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            async Task<string> Next()
            {
                try
                {
                    var line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? "<end of output>";
                    lines.Add(line);
                    return line;
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    throw new TimeoutException($"kubectl get -w printed only [{string.Join(" | ", lines)}]; stderr: {await errors}");
                }
            }

            Assert.Matches(@"NAME\s+DATA\s+AGE", await Next());
            Assert.Matches(@"^watched\s+1\s", await Next());

            // kubectl watches a single object from resourceVersion 0 and skips the first event (the current state), so a
            // change made before its watch is open would be lost, on a real cluster too: wait for the watch to open.
            using (var open = CancellationTokenSource.CreateLinkedTokenSource(Ct))
            {
                open.CancelAfter(TimeSpan.FromSeconds(20));
                while (_cluster.OpenWatches == 0)
                {
                    await Task.Delay(10, open.Token);
                }
            }

            await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"b\":\"2\"}}", V1Patch.PatchType.MergePatch), "watched", ns, cancellationToken: Ct);
            Assert.Matches(@"^watched\s+2\s", await Next());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(Ct);
        }

        await _client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: Ct);
    }

    [Theory]
    [InlineData("kubectl.1.27")]
    [InlineData("kubectl.1.30")]
    [InlineData("kubectl.1.33")]
    public async Task Each_shipped_kubectl_version_can_list_and_describe(string binary)
    {
        var (exit, output, error) = await Run("get nodes", binary: binary);
        Assert.True(exit == 0, error);
        Assert.Matches(@"sandbox-node\s+Ready", output);
        (exit, output, error) = await Run("-n default get svc kubernetes -o jsonpath={.spec.clusterIP}", binary: binary);
        Assert.True(exit == 0, error);
        Assert.Equal("10.96.0.1", output.Trim());
    }
}
