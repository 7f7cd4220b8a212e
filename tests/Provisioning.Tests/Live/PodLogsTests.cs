using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Live;
using Portal.Provisioning.Tests.Steps;

namespace Portal.Provisioning.Tests.Live;

/// <summary>Container logs through the cluster's log endpoint: the tail, following new lines, and the failures as sentences.</summary>
public sealed class PodLogsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_tail_of_a_log_then_new_lines_while_following_and_none_of_it_is_logged()
    {
        await using var live = await LiveSandbox.StartAsync(o => o.Simulation.LogHeartbeatInterval = TimeSpan.FromMilliseconds(100), start: false);
        using var clusters = new ClusterRegistry(TimeProvider.System);
        Assert.True(clusters.Connect(LiveSandbox.Cluster, live.Sandbox.Kubeconfig(), null).IsSuccess);
        var logs = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var podLogs = new PodLogs(clusters, loggers.CreateLogger<PodLogs>());
        var ns = await live.CreateNamespaceAsync();
        await live.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "server", Image = "airbyte/server:1.7.0" }] },
        }, ns, cancellationToken: Ct);
        await WaitForLinesAsync(live.Client, ns, "web", "server", 3);

        var tail = await podLogs.ReadAsync(LiveSandbox.Cluster, ns, "web", "server", tailLines: 2, follow: false, Ct).ToListAsync(Ct);
        Assert.Equal(2, tail.Count);

        using var following = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        following.CancelAfter(TimeSpan.FromSeconds(20));
        var followed = new List<string>();
        await foreach (var line in podLogs.ReadAsync(LiveSandbox.Cluster, ns, "web", "server", tailLines: 1, follow: true, following.Token))
        {
            followed.Add(line);
            if (followed.Count(l => l.Contains("heartbeat", StringComparison.Ordinal)) >= 3)
            {
                await following.CancelAsync();
            }
        }

        Assert.True(followed.Count >= 3, $"following should bring new lines, got {followed.Count}");
        Assert.Contains(followed.Skip(1), l => l.Contains("heartbeat", StringComparison.Ordinal));
        var logged = string.Join("\n", logs.Lines);
        Assert.DoesNotContain("heartbeat", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(tail[0], logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_pod_or_cluster_is_a_sentence_not_a_crash()
    {
        await using var live = await LiveSandbox.StartAsync(start: false);
        using var clusters = new ClusterRegistry(TimeProvider.System);
        Assert.True(clusters.Connect(LiveSandbox.Cluster, live.Sandbox.Kubeconfig(), null).IsSuccess);
        var podLogs = new PodLogs(clusters, Microsoft.Extensions.Logging.Abstractions.NullLogger<PodLogs>.Instance);

        var missingPod = await Assert.ThrowsAsync<PodLogException>(async () =>
            await podLogs.ReadAsync(LiveSandbox.Cluster, "default", "nope", "server", 10, follow: false, Ct).ToListAsync(Ct));
        Assert.Contains("does not exist", missingPod.Message, StringComparison.Ordinal);

        var missingCluster = await Assert.ThrowsAsync<PodLogException>(async () =>
            await podLogs.ReadAsync("elsewhere", "default", "nope", "server", 10, follow: false, Ct).ToListAsync(Ct));
        Assert.Contains("elsewhere", missingCluster.Message, StringComparison.Ordinal);
    }

    private static async Task WaitForLinesAsync(IKubernetes client, string ns, string pod, string container, int lines)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod, ns, container: container, cancellationToken: timeout.Token);
                using var reader = new StreamReader(stream);
                var text = await reader.ReadToEndAsync(timeout.Token);
                if (text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= lines)
                {
                    return;
                }
            }
            catch (k8s.Autorest.HttpOperationException)
            {
                // Not started yet.
            }

            await Task.Delay(50, timeout.Token);
        }
    }
}
