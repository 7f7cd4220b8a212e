using Microsoft.AspNetCore.Components;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;

namespace Portal.Features.Blueprints;

/// <summary>What a blueprint deploys: its components, what the operator must set, and its relations.</summary>
public sealed partial class BlueprintPage
{
    private Blueprint? _blueprint;
    private IReadOnlyList<ComponentRow> _components = [];

    [Parameter, EditorRequired]
    public required string Name { get; set; }

    protected override void OnParametersSet()
    {
        _blueprint = BlueprintCatalog.TryGet(Name, out var blueprint) ? blueprint : null;
        _components = _blueprint?.Components.Select(ToRow).ToList() ?? [];
    }

    private static ComponentRow ToRow(BlueprintComponent component)
    {
        var kind = ComponentCatalog.Default.Get(component.Kind);
        var mustSet = kind.Options
            .Where(o => (o.Required && o.Default is null && !o.Generated) || o.RequiredWhen is not null)
            .Select(o => o.RequiredWhen is null ? o.Name : $"{o.Name} (when {o.RequiredWhen})")
            .ToList();
        return new ComponentRow(component.Name, kind, mustSet);
    }

    private sealed record ComponentRow(string Name, ComponentKind Kind, IReadOnlyList<string> MustSet);
}
