using Portal.Domain.Catalog;
using Portal.Provisioning.Stacks;

namespace Portal.Features.Stacks;

/// <summary>The edit page's model: per component, the options as stored and as the operator has them now (in the shape
/// <c>ComponentConfigForm</c> edits: only what is set, secrets only when typed), and the command of the changed ones.</summary>
public sealed class ConfigEdits
{
    private readonly Dictionary<string, IReadOnlyDictionary<string, string?>> _stored = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyDictionary<string, string?>> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ComponentKind> _kinds = new(StringComparer.Ordinal);

    public ConfigEdits(StackView view, ComponentCatalog catalog)
    {
        foreach (var component in view.Components)
        {
            if (!catalog.TryGet(component.Kind, out var kind))
            {
                continue;
            }

            // Secret options arrive masked: the form starts them empty, which means "keep the value the cluster holds".
            var stored = component.Config
                .Where(p => kind.FindOption(p.Key) is { Secret: false })
                .ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal);
            _kinds[component.Name] = kind;
            _stored[component.Name] = stored;
            _values[component.Name] = stored;
            SecretsSet[component.Name] = component.Config.Keys.Where(o => kind.FindOption(o) is { Secret: true }).Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Per component, the secret options the cluster holds a value for.</summary>
    public Dictionary<string, IReadOnlyList<string>> SecretsSet { get; } = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string?> ValuesOf(string component) =>
        _values.TryGetValue(component, out var values) ? values : new Dictionary<string, string?>();

    public void Set(string component, IReadOnlyDictionary<string, string?> values) => _values[component] = values;

    /// <summary>Option → new value (null: back to the default) of every option that differs from what is stored.</summary>
    public IReadOnlyDictionary<string, string?> ChangesOf(string component)
    {
        var changes = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (!_kinds.TryGetValue(component, out var kind))
        {
            return changes;
        }

        var stored = _stored[component];
        var now = _values[component];
        foreach (var option in kind.Options)
        {
            now.TryGetValue(option.Name, out var value);
            if (option.Secret)
            {
                if (!string.IsNullOrEmpty(value))
                {
                    changes[option.Name] = value;
                }

                continue;
            }

            // An emptied field means "not set": the explicit value goes and the default applies again.
            stored.TryGetValue(option.Name, out var before);
            value = string.IsNullOrEmpty(value) ? null : value;
            before = string.IsNullOrEmpty(before) ? null : before;
            if (value != before)
            {
                changes[option.Name] = value;
            }
        }

        return changes;
    }

    public int ChangedCount => _kinds.Keys.Sum(c => ChangesOf(c).Count);

    /// <summary>The changed options as a command, nothing else: untouched options and empty secret fields are left out.</summary>
    public UpdateStackCommand Command(string? reason) => new(
        _kinds.Keys
            .Select(c => (Component: c, Changes: ChangesOf(c)))
            .Where(c => c.Changes.Count > 0)
            .ToDictionary(c => c.Component, c => c.Changes, StringComparer.Ordinal),
        string.IsNullOrWhiteSpace(reason) ? null : reason.Trim());

    /// <summary>The options of a component that cannot change once deployed.</summary>
    public IReadOnlySet<string> Immutable(string component) =>
        _kinds.TryGetValue(component, out var kind)
            ? kind.Options.Where(o => o.ImmutableAfterDeploy).Select(o => o.Name).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
}
