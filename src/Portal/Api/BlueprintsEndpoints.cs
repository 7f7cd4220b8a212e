using Portal.Api.Infrastructure;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Security;

namespace Portal.Api;

/// <summary>A blueprint: its components (with kinds and endpoints) and relations.</summary>
public sealed record BlueprintView(string Name, string Description, IReadOnlyList<BlueprintComponentView> Components, IReadOnlyList<BlueprintRelationView> Relations);

/// <summary>A component of a blueprint with what its kind offers and needs.</summary>
public sealed record BlueprintComponentView(string Name, string Kind, string Summary, IReadOnlyList<EndpointView> Endpoints);

/// <summary>A relation endpoint of a component kind.</summary>
public sealed record EndpointView(string Name, string Role, string Interface, bool Required, int? Limit, string Description);

/// <summary>A relation as <c>component:endpoint</c> strings, e.g. <c>airbyte:db</c> → <c>postgresql:database</c>.</summary>
public sealed record BlueprintRelationView(string Requirer, string Provider, string Interface);

/// <summary><c>/api/v1/blueprints</c>: what stacks can be made of.</summary>
internal static class BlueprintsEndpoints
{
    public static RouteGroupBuilder MapBlueprints(this RouteGroupBuilder api)
    {
        var blueprints = api.MapGroup("/blueprints").WithTags("Blueprints");

        blueprints.MapGet("/", (ComponentCatalog catalog) => TypedResults.Ok(BlueprintCatalog.All.Select(b => View(b, catalog)).ToList()))
            .WithName("ListBlueprints")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("Every blueprint with its components and relations.");

        blueprints.MapGet("/{name}", (string name, ComponentCatalog catalog) =>
                BlueprintCatalog.TryGet(name, out var blueprint)
                    ? TypedResults.Ok(View(blueprint, catalog))
                    : ApiResults.NotFound($"There is no blueprint named {name}; the blueprints are {string.Join(", ", BlueprintCatalog.All.Select(b => b.Name))}."))
            .WithName("GetBlueprint")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("A blueprint with its components (kinds, endpoints) and relations.")
            .Produces<BlueprintView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }

    private static BlueprintView View(Blueprint blueprint, ComponentCatalog catalog) => new(
        blueprint.Name,
        blueprint.Description,
        blueprint.Components.Select(c =>
        {
            var kind = catalog.Get(c.Kind);
            return new BlueprintComponentView(
                c.Name,
                c.Kind,
                kind.Summary,
                kind.Endpoints.Select(e => new EndpointView(e.Name, e.Role.ToString(), e.Interface, e.Required, e.Limit, e.Description)).ToList());
        }).ToList(),
        blueprint.Relations.Select(r => new BlueprintRelationView(r.Requirer.ToString(), r.Provider.ToString(), r.Interface)).ToList());
}
