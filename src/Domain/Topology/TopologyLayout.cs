using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Stacks;

namespace Portal.Domain.Topology;

/// <summary>The topology view's layout of a stack or blueprint: components as nodes, relations as edges, in the seed
/// diagram's reading order (entry points on top, then Airbyte, then Temporal, storage at the bottom).</summary>
/// <remarks>
/// Edges go from requirer to provider, and a requirer is drawn above its provider (Airbyte above PostgreSQL, MinIO and
/// Temporal; the proxy above Airbyte). Two interfaces bring something in from outside instead, and are drawn upward so
/// that traffic and certificates flow down the page: <c>nginx-route</c> (the ingress above the component it routes to)
/// and <c>tls-certificates</c> (lego above the ingress it serves). Kinds that provide those are entry points; kinds that
/// provide a database or object storage are storage. Only names, kinds and relations are read: a status change never
/// moves a node.
/// </remarks>
public static class TopologyLayout
{
    private static readonly HashSet<string> InboundInterfaces = new(StringComparer.Ordinal) { Interfaces.NginxRoute, Interfaces.TlsCertificates };
    private static readonly HashSet<string> StorageInterfaces = new(StringComparer.Ordinal) { Interfaces.PostgresqlClient, Interfaces.ObjectStorage };

    public static GraphLayout ForStack(StackSpec stack, ComponentCatalog catalog, LayoutOptions? options = null) =>
        Compute(stack.Components.Select(c => (c.Name, c.Kind)), stack.Relations, catalog, options);

    public static GraphLayout ForBlueprint(Blueprint blueprint, ComponentCatalog catalog, LayoutOptions? options = null) =>
        Compute(blueprint.Components.Select(c => (c.Name, c.Kind)), blueprint.Relations, catalog, options);

    public static GraphLayout Compute(
        IEnumerable<(string Name, string Kind)> components, IEnumerable<RelationSpec> relations, ComponentCatalog catalog, LayoutOptions? options = null)
    {
        var nodes = components.Select(c => new LayoutNode(c.Name, TierOf(c.Kind, catalog)));
        var edges = relations.Select(r => new LayoutEdge(r.Requirer.Component, r.Provider.Component)
        {
            Key = r.Key,
            DrawnUpward = InboundInterfaces.Contains(r.Interface),
        });
        return LayeredLayout.Compute(nodes, edges, options);
    }

    private static LayoutTier TierOf(string kindName, ComponentCatalog catalog)
    {
        if (!catalog.TryGet(kindName, out var kind))
        {
            return LayoutTier.Auto;
        }

        var provided = kind.Endpoints.Where(e => e.Role == EndpointRole.Provides).Select(e => e.Interface).ToList();
        return provided.Any(InboundInterfaces.Contains) ? LayoutTier.Entry
            : provided.Any(StorageInterfaces.Contains) ? LayoutTier.Storage
            : LayoutTier.Auto;
    }
}
