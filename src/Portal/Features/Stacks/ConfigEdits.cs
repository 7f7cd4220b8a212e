using Portal.Domain.Catalog;
using Portal.Provisioning.Stacks;

namespace Portal.Features.Stacks;

/// <summary>One option on the edit page: what the stack has now and what the operator typed.</summary>
/// <remarks>A non-secret field starts with the option's effective value (the explicit one, else the default); emptied, it
/// removes the explicit value so the default applies again. A secret field starts empty: empty means "keep the value the cluster
/// holds", anything typed replaces it.</remarks>
public sealed class OptionEdit(string component, ConfigOptionDefinition definition, string? original, bool secretSet)
{
    public string Component { get; } = component;

    public ConfigOptionDefinition Definition { get; } = definition;

    /// <summary>The explicit value stored for the stack; null when the default applies (always null for a secret).</summary>
    public string? Original { get; } = original;

    /// <summary>For a secret: the cluster holds a value for it.</summary>
    public bool SecretSet { get; } = secretSet;

    public string Value { get; set; } = definition.Secret ? "" : original ?? definition.Default ?? "";

    public string Path => $"{Component}.{Definition.Name}";

    public bool Changed => Definition.Secret
        ? Value.Length > 0
        : Value.Length == 0 ? Original is not null : Value != (Original ?? Definition.Default ?? "");

    /// <summary>What the command carries: the new text, or null to remove the explicit value.</summary>
    public string? CommandValue => Value.Length == 0 ? null : Value;
}

/// <summary>The edit page's model: every option of every component, and the command made of the changed ones only.</summary>
public static class ConfigEdits
{
    public static IReadOnlyList<OptionEdit> From(ComponentView component, ComponentCatalog catalog)
    {
        if (!catalog.TryGet(component.Kind, out var kind))
        {
            return [];
        }

        return kind.Options.Select(option =>
        {
            component.Config.TryGetValue(option.Name, out var stored);
            return option.Secret
                ? new OptionEdit(component.Name, option, null, secretSet: stored is not null)
                : new OptionEdit(component.Name, option, stored, secretSet: false);
        }).ToList();
    }

    /// <summary>The changed options as a command, nothing else: untouched options and empty secret fields are left out.</summary>
    public static UpdateStackCommand Command(IEnumerable<OptionEdit> edits, string? reason) => new(
        edits.Where(e => e.Changed)
            .GroupBy(e => e.Component, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyDictionary<string, string?>)g.ToDictionary(e => e.Definition.Name, e => e.CommandValue, StringComparer.Ordinal),
                StringComparer.Ordinal),
        string.IsNullOrWhiteSpace(reason) ? null : reason.Trim());
}
