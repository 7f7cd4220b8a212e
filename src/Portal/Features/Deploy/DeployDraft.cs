using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Provisioning.Stacks;

namespace Portal.Features.Deploy;

/// <summary>The stack the deploy wizard is putting together, for one circuit: target, blueprint, every component's config and
/// the reason. Secrets live only here, in the circuit's memory; <see cref="ToSnapshot"/> leaves them out.</summary>
public sealed class DeployDraft(ComponentCatalog catalog)
{
    public string Name { get; set; } = "";

    public string? Cluster { get; set; }

    /// <summary>The namespace typed; null while it follows the stack name.</summary>
    public string? Namespace { get; set; }

    public string Namespaced => Namespace ?? Name;

    public string Blueprint { get; set; } = BlueprintCatalog.CharmedAirbyteName;

    /// <summary>Component → option → value as typed; options left out take their defaults.</summary>
    public Dictionary<string, IReadOnlyDictionary<string, string?>> Config { get; } = new(StringComparer.Ordinal);

    public string Reason { get; set; } = "";

    /// <summary>The furthest step (0-based) the operator has reached with every step before it valid.</summary>
    public int Reached { get; set; }

    /// <summary>True once the draft was filled from the browser's session after a reload.</summary>
    public bool Restored { get; private set; }

    public IReadOnlyDictionary<string, string?> ValuesOf(string component) =>
        Config.TryGetValue(component, out var values) ? values : new Dictionary<string, string?>();

    public CreateStackCommand ToCommand() => new(
        Name.Trim(),
        Blueprint,
        Cluster,
        Namespaced.Trim(),
        Config.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        null,
        string.IsNullOrWhiteSpace(Reason) ? null : Reason.Trim());

    /// <summary>Everything typed except the values of secret options, for the browser's session storage.</summary>
    public DeployDraftSnapshot ToSnapshot()
    {
        var kinds = BlueprintCatalog.TryGet(Blueprint, out var blueprint)
            ? blueprint.Components.ToDictionary(c => c.Name, c => c.Kind, StringComparer.Ordinal)
            : [];
        var config = new Dictionary<string, Dictionary<string, string?>>(StringComparer.Ordinal);
        foreach (var (component, values) in Config)
        {
            // A component the catalog cannot describe might hide a secret: keep none of it.
            if (!kinds.TryGetValue(component, out var kindName) || !catalog.TryGet(kindName, out var kind))
            {
                continue;
            }

            config[component] = values
                .Where(p => kind.FindOption(p.Key) is { Secret: false })
                .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }

        return new DeployDraftSnapshot(Name, Cluster, Namespace, Blueprint, config, Reason, Reached);
    }

    /// <summary>Takes back what a snapshot holds (after a reload of the page).</summary>
    public void Restore(DeployDraftSnapshot snapshot)
    {
        Name = snapshot.Name ?? "";
        Cluster = snapshot.Cluster;
        Namespace = snapshot.Namespace;
        Blueprint = snapshot.Blueprint ?? BlueprintCatalog.CharmedAirbyteName;
        Reason = snapshot.Reason ?? "";
        Reached = snapshot.Reached;
        Config.Clear();
        foreach (var (component, values) in snapshot.Config ?? [])
        {
            Config[component] = values;
        }

        Restored = true;
    }

    /// <summary>Starts over (after a deploy).</summary>
    public void Clear()
    {
        Name = "";
        Cluster = null;
        Namespace = null;
        Blueprint = BlueprintCatalog.CharmedAirbyteName;
        Reason = "";
        Reached = 0;
        Config.Clear();
    }
}

/// <summary>What the browser keeps of a draft across a reload: never a secret's value.</summary>
public sealed record DeployDraftSnapshot(
    string? Name,
    string? Cluster,
    string? Namespace,
    string? Blueprint,
    Dictionary<string, Dictionary<string, string?>>? Config,
    string? Reason,
    int Reached);
