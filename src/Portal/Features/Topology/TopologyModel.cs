using Portal.Domain.Catalog;
using Portal.Domain.Stacks;
using Portal.Domain.Status;
using Portal.Domain.Topology;
using Portal.Provisioning.Live;
using Portal.Shared.Live;
using Portal.Shared.Status;
using Portal.Shared.Topology;

namespace Portal.Features.Topology;

/// <summary>Turns a live stack into what the diagram draws: the layout (from the spec only) and each node's and edge's status.</summary>
public static class TopologyModel
{
    /// <summary>Boxes tall enough for four lines: name, status and kind, two lines of message.</summary>
    public static LayoutOptions LayoutOptions { get; } = new() { NodeWidth = 208, NodeHeight = 84, LayerGap = 76, NodeGap = 36 };

    /// <summary>What the layout depends on: component names and kinds, and relation keys. Equal structures give equal layouts,
    /// so a status change never moves a node.</summary>
    public static string Structure(StackSpec spec) =>
        string.Join('|', spec.Components.Select(c => $"{c.Name}:{c.Kind}").Order(StringComparer.Ordinal))
        + "#" + string.Join('|', spec.Relations.Select(r => r.Key).Order(StringComparer.Ordinal));

    public static GraphLayout Layout(StackSpec spec, ComponentCatalog catalog) => TopologyLayout.ForStack(spec, catalog, LayoutOptions);

    public static Dictionary<string, DiagramNode> Nodes(LiveStack stack, ComponentCatalog catalog, PulseTracker pulses, DateTimeOffset now)
    {
        var nodes = new Dictionary<string, DiagramNode>(StringComparer.Ordinal);
        foreach (var component in stack.Spec.Components)
        {
            var state = stack.Status.FindComponent(component.Name);
            var status = state?.Status ?? ComponentStatus.Unknown;
            var icon = catalog.TryGet(component.Kind, out var kind) ? KindIcons.Material(kind.Icon) : KindIcons.Fallback;
            nodes[component.Name] = new DiagramNode(component.Kind, "")
            {
                Status = StatusStyles.Word(status),
                Tone = StatusStyles.Tone(status),
                Message = state?.Message ?? "no status yet",
                Icon = icon,
                Pulse = pulses.ClassOf(component.Name, now),
                Flag = state is { StaleSecrets.Count: > 0 } ? string.Join("; ", state.StaleSecrets.Select(s => s.Sentence)) : null,
            };
        }

        return nodes;
    }

    public static Dictionary<string, DiagramEdge> Edges(LiveStack stack, PulseTracker pulses, DateTimeOffset now)
    {
        var edges = new Dictionary<string, DiagramEdge>(StringComparer.Ordinal);
        foreach (var relation in stack.Spec.Relations)
        {
            var state = stack.Status.FindRelation(relation.Key);
            var status = state?.Status ?? RelationStatus.Unknown;
            var word = StatusStyles.Word(status);
            edges[relation.Key] = new DiagramEdge(relation.Interface, "")
            {
                Status = word,
                Tone = StatusStyles.Tone(status),
                Title = state is null || state.Message.Length == 0
                    ? $"{relation.Requirer} → {relation.Provider} ({relation.Interface}): {word}"
                    : $"{relation.Requirer} → {relation.Provider} ({relation.Interface}): {word}: {state.Message}",
                Pulse = pulses.ClassOf(relation.Key, now),
            };
        }

        return edges;
    }

    /// <summary>The component a diagnosis ends in: the deepest component of its chain (the one to open to act on the cause).</summary>
    public static string DeepestComponent(StatusDiagnosis diagnosis) =>
        diagnosis.Steps.LastOrDefault(s => s.Subject == DiagnosisSubject.Component)?.Name ?? diagnosis.Component;
}
