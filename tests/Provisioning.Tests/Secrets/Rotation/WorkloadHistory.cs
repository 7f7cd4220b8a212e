using System.Collections.Concurrent;
using System.Globalization;
using k8s;
using k8s.Models;
using Portal.Domain.Naming;

namespace Portal.Provisioning.Tests.Secrets.Rotation;

/// <summary>One state of a Deployment or StatefulSet as a watch saw it: the cluster's resourceVersion (one global order in the
/// sandbox, as in etcd), its pod template's secret revisions, and whether it was fully rolled out and ready then.</summary>
internal sealed record WorkloadState(long ResourceVersion, string Key, string Revisions, bool Ready);

/// <summary>Records every change of the namespace's Deployments and StatefulSets from now on (two watches, merged by
/// resourceVersion), so a test can tell in which order workloads restarted and became ready.</summary>
internal sealed class WorkloadHistory : IAsyncDisposable
{
    private readonly ConcurrentBag<WorkloadState> _states = [];
    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private readonly List<Task> _watches = [];
    private readonly IKubernetes _client;
    private readonly string _namespace;

    private WorkloadHistory(IKubernetes client, string @namespace)
    {
        _client = client;
        _namespace = @namespace;
    }

    public static async Task<WorkloadHistory> StartAsync(IKubernetes client, string @namespace)
    {
        var history = new WorkloadHistory(client, @namespace);
        var ct = TestContext.Current.CancellationToken;
        var sets = await client.AppsV1.ListNamespacedStatefulSetAsync(@namespace, cancellationToken: ct);
        var deployments = await client.AppsV1.ListNamespacedDeploymentAsync(@namespace, cancellationToken: ct);
        history._watches.Add(Task.Run(() => history.WatchStatefulSetsAsync(sets.Metadata.ResourceVersion), ct));
        history._watches.Add(Task.Run(() => history.WatchDeploymentsAsync(deployments.Metadata.ResourceVersion), ct));
        return history;
    }

    /// <summary>Every state seen, in the cluster's order, once the watches caught up with the workloads as they are now.</summary>
    public async Task<IReadOnlyList<WorkloadState>> StatesAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var sets = await _client.AppsV1.ListNamespacedStatefulSetAsync(_namespace, cancellationToken: ct);
        var deployments = await _client.AppsV1.ListNamespacedDeploymentAsync(_namespace, cancellationToken: ct);
        var latest = sets.Items.Select(s => Rv(s.Metadata)).Concat(deployments.Items.Select(d => Rv(d.Metadata))).Max();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        while (!_states.Any(s => s.ResourceVersion >= latest))
        {
            await Task.Delay(50, timeout.Token);
        }

        return _states.OrderBy(s => s.ResourceVersion).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var watch in _watches)
        {
            try
            {
                await watch;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        _stop.Dispose();
    }

    private static long Rv(V1ObjectMeta metadata) => long.Parse(metadata.ResourceVersion, CultureInfo.InvariantCulture);

    private static string RevisionsOf(V1PodTemplateSpec template) =>
        template.Metadata?.Annotations?.TryGetValue(PortalLabels.SecretRevisionsAnnotation, out var revisions) == true ? revisions : "";

    private async Task WatchStatefulSetsAsync(string from)
    {
        await foreach (var (_, set) in _client.AppsV1.WatchListNamespacedStatefulSetAsync(_namespace, resourceVersion: from, cancellationToken: _stop.Token))
        {
            var status = set.Status;
            var ready = status is not null && status.ObservedGeneration >= set.Metadata.Generation && status.ReadyReplicas == set.Spec.Replicas
                && status.UpdatedReplicas == set.Spec.Replicas && status.CurrentRevision == status.UpdateRevision;
            _states.Add(new WorkloadState(Rv(set.Metadata), $"StatefulSet/{set.Metadata.Name}", RevisionsOf(set.Spec.Template), ready));
        }
    }

    private async Task WatchDeploymentsAsync(string from)
    {
        await foreach (var (_, deployment) in _client.AppsV1.WatchListNamespacedDeploymentAsync(_namespace, resourceVersion: from, cancellationToken: _stop.Token))
        {
            var status = deployment.Status;
            var ready = status is not null && status.ObservedGeneration >= deployment.Metadata.Generation && status.UpdatedReplicas == deployment.Spec.Replicas
                && status.AvailableReplicas == deployment.Spec.Replicas;
            _states.Add(new WorkloadState(Rv(deployment.Metadata), $"Deployment/{deployment.Metadata.Name}", RevisionsOf(deployment.Spec.Template), ready));
        }
    }
}
