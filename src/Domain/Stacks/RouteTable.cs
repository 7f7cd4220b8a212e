using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;

namespace Portal.Domain.Stacks;

/// <summary>A public route an ingress component publishes: a host and paths, sent to a backend component's workload.</summary>
/// <param name="Ingress">The nginx-ingress component that publishes it.</param>
/// <param name="Relation">The nginx-route relation it comes from.</param>
/// <param name="BackendComponent">The component traffic goes to: the OAuth2 proxy, never Airbyte itself, when a proxy fronts it.</param>
/// <param name="BackendWorkload">The catalog workload of the backend whose Service receives the traffic.</param>
/// <param name="BackendPort">The Service port.</param>
public sealed record Route(
    string Ingress,
    RelationSpec Relation,
    string Host,
    IReadOnlyList<string> Paths,
    string BackendComponent,
    string BackendWorkload,
    int BackendPort)
{
    /// <summary>The component that asked for the route.</summary>
    public string Requirer => Relation.Requirer.Component;
}

/// <summary>Works out every route of a stack and where its traffic goes, applying the portal's rule that no route bypasses
/// authentication: when an OAuth2 proxy is related to a component's upstream, that component's routes go to the proxy.</summary>
/// <remarks>Hosts and paths come from <see cref="StackValidator.RoutesOf"/>, the one place that derives them (validation checks
/// the same routes for clashes); this class adds the backend each route is sent to.</remarks>
public static class RouteTable
{
    public static IReadOnlyList<Route> For(StackSpec stack, ComponentCatalog catalog)
    {
        var routes = new List<Route>();
        foreach (var route in StackValidator.RoutesOf(stack, catalog))
        {
            // An nginx-route endpoint takes one relation, so requirer and ingress name it.
            var relation = stack.Relations.First(r => r.Interface == Interfaces.NginxRoute
                && r.Requirer.Component == route.Component && r.Provider.Component == route.Ingress);
            var kind = catalog.Get(stack.Component(route.Component).Kind).Name;
            (string Component, string Workload, int Port)? backend = kind switch
            {
                OAuth2ProxyKind.Name => (route.Component, "", OAuth2ProxyKind.ServicePort),
                AirbyteWebhooksKind.Name => (route.Component, "", AirbyteWebhooksKind.ServicePort),
                AirbyteKind.Name => ProxyFor(stack, route.Component) is { } proxy
                    ? (proxy, "", OAuth2ProxyKind.ServicePort)
                    : (route.Component, "webapp", AirbyteKind.WebappServicePort),
                _ => null,
            };
            if (backend is { } to)
            {
                routes.Add(new Route(route.Ingress, relation, route.Host, [route.Path], to.Component, to.Workload, to.Port));
            }
        }

        return routes;
    }

    /// <summary>The proxy in front of a component: the requirer of a relation to its <c>upstream</c> endpoint.</summary>
    public static string? ProxyFor(StackSpec stack, string component) =>
        stack.Relations.FirstOrDefault(r => r.Interface == Interfaces.HttpUpstream && r.Provider.Component == component)?.Requirer.Component;
}
