using Microsoft.AspNetCore.Components;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Topology;
using Portal.Shared.Topology;

namespace Portal.Features.Blueprints;

/// <summary>What a blueprint deploys: its components, what the operator must set, and its relations.</summary>
public sealed partial class BlueprintPage
{
    private Blueprint? _blueprint;
    private IReadOnlyList<ComponentRow> _components = [];
    private GraphLayout? _layout;
    private Dictionary<string, DiagramNode> _nodes = [];
    private Dictionary<string, DiagramEdge> _edges = [];

    [Parameter, EditorRequired]
    public required string Name { get; set; }

    protected override void OnParametersSet()
    {
        _blueprint = BlueprintCatalog.TryGet(Name, out var blueprint) ? blueprint : null;
        _components = _blueprint?.Components.Select(ToRow).ToList() ?? [];
        if (_blueprint is not null)
        {
            _layout = TopologyLayout.ForBlueprint(_blueprint, ComponentCatalog.Default);
            _nodes = _blueprint.Components.ToDictionary(c => c.Name, c => new DiagramNode(c.Kind, "kind")
            {
                Icon = KindIcons.Material(ComponentCatalog.Default.TryGet(c.Kind, out var kind) ? kind.Icon : null),
            });
            _edges = _blueprint.Relations.ToDictionary(r => r.Key, r => new DiagramEdge(r.Interface, ""));
        }
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
