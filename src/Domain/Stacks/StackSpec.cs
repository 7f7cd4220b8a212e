using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;

namespace Portal.Domain.Stacks;

/// <summary>A component of a stack with the config the operator gave (defaults are not copied in).</summary>
/// <remarks>Values are strings, as the operator types them (lists comma-separated), already normalised by validation
/// (e.g. an IDN hostname in punycode). Secret options hold their value only in memory on the way to the cluster:
/// persist <see cref="StackSpec.WithoutSecrets"/>.</remarks>
public sealed record ComponentSpec(string Name, string Kind, IReadOnlyDictionary<string, string> Config)
{
    /// <summary>The value of an option: the operator's, else the kind's default, else null.</summary>
    public string? Get(ComponentKind kind, string option) =>
        Config.TryGetValue(option, out var value) ? value : kind.FindOption(option)?.Default;

    /// <summary>Every option of the kind with its effective value (explicit, else default); options with neither are left out.</summary>
    public IReadOnlyDictionary<string, string> Effective(ComponentKind kind)
    {
        var effective = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in kind.Options)
        {
            if (Get(kind, option.Name) is { } value)
            {
                effective[option.Name] = value;
            }
        }

        return effective;
    }

    public bool ConfigEquals(ComponentSpec other) =>
        Config.Count == other.Config.Count
        && Config.All(pair => other.Config.TryGetValue(pair.Key, out var value) && value == pair.Value);
}

/// <summary>A validated stack: a blueprint instance in a cluster namespace with per-component config and its relations.</summary>
/// <remarks>Only <c>StackValidator</c> builds one from operator input, so a <see cref="StackSpec"/> is always valid.</remarks>
public sealed record StackSpec(
    string Name,
    string Blueprint,
    string Cluster,
    string Namespace,
    IReadOnlyList<ComponentSpec> Components,
    IReadOnlyList<RelationSpec> Relations)
{
    public ComponentSpec? FindComponent(string name) => Components.FirstOrDefault(c => c.Name == name);

    public ComponentSpec Component(string name) =>
        FindComponent(name) ?? throw new KeyNotFoundException($"Stack '{Name}' has no component '{name}'.");

    public IEnumerable<RelationSpec> RelationsOf(string component) => Relations.Where(r => r.Involves(component));

    /// <summary>A copy with every secret option removed: what may be stored in the portal database or shown.</summary>
    public StackSpec WithoutSecrets(ComponentCatalog catalog) => this with
    {
        Components = Components
            .Select(c => c with
            {
                Config = c.Config
                    .Where(pair => !(catalog.TryGet(c.Kind, out var kind) && kind.FindOption(pair.Key) is { Secret: true }))
                    .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.Ordinal),
            })
            .ToList(),
    };
}
