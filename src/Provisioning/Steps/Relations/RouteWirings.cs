using k8s.Models;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Status;
using Portal.Provisioning.Operations;

namespace Portal.Provisioning.Steps.Relations;

/// <summary><c>http-upstream</c>: the upstream URL derives from names, so there is nothing to write; the step succeeds once
/// the provider's Service exists, so the proxy never starts pointing at nothing.</summary>
internal sealed class HttpUpstreamWiring(StepTools tools) : IRelationWiring
{
    public string Interface => Interfaces.HttpUpstream;

    public async Task<StepOutcome> ProvisionAsync(RelationWork work, CancellationToken cancellationToken)
    {
        var service = RelationContracts.UpstreamService(tools.KindOf(work.Stack, work.Provider), work.Provider);
        return await work.Cluster.ReadAsync<V1Service>("v1", "Service", work.Namespace, service, cancellationToken).ConfigureAwait(false) is null
            ? StepOutcome.Wait($"waiting for Service {service} of {work.Provider}")
            : StepOutcome.Ok($"{work.Requirer} forwards to Service {service}");
    }
}

/// <summary><c>nginx-route</c>: applies the Ingress the ingress component renders for this route (<see cref="Domain.Stacks.RouteTable"/>).</summary>
internal sealed class NginxRouteWiring(StepTools tools) : IRelationWiring
{
    public string Interface => Interfaces.NginxRoute;

    public async Task<StepOutcome> ProvisionAsync(RelationWork work, CancellationToken cancellationToken)
    {
        var ingresses = tools.Renderer.RenderComponent(work.Stack, work.Provider)
            .Where(o => o.Kind == "Ingress" && o.Object.Metadata.Labels?.TryGetValue(PortalLabels.Relation, out var key) == true && key == work.Relation.LabelValue)
            .ToList();
        if (ingresses.Count == 0)
        {
            return StepOutcome.Ok($"{work.Requirer} has no public hostname, so {work.Provider} publishes no route for it");
        }

        foreach (var ingress in ingresses)
        {
            await work.Cluster.ApplyAsync(ingress.Object, cancellationToken).ConfigureAwait(false);
        }

        var hosts = ingresses.SelectMany(i => ((V1Ingress)i.Object).Spec.Rules.Select(r => r.Host)).Distinct();
        return StepOutcome.Ok($"{work.Provider} routes {string.Join(", ", hosts)} to {work.Requirer}");
    }
}
