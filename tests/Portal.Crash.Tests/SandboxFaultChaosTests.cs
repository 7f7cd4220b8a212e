using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Testing;

namespace Portal.Crash.Tests;

/// <summary>A deploy while the cluster misbehaves: 20% of its API requests answered with errors (503, 500, 429, 504), every request
/// slowed, watches cut after a few events and all at once every few seconds — set through the sandbox's own fault endpoint, which the
/// portal knows nothing about. The deploy completes with every object once; then, with a change made while the faults still ran (a
/// Deployment's rollout paused), the faults stop and the topology converges to what the cluster says within a bounded wait, and again
/// after the rollout resumes.</summary>
public sealed class SandboxFaultChaosTests
{
    private const string Scenario = "faults";
    private static readonly TimeSpan DeployTimeout = TimeSpan.FromMinutes(8);

    // "Within seconds" of the issue, with room for a loaded CI machine; the time it took is printed.
    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task A_deploy_under_API_errors_latency_and_dropped_watches_completes_and_the_topology_converges_to_the_truth_after()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = ChaosSettings.RandomFor(Scenario);
        var clock = Stopwatch.StartNew();
        await using var world = await ChaosWorld.StartAsync(Scenario, ct);
        using var faults = new SandboxFaults(world.Sandbox.Kubeconfig);
        var latency = random.Next(50, 200);
        var dropAfter = random.Next(10, 40);
        await faults.SetAsync(new JsonObject
        {
            ["apiErrorRate"] = 0.2,
            ["apiErrorCodes"] = new JsonArray(503, 500, 429, 504),
            ["apiErrorBudget"] = 1_000_000,
            ["apiLatency"] = TimeSpan.FromMilliseconds(latency).ToString("c", CultureInfo.InvariantCulture),
            ["dropWatchAfterEvents"] = dropAfter,
            ["dropWatchBudget"] = 1_000_000,
        }, ct);
        ChaosLog.Trace(Scenario, $"faults on: 20% errors, {latency} ms latency, watches cut after {dropAfter} events and every few seconds");

        var stack = new ChaosStack($"faults{world.Suffix}", $"faults-{world.Suffix}");
        var id = await world.StartOperationAsync(HttpMethod.Post, "/api/v1/stacks", world.Postgres.StackBody(stack.Name, stack.Namespace, ChaosWorld.Cluster), ct);

        // Every few seconds, every watch is cut at once, until the deploy ends.
        using var stopDrops = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var drops = 0;
        var dropping = Task.Run(async () =>
        {
            var pace = new Random(random.Next());
            while (!stopDrops.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(pace.Next(1500, 5000)), stopDrops.Token);
                await faults.DropWatchesAsync(stopDrops.Token);
                drops++;
            }
        }, stopDrops.Token);

        OperationSnapshot done;
        try
        {
            done = await world.WaitFinishedAsync(id, DeployTimeout, ct);
        }
        finally
        {
            await stopDrops.CancelAsync();
            await dropping.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        var injected = (int)(await faults.GetAsync(ct))["errorsInjected"]!;
        var deployed = clock.Elapsed;
        ChaosLog.Trace(Scenario, $"deploy {done.State} under faults after {deployed.TotalSeconds:0}s: {injected} errors injected, every watch cut {drops} times");
        Assert.True(done.State == "Succeeded", $"the deploy under faults ended {done.State}:\n{done}\n{world.PortalOutput()}");
        Assert.True(injected > 0, "no error was injected: the faults did not apply");

        // While the faults still run, a change the portal did not make: one Deployment's rollout paused; then every watch cut again.
        using var client = world.Kube();
        var deployments = await RetryAsync(() => client.AppsV1.ListNamespacedDeploymentAsync(stack.Namespace, cancellationToken: ct));
        var paused = deployments.Items[random.Next(deployments.Items.Count)];
        var component = paused.Metadata.Labels[PortalLabels.Component];
        await RetryAsync(() => client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("{\"spec\":{\"paused\":true}}", V1Patch.PatchType.MergePatch), paused.Metadata.Name, stack.Namespace, cancellationToken: ct));
        await faults.DropWatchesAsync(ct);
        await faults.ClearAsync(ct);
        var cleared = Stopwatch.StartNew();
        ChaosLog.Trace(Scenario, $"Deployment {paused.Metadata.Name} ({component}) paused; faults off");

        // The truth, from the cluster: the paused rollout is suspended, everything else ready.
        await AssertReadyExceptAsync(client, stack.Namespace, paused.Metadata.Name, ct);
        var first = await ConvergedAsync(world, stack.Name, stack.Namespace, component, ct);
        var convergedAfter = cleared.Elapsed;
        ChaosLog.Trace(Scenario, $"topology shows {component} suspended and the rest healthy {convergedAfter.TotalSeconds:0.0}s after the faults stopped:\n{first}");

        await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("{\"spec\":{\"paused\":false}}", V1Patch.PatchType.MergePatch), paused.Metadata.Name, stack.Namespace, cancellationToken: ct);
        var resumed = Stopwatch.StartNew();
        await ConvergedAsync(world, stack.Name, stack.Namespace, null, ct);
        var resumedAfter = resumed.Elapsed;

        var manifests = await world.Api.GetStringAsync($"/api/v1/stacks/{stack.Name}/manifests", ct);
        await StackChecks.AssertObjectsExactlyOnceAsync(client, stack.Namespace, manifests, ct);
        await StackChecks.AssertTlsSecretsAsync(client, stack.Namespace, ct);
        await CrashPostgres.AssertDatabasesAsync(client, stack.Namespace, stack.Name, ct);
        ChaosLog.Summary(Scenario, string.Create(CultureInfo.InvariantCulture,
            $"deploy=Succeeded errors-injected={injected} latency={latency}ms watch-cut-after={dropAfter} all-watches-cut={drops} deploy-time={deployed.TotalSeconds:0}s converged-after-faults={convergedAfter.TotalSeconds:0.0}s converged-after-resume={resumedAfter.TotalSeconds:0.0}s checks=passed"));
    }

    // The topology agrees with the cluster: reachable, and every component healthy except the one whose rollout is paused, which
    // shows suspended; with nothing paused, every component active and every relation healthy.
    private static async Task<string> ConvergedAsync(ChaosWorld world, string stack, string @namespace, string? paused, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ConvergeTimeout);
        var last = "";
        while (true)
        {
            using var response = await world.Api.GetAsync($"/api/v1/stacks/{stack}/topology", ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                var topology = JsonNode.Parse(text)!;
                var nodes = topology["nodes"]!.AsArray().Select(n => n!).ToList();
                // A node's health is its own objects' (the cluster's facts); its status and the relations' follow the status rules,
                // under which a paused component blocks those that wait for it: they are checked once nothing is paused.
                var wrong = nodes.Where(n => (string)n["component"]! == paused
                        ? (string)n["health"]! != "suspended"
                        : (string)n["health"]! != "healthy" || (paused is null && (string)n["status"]! != "active"))
                    .Select(n => $"{n["component"]}: {n["status"]}/{n["health"]} {n["message"]}")
                    .Concat(topology["edges"]!.AsArray().Where(e => paused is null && (string)e!["status"]! != "healthy")
                        .Select(e => $"{e!["requirer"]} → {e["provider"]}: {e["status"]} {e["message"]}"))
                    .ToList();
                if ((bool)topology["reachable"]! && nodes.Count == 10 && wrong.Count == 0)
                {
                    return string.Join("\n", nodes.Select(n => $"  {n["component"]}: {n["status"]}/{n["health"]}"));
                }

                last = $"reachable={topology["reachable"]}, {nodes.Count} nodes; not as the cluster is:\n  {string.Join("\n  ", wrong)}";
            }
            else
            {
                last = $"{(int)response.StatusCode}: {text}";
            }

            try
            {
                await Task.Delay(250, deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"the topology did not converge to the cluster's state within {ConvergeTimeout} ({(paused is null ? "every rollout running" : $"{paused} paused")}):\n{last}\n"
                    + $"the cluster's pods:\n{await PodsAsync(world, @namespace, ct)}\n{world.PortalOutput()}");
            }
        }
    }

    private static async Task<string> PodsAsync(ChaosWorld world, string @namespace, CancellationToken ct)
    {
        using var client = world.Kube();
        var pods = (await client.CoreV1.ListNamespacedPodAsync(@namespace, cancellationToken: ct)).Items;
        return string.Join("\n", pods.Select(p => $"  {p.Metadata.Name} rv={p.Metadata.ResourceVersion} phase={p.Status?.Phase} ready={p.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status}"));
    }

    // Checks the premise of the truth: every Deployment and StatefulSet but the paused one has all its replicas ready.
    private static async Task AssertReadyExceptAsync(Kubernetes client, string @namespace, string paused, CancellationToken ct)
    {
        var deployments = (await client.AppsV1.ListNamespacedDeploymentAsync(@namespace, cancellationToken: ct)).Items;
        var statefulSets = (await client.AppsV1.ListNamespacedStatefulSetAsync(@namespace, cancellationToken: ct)).Items;
        var notReady = deployments.Where(d => d.Metadata.Name != paused && (d.Status?.ReadyReplicas ?? 0) < (d.Spec.Replicas ?? 1)).Select(d => $"Deployment {d.Metadata.Name}")
            .Concat(statefulSets.Where(s => (s.Status?.ReadyReplicas ?? 0) < (s.Spec.Replicas ?? 1)).Select(s => $"StatefulSet {s.Metadata.Name}"))
            .ToList();
        Assert.True(notReady.Count == 0, $"not ready in the cluster after the deploy: {string.Join(", ", notReady)}");
        Assert.True(deployments.Single(d => d.Metadata.Name == paused).Spec.Paused == true, $"Deployment {paused} is not paused");
    }

    // The test's own requests meet the faults too: retried until one gets through.
    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (HttpOperationException e) when (attempt < 30 && ((int)e.Response.StatusCode >= 500 || (int)e.Response.StatusCode == 429))
            {
                // Injected: try again.
            }
        }
    }
}
