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

/// <summary>Works out every route of a stack from its nginx-route relations, applying the portal's rule that no route
/// bypasses authentication: when an OAuth2 proxy is related to a component's upstream, that component's routes go to the proxy.</summary>
public static class RouteTable
{
    public static IReadOnlyList<Route> For(StackSpec stack, ComponentCatalog catalog)
    {
        var routes = new List<Route>();
        foreach (var relation in stack.Relations.Where(r => r.Interface == Interfaces.NginxRoute))
        {
            if (RouteOf(stack, catalog, relation) is { } route)
            {
                routes.Add(route);
            }
        }

        return routes;
    }

    /// <summary>The proxy in front of a component: the requirer of a relation to its <c>upstream</c> endpoint.</summary>
    public static string? ProxyFor(StackSpec stack, string component) =>
        stack.Relations.FirstOrDefault(r => r.Interface == Interfaces.HttpUpstream && r.Provider.Component == component)?.Requirer.Component;

    private static Route? RouteOf(StackSpec stack, ComponentCatalog catalog, RelationSpec relation)
    {
        var requirer = stack.FindComponent(relation.Requirer.Component);
        if (requirer is null || !catalog.TryGet(requirer.Kind, out var kind))
        {
            return null;
        }

        var ingress = relation.Provider.Component;
        switch (kind.Name)
        {
            case OAuth2ProxyKind.Name:
            {
                // The proxy's own paths (sign-in, callback) on the host of the application it protects.
                var upstream = stack.Relations.FirstOrDefault(r => r.Requirer.Component == requirer.Name && r.Interface == Interfaces.HttpUpstream);
                var host = upstream is null ? null : HostOf(stack, catalog, upstream.Provider.Component);
                return host is null ? null : new Route(ingress, relation, host, ["/oauth2"], requirer.Name, "", OAuth2ProxyKind.ServicePort);
            }

            case AirbyteWebhooksKind.Name:
            {
                var host = HostOf(stack, catalog, requirer.Name);
                var path = requirer.Get(kind, "path-prefix") ?? "/";
                return host is null ? null : new Route(ingress, relation, host, [path], requirer.Name, "", AirbyteWebhooksKind.ServicePort);
            }

            case AirbyteKind.Name:
            {
                var host = HostOf(stack, catalog, requirer.Name);
                if (host is null)
                {
                    return null;
                }

                return ProxyFor(stack, requirer.Name) is { } proxy
                    ? new Route(ingress, relation, host, ["/"], proxy, "", OAuth2ProxyKind.ServicePort)
                    : new Route(ingress, relation, host, ["/"], requirer.Name, "webapp", AirbyteKind.WebappServicePort);
            }

            default:
                return null;
        }
    }

    private static string? HostOf(StackSpec stack, ComponentCatalog catalog, string component)
    {
        var spec = stack.FindComponent(component);
        return spec is not null && catalog.TryGet(spec.Kind, out var kind) && spec.Get(kind, "external-hostname") is { Length: > 0 } host
            ? host
            : null;
    }
}
