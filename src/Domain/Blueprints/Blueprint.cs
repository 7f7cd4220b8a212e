namespace Portal.Domain.Blueprints;

/// <summary>A component of a blueprint: its name in the stack and its kind.</summary>
public sealed record BlueprintComponent(string Name, string Kind);

/// <summary>A named set of components and relations a stack is created from (like a Juju bundle).</summary>
public sealed record Blueprint(
    string Name,
    string Description,
    IReadOnlyList<BlueprintComponent> Components,
    IReadOnlyList<RelationSpec> Relations)
{
    public BlueprintComponent? FindComponent(string name) => Components.FirstOrDefault(c => c.Name == name);
}
