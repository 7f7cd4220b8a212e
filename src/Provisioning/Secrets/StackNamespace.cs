using System.Net;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;
using Portal.Provisioning.Clusters;

namespace Portal.Provisioning.Secrets;

/// <summary>The stack's namespace: created with the portal's labels, refused when it belongs to another stack.</summary>
internal static class StackNamespace
{
    public static IReadOnlyDictionary<string, string> Labels(StackSpec stack) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [PortalLabels.ManagedBy] = PortalLabels.ManagedByValue,
        [PortalLabels.Instance] = stack.Name,
        [PortalLabels.Stack] = stack.Name,
    };

    /// <summary>Creates or labels the namespace; true when it had to write. Throws a permanent <see cref="ClusterException"/>
    /// for a namespace labelled for another stack.</summary>
    public static async Task<bool> EnsureAsync(IClusterGateway cluster, StackSpec stack, CancellationToken cancellationToken)
    {
        var labels = Labels(stack);
        var existing = await cluster.ReadAsync<V1Namespace>("v1", "Namespace", null, stack.Namespace, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            var current = existing.Metadata.Labels ?? new Dictionary<string, string>();
            if (current.TryGetValue(PortalLabels.Stack, out var owner) && owner != stack.Name)
            {
                throw new ClusterException(
                    $"Namespace {stack.Namespace} on cluster {cluster.Name} belongs to stack {owner}: choose another namespace.",
                    HttpStatusCode.Conflict, transient: false);
            }

            if (existing.Status?.Phase == "Terminating")
            {
                throw new ClusterException($"Namespace {stack.Namespace} on cluster {cluster.Name} is being deleted; try again once it is gone.",
                    HttpStatusCode.Conflict, transient: true);
            }

            if (labels.All(l => current.TryGetValue(l.Key, out var value) && value == l.Value))
            {
                return false;
            }
        }

        await cluster.ApplyAsync(
            new V1Namespace
            {
                ApiVersion = "v1",
                Kind = "Namespace",
                Metadata = new V1ObjectMeta { Name = stack.Namespace, Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal) },
            },
            cancellationToken).ConfigureAwait(false);
        return true;
    }
}
