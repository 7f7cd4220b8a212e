using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Common;
using Portal.Domain.Values;

namespace Portal.Domain.Stacks;

public static partial class StackValidator
{
    /// <summary>The path OAuth2 Proxy serves its own endpoints under (sign-in, callback, sign-out).</summary>
    public const string OAuth2ProxyPath = "/oauth2";

    /// <summary>The public routes the stack would publish: one per nginx-route relation (COMPONENTS.md, rules the portal adds).</summary>
    /// <remarks>airbyte (and any kind with an external hostname) is served at its hostname's <c>/</c>; oauth2-proxy at its
    /// upstream's hostname under <c>/oauth2</c>; airbyte-webhooks at its own hostname under its path prefix.</remarks>
    public static IReadOnlyList<StackRoute> RoutesOf(StackSpec spec, ComponentCatalog catalog)
    {
        var states = new OrderedDictionary<string, ComponentState>(StringComparer.Ordinal);
        foreach (var component in spec.Components)
        {
            var state = new ComponentState(component.Name, catalog.Get(component.Kind), previous: null);
            foreach (var (option, value) in component.Config)
            {
                state.Explicit[option] = value;
            }

            states[component.Name] = state;
        }

        return ComputeRoutes(states, spec.Relations.Select((r, i) => new ResolvedRelation(r, i)).ToList());
    }

    private static void ValidateRoutes(OrderedDictionary<string, ComponentState> components, List<ResolvedRelation> relations, ErrorList errors)
    {
        var routes = ComputeRoutes(components, relations);
        foreach (var group in routes.GroupBy(r => (r.Host, r.Path)).Where(g => g.Count() > 1))
        {
            var first = group.First();
            foreach (var other in group.Skip(1))
            {
                var where = other.Ingress == first.Ingress ? $"on {first.Ingress}" : $"on {other.Ingress} and {first.Ingress}";
                errors.Add(other.SourcePath,
                    $"{other.Component} and {first.Component} both claim {other.Host}{other.Path} ({where}); two routes may not share a host and path.");
            }
        }

        CheckNoBypass(components, relations, errors);
    }

    private static List<StackRoute> ComputeRoutes(OrderedDictionary<string, ComponentState> components, List<ResolvedRelation> relations)
    {
        var routes = new List<StackRoute>();
        foreach (var relation in relations.Where(r => r.Spec.Interface == Interfaces.NginxRoute))
        {
            if (!components.TryGetValue(relation.Spec.Requirer.Component, out var app))
            {
                continue;
            }

            var ingress = relation.Spec.Provider.Component;
            var (hostText, pathText, sourcePath) = app.Kind.Name switch
            {
                OAuth2ProxyKind.Name => (UpstreamOf(app, components, relations)?.Effective("external-hostname"), OAuth2ProxyPath, $"{app.Name}:{relation.Spec.Requirer.Endpoint}"),
                AirbyteWebhooksKind.Name => (app.Effective("external-hostname"), app.Effective("path-prefix"), $"{app.Name}.external-hostname"),
                _ => (app.Effective("external-hostname"), UrlPath.Root, $"{app.Name}.external-hostname"),
            };

            if (Hostname.TryCreate(hostText, allowWildcard: true) is { IsSuccess: true } host
                && UrlPath.TryCreate(pathText) is { IsSuccess: true } path)
            {
                routes.Add(new StackRoute(app.Name, ingress, host.Value.Value, path.Value.Value, sourcePath));
            }
        }

        return routes;
    }

    /// <summary>The component an oauth2-proxy protects: the provider of its upstream relation.</summary>
    private static ComponentState? UpstreamOf(ComponentState proxy, OrderedDictionary<string, ComponentState> components, List<ResolvedRelation> relations)
    {
        var upstream = relations.FirstOrDefault(r => r.Spec.Requirer.Component == proxy.Name && r.Spec.Interface == Interfaces.HttpUpstream);
        return upstream is not null && components.TryGetValue(upstream.Spec.Provider.Component, out var state) ? state : null;
    }

    /// <summary>No route bypasses authentication: a component that offers an http-upstream for a proxy and has a public
    /// route must have a proxy related, and the proxy must be on the same ingress.</summary>
    private static void CheckNoBypass(OrderedDictionary<string, ComponentState> components, List<ResolvedRelation> relations, ErrorList errors)
    {
        foreach (var app in components.Values)
        {
            var upstream = app.Kind.Endpoints.FirstOrDefault(e => e.Role == EndpointRole.Provides && e.Interface == Interfaces.HttpUpstream);
            var route = relations.FirstOrDefault(r => r.Spec.Requirer.Component == app.Name && r.Spec.Interface == Interfaces.NginxRoute);
            if (upstream is null || route is null)
            {
                continue;
            }

            var upstreamRef = new EndpointRef(app.Name, upstream.Name);
            var proxies = relations.Where(r => r.Spec.Provider == upstreamRef).Select(r => r.Spec.Requirer.Component).ToList();
            if (proxies.Count == 0)
            {
                errors.Add(route.Spec.Requirer.ToString(),
                    $"{app.Name} would be public on {route.Spec.Provider.Component} without sign-in: relate an oauth2-proxy to {upstreamRef}, "
                    + $"or remove the {route.Spec.Requirer} relation.");
                continue;
            }

            foreach (var proxy in proxies)
            {
                var proxyRoute = relations.FirstOrDefault(r => r.Spec.Requirer.Component == proxy && r.Spec.Interface == Interfaces.NginxRoute);
                if (proxyRoute is not null && proxyRoute.Spec.Provider.Component != route.Spec.Provider.Component)
                {
                    errors.Add(proxyRoute.Spec.Requirer.ToString(),
                        $"{proxy} is routed through {proxyRoute.Spec.Provider.Component} but {app.Name} through {route.Spec.Provider.Component}; "
                        + $"both must use the same ingress, so that every route to {app.Name} goes through the sign-in.");
                }
            }
        }
    }
}

/// <summary>A public route the stack publishes: which component, on which ingress, at which host and path prefix.</summary>
/// <param name="SourcePath">The validation path of what decides the route (for messages), e.g. <c>airbyte.external-hostname</c>.</param>
public sealed record StackRoute(string Component, string Ingress, string Host, string Path, string SourcePath);
