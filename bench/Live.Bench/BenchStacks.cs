using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Portal.Live.Bench;

/// <summary>Stacks deployed through the portal's API, and changes made to their objects through the Kubernetes API.</summary>
internal sealed class BenchStacks(HttpClient api, Kubernetes client, string cluster)
{
    public const string ComponentLabel = "portal.airbyte.io/component";

    /// <summary>The sandbox's own fault switch on a pod template: its pods crash over and over (CrashLoopBackOff).</summary>
    public const string FaultAnnotation = "sandbox.portal.airbyte.io/fault";

    /// <summary>A metadata-only annotation: every write is a watch event the portal must process, and no rollout.</summary>
    public const string TickAnnotation = "bench.portal.airbyte.io/tick";

    private static readonly TimeSpan DeployTimeout = TimeSpan.FromMinutes(40);

    public List<string> Names { get; } = [];

    public static string NameOf(int index) => $"live{index:D3}";

    /// <summary>POSTs the stacks up to <paramref name="count"/> at once and waits until every deploy succeeded; returns the time.</summary>
    public async Task<TimeSpan> DeployUpToAsync(int count, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var operations = new Dictionary<string, Guid>(StringComparer.Ordinal);
        for (var i = Names.Count; i < count; i++)
        {
            var name = NameOf(i);
            using var created = await api.PostAsJsonAsync("/api/v1/stacks", Body(name, cluster), ct);
            var body = await created.Content.ReadAsStringAsync(ct);
            if (!created.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"POST /api/v1/stacks answered {(int)created.StatusCode}: {body}");
            }

            operations[name] = JsonDocument.Parse(body).RootElement.GetProperty("operationId").GetGuid();
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(DeployTimeout);
        var lastReport = Stopwatch.StartNew();
        while (true)
        {
            var running = 0;
            foreach (var (name, operation) in operations)
            {
                var root = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/operations/{operation}", deadline.Token)).RootElement;
                var state = root.GetProperty("state").GetString();
                if (state is "Running" or "Failing" or "Cancelling")
                {
                    running++;
                }
                else if (state != "Succeeded")
                {
                    throw new InvalidOperationException($"the deploy of {name} ended {state}: {root}");
                }
            }

            if (running == 0)
            {
                break;
            }

            if (lastReport.Elapsed > TimeSpan.FromSeconds(15))
            {
                Console.WriteLine($"  {operations.Count - running} of {operations.Count} deploys done after {clock.Elapsed.TotalSeconds:N0} s");
                lastReport.Restart();
            }

            await Task.Delay(TimeSpan.FromSeconds(1), deadline.Token);
        }

        Names.AddRange(operations.Keys.Order(StringComparer.Ordinal));
        return clock.Elapsed;
    }

    /// <summary>The stack's Deployments by name, with the component each belongs to.</summary>
    public async Task<Dictionary<string, string>> DeploymentsAsync(string stack, CancellationToken ct) =>
        (await client.AppsV1.ListNamespacedDeploymentAsync(stack, cancellationToken: ct)).Items
            .Where(d => d.Metadata.Labels?.ContainsKey(ComponentLabel) == true)
            .ToDictionary(d => d.Metadata.Name, d => d.Metadata.Labels[ComponentLabel], StringComparer.Ordinal);

    public async Task<int> ReplicasAsync(string stack, string deployment, CancellationToken ct) =>
        (await client.AppsV1.ReadNamespacedDeploymentAsync(deployment, stack, cancellationToken: ct)).Spec.Replicas ?? 1;

    public Task ScaleAsync(string stack, string deployment, int replicas, CancellationToken ct) =>
        client.AppsV1.PatchNamespacedDeploymentAsync(
            Merge(new { spec = new { replicas } }), deployment, stack, cancellationToken: ct);

    public Task SetFaultAsync(string stack, string deployment, bool on, CancellationToken ct) =>
        client.AppsV1.PatchNamespacedDeploymentAsync(
            Merge(new { spec = new { template = new { metadata = new { annotations = new Dictionary<string, string?> { [FaultAnnotation] = on ? "crash-loop" : null } } } } }),
            deployment, stack, cancellationToken: ct);

    public Task TickAsync(string stack, string deployment, long tick, CancellationToken ct) =>
        client.AppsV1.PatchNamespacedDeploymentAsync(
            Merge(new { metadata = new { annotations = new Dictionary<string, string> { [TickAnnotation] = tick.ToString(CultureInfo.InvariantCulture) } } }),
            deployment, stack, cancellationToken: ct);

    // A JSON merge patch (a null removes the key).
    private static V1Patch Merge(object patch) => new(JsonSerializer.Serialize(patch), V1Patch.PatchType.MergePatch);

    /// <summary>Pods, and all objects of the kinds the portal watches, across the cluster.</summary>
    public async Task<(int Pods, int Deployments, int StatefulSets, int Services, int Secrets)> CountAsync(CancellationToken ct) => (
        (await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct)).Items.Count,
        (await client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: ct)).Items.Count,
        (await client.AppsV1.ListStatefulSetForAllNamespacesAsync(cancellationToken: ct)).Items.Count,
        (await client.CoreV1.ListServiceForAllNamespacesAsync(cancellationToken: ct)).Items.Count,
        (await client.CoreV1.ListSecretForAllNamespacesAsync(cancellationToken: ct)).Items.Count);

    // The smallest config the blueprint accepts: PostgreSQL in the cluster, so nothing outside the sandbox is needed.
    private static object Body(string name, string cluster) => new
    {
        name,
        blueprint = "charmed-airbyte",
        cluster,
        @namespace = name,
        config = new Dictionary<string, Dictionary<string, object>>
        {
            ["airbyte"] = new() { ["external-hostname"] = $"airbyte.{name}.example.com" },
            ["airbyte-webhooks"] = new() { ["external-hostname"] = $"hooks.{name}.example.com", ["image"] = "registry.example.com/airbyte-webhooks:1.0" },
            ["oauth2-proxy"] = new() { ["provider"] = "github", ["client-id"] = "bench-client", ["client-secret"] = "bench-client-secret-xyz" },
            ["lego"] = new() { ["email"] = "ops@example.com", ["issuer"] = "internal-ca" },
            ["postgresql"] = new() { ["mode"] = "in-cluster" },
        },
    };
}

/// <summary>Updates flowing: a metadata annotation written on the stacks' Deployments in turn at a steady rate, each write a
/// watch event that the portal turns into a published change of one component.</summary>
internal sealed class Ticker(BenchStacks stacks, IReadOnlyList<(string Stack, string Deployment)> targets, double perSecond) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public long Ticks { get; private set; }

    public long Failures { get; private set; }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Starts counting the writes made from now on, to tell the rate actually reached over a measurement window.</summary>
    public TickWindow Window() => new(this, Ticks, Failures, Stopwatch.StartNew());

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var clock = Stopwatch.StartNew();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var (stack, deployment) = targets[(int)(Ticks % targets.Count)];
                try
                {
                    await stacks.TickAsync(stack, deployment, Ticks, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Failures++;
                }

                Ticks++;
                // On a schedule, not after a fixed pause: the rate holds whatever a write takes.
                var next = interval * Ticks - clock.Elapsed;
                if (next > TimeSpan.Zero)
                {
                    await Task.Delay(next, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
    }
}

/// <summary>The writes a <see cref="Ticker"/> made since the window opened: the update rate reached (the loop is sequential, so a
/// slow API under load can hold it below the one asked for), and the writes that failed.</summary>
internal sealed class TickWindow(Ticker ticker, long ticks, long failures, Stopwatch clock)
{
    public double PerSecond => (ticker.Ticks - ticks) / clock.Elapsed.TotalSeconds;

    /// <summary>"4.9/s, 0 writes failed".</summary>
    public string Reached() => string.Create(CultureInfo.InvariantCulture, $"{PerSecond:N1}/s, {ticker.Failures - failures} writes failed");
}
