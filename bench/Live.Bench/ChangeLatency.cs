using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Portal.Live.Bench;

/// <summary>Change-to-screen latency: a change made through the Kubernetes API against the moment the topology page's DOM shows
/// it, from a MutationObserver in the page that stamps each change of a node's <c>data-status</c> or message with
/// <c>performance.timeOrigin + performance.now()</c> (the same machine's wall clock as the API call's).</summary>
internal sealed class ChangeLatency(BenchStacks stacks, IPage page, string stack)
{
    private static readonly TimeSpan ShowTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    // One observer per node; a record only when the status word or the message text really differs from the last one seen.
    private const string ObserveScript = """
        () => {
          window.__changes = [];
          const nodes = document.querySelectorAll("[data-testid^='node-']");
          for (const node of nodes) {
            const name = node.getAttribute('data-node');
            // The message is wrapped into one <tspan> per line: join the lines as the sentence reads.
            const read = () => ({ status: node.getAttribute('data-status'), message: [...node.querySelectorAll('.node-message-line')].map(l => l.textContent).join(' ') });
            let last = read();
            new MutationObserver(() => {
              const now = read();
              if (now.status !== last.status || now.message !== last.message) {
                window.__changes.push({ node: name, t: performance.timeOrigin + performance.now(), status: now.status, message: now.message });
                last = now;
              }
            }).observe(node, { attributes: true, attributeFilter: ['data-status'], subtree: true, childList: true, characterData: true });
          }
          return nodes.length;
        }
        """;

    public sealed record Change(int Index, string Kind, string Node, double? LatencyMs, string? Shown, bool Settled);

    /// <summary>Runs <paramref name="count"/> changes in a cycle of three, each of which changes a node's status: scale a Deployment
    /// of one component up (it is scaled back down untimed), a crash loop on a Deployment of another, and its removal; each
    /// waits for the previous one to settle on screen.</summary>
    public async Task<List<Change>> RunAsync(int count, CancellationToken ct)
    {
        var deployments = await stacks.DeploymentsAsync(stack, ct);
        var faulted = deployments.ContainsKey("airbyte-server") ? "airbyte-server" : deployments.Keys.Order(StringComparer.Ordinal).First();
        var scaled = deployments.Where(d => d.Value != deployments[faulted]).Select(d => d.Key).Order(StringComparer.Ordinal).First();
        var replicas = await stacks.ReplicasAsync(stack, scaled, ct);
        Console.WriteLine($"  scaling {scaled} (node {deployments[scaled]}) {replicas}↔{replicas + 1}, crash loop in {faulted} (node {deployments[faulted]})");
        var nodes = await page.EvaluateAsync<int>(ObserveScript);
        Console.WriteLine($"  observing {nodes} nodes");

        var results = new List<Change>();
        for (var i = 0; i < count; i++)
        {
            var (kind, deployment, settled) = (i % 3) switch
            {
                0 => ("scale up", scaled, "active"),
                1 => ("crash loop on", faulted, "error"),
                _ => ("crash loop off", faulted, "active"),
            };
            var node = deployments[deployment];
            await WaitQuietAsync(ct);
            var seen = await CountAsync(ct);
            var at = NowMs();
            switch (i % 3)
            {
                case 0: await stacks.ScaleAsync(stack, deployment, replicas + 1, ct); break;
                case 1: await stacks.SetFaultAsync(stack, deployment, on: true, ct); break;
                default: await stacks.SetFaultAsync(stack, deployment, on: false, ct); break;
            }

            var shown = await FirstChangeAsync(node, seen, ShowTimeout, ct);
            var done = await WaitForStatusAsync(node, settled, SettleTimeout, ct);
            var change = new Change(i, kind, node, shown is null ? null : shown.Value.T - at, shown?.Text, done);
            results.Add(change);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  change {i + 1,3}/{count} {kind,-15} {node,-18} {(change.LatencyMs is { } ms ? $"{ms,7:N1} ms" : "  MISSED")}  shown: {change.Shown}{(done ? "" : $"  (did not settle to {settled})")}"));
            if (i % 3 == 0)
            {
                // Back to the original size, untimed: an active node stays active with the same message, so it shows nothing.
                await WaitQuietAsync(ct);
                await stacks.ScaleAsync(stack, deployment, replicas, ct);
                await WaitForStatusAsync(node, "active", SettleTimeout, ct);
            }
        }

        // Leave the stack as it was.
        if (count % 3 == 2)
        {
            await stacks.SetFaultAsync(stack, faulted, on: false, ct);
            await WaitForStatusAsync(deployments[faulted], "active", SettleTimeout, ct);
        }

        return results;
    }

    /// <summary>Browser clock minus this process's clock, and half the round trip (the uncertainty of the estimate).</summary>
    public async Task<(double Skew, double Uncertainty)> ClockSkewAsync()
    {
        var best = (Skew: 0.0, Uncertainty: double.MaxValue);
        for (var i = 0; i < 10; i++)
        {
            var before = NowMs();
            var browser = await page.EvaluateAsync<double>("() => performance.timeOrigin + performance.now()");
            var after = NowMs();
            if ((after - before) / 2 < best.Uncertainty)
            {
                best = (browser - ((before + after) / 2), (after - before) / 2);
            }
        }

        return best;
    }

    // Milliseconds since the Unix epoch with sub-millisecond resolution, like performance.timeOrigin + performance.now().
    private static double NowMs() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

    private async Task<int> CountAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return await page.EvaluateAsync<int>("() => window.__changes.length");
    }

    private async Task<(double T, string Text)?> FirstChangeAsync(string node, int from, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var found = await page.EvaluateAsync<JsonElement?>(
                "([node, from]) => window.__changes.slice(from).find(c => c.node === node) ?? null", new object[] { node, from });
            if (found is { ValueKind: JsonValueKind.Object } change)
            {
                return (change.GetProperty("t").GetDouble(), $"{change.GetProperty("status").GetString()}: {change.GetProperty("message").GetString()}");
            }

            await Task.Delay(25, ct);
        }

        return null;
    }

    private async Task<bool> WaitForStatusAsync(string node, string status, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var current = await page.GetAttributeAsync($"[data-testid='node-{node}']", "data-status");
            if (current == status)
            {
                return true;
            }

            await Task.Delay(50, ct);
        }

        return false;
    }

    // Nothing changed on the page for a moment: the previous change has played out, so the next one's first change is its own.
    private async Task WaitQuietAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < SettleTimeout)
        {
            var sinceLast = await page.EvaluateAsync<double?>(
                "() => window.__changes.length ? performance.timeOrigin + performance.now() - window.__changes[window.__changes.length - 1].t : null");
            if (sinceLast is null || sinceLast >= Quiet.TotalMilliseconds)
            {
                return;
            }

            await Task.Delay(Quiet, ct);
        }
    }
}
