using Portal.Domain.Stacks;
using Portal.Provisioning.Clusters;

namespace Portal.Provisioning.Secrets;

/// <summary>Writes the operator's secret inputs into the component Secrets of the stack's namespace (created if needed).</summary>
internal sealed class StackSecrets(ClusterRegistry clusters, ComponentSecrets secrets) : IStackSecrets
{
    public async Task StoreInputsAsync(StackSpec specWithSecrets, CancellationToken cancellationToken)
    {
        var cluster = clusters.Gateway(specWithSecrets.Cluster);
        await StackNamespace.EnsureAsync(cluster, specWithSecrets, cancellationToken).ConfigureAwait(false);
        foreach (var component in specWithSecrets.Components)
        {
            await secrets.EnsureAsync(cluster, specWithSecrets, component.Name, cancellationToken).ConfigureAwait(false);
        }
    }
}
