using System.Globalization;

namespace Portal.Domain.Status;

/// <summary>The status of a whole stack: the worst component status, counts, every component and every relation.</summary>
public sealed record StackStatus(
    string Stack,
    ComponentStatus Status,
    IReadOnlyList<ComponentState> Components,
    IReadOnlyList<RelationState> Relations)
{
    /// <summary>How many components have each status (statuses with none are left out).</summary>
    public IReadOnlyDictionary<ComponentStatus, int> Counts =>
        Components.GroupBy(c => c.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>How many relations have each status (statuses with none are left out).</summary>
    public IReadOnlyDictionary<RelationStatus, int> RelationCounts =>
        Relations.GroupBy(r => r.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>One line: "10 components: 8 active, 1 waiting, 1 error".</summary>
    public string Message =>
        $"{TimeText.Plural(Components.Count, "component")}: "
        + string.Join(", ", Counts.Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Value} {pair.Key.ToString().ToLowerInvariant()}")));

    public bool IsActive => Status == ComponentStatus.Active;

    public ComponentState? FindComponent(string name) => Components.FirstOrDefault(c => c.Component == name);

    public ComponentState Component(string name) =>
        FindComponent(name) ?? throw new KeyNotFoundException($"Stack '{Stack}' has no component '{name}'.");

    public RelationState? FindRelation(string key) => Relations.FirstOrDefault(r => r.Key == key);

    /// <summary>The relations this component requires (it is the requirer).</summary>
    public IEnumerable<RelationState> RequiredBy(string component) => Relations.Where(r => r.Relation.Requirer.Component == component);

    /// <summary>The worst of several component statuses (active when there are none).</summary>
    public static ComponentStatus Worst(IEnumerable<ComponentStatus> statuses) => statuses.DefaultIfEmpty(ComponentStatus.Active).Max();
}
