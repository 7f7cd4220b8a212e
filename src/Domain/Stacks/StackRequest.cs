namespace Portal.Domain.Stacks;

/// <summary>A relation as an operator writes it: the requirer and provider as <c>component:endpoint</c>
/// (e.g. <c>airbyte:db</c> and <c>postgresql:database</c>).</summary>
public sealed record RelationRequest(string? Requirer, string? Provider)
{
    public override string ToString() => $"{Requirer} → {Provider}";
}

/// <summary>Stack input exactly as it arrives from the API or the wizard; nothing in it has been checked.
/// <see cref="StackValidator"/> turns it into a <see cref="StackSpec"/> or lists every problem.</summary>
public sealed record StackRequest
{
    public string? Name { get; init; }

    public string? Blueprint { get; init; }

    public string? Cluster { get; init; }

    /// <summary>The Kubernetes namespace; null means "the same as the stack's name".</summary>
    public string? Namespace { get; init; }

    /// <summary>Component → option → value. A null value (or an absent option) means "not given": the default applies,
    /// and on day 2 a secret option left out keeps the value already deployed.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>>? Config { get; init; }

    /// <summary>The relations; null means the blueprint's relations.</summary>
    public IReadOnlyList<RelationRequest>? Relations { get; init; }

    /// <summary>A copy with one option set (or, with a null value, marked as not given).</summary>
    public StackRequest With(string component, string option, string? value)
    {
        var config = CopyConfig();
        if (!config.TryGetValue(component, out var options))
        {
            options = new Dictionary<string, string?>(StringComparer.Ordinal);
            config[component] = options;
        }

        options[option] = value;
        return this with { Config = Freeze(config) };
    }

    /// <summary>A copy without the option (so that its default applies).</summary>
    public StackRequest Without(string component, string option)
    {
        var config = CopyConfig();
        if (config.TryGetValue(component, out var options))
        {
            options.Remove(option);
        }

        return this with { Config = Freeze(config) };
    }

    /// <summary>A request for day-2 changes that starts from what is deployed: the spec's name, place, explicit config
    /// and relations.</summary>
    /// <remarks>A spec persisted without secrets gives a request without them, which the validator reads as "keep the
    /// deployed secret values".</remarks>
    public static StackRequest FromSpec(StackSpec spec) => new()
    {
        Name = spec.Name,
        Blueprint = spec.Blueprint,
        Cluster = spec.Cluster,
        Namespace = spec.Namespace,
        Config = spec.Components.ToDictionary(
            c => c.Name,
            c => (IReadOnlyDictionary<string, string?>)c.Config.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.Ordinal),
            StringComparer.Ordinal),
        Relations = spec.Relations.Select(r => new RelationRequest(r.Requirer.ToString(), r.Provider.ToString())).ToList(),
    };

    private Dictionary<string, Dictionary<string, string?>> CopyConfig() =>
        (Config ?? new Dictionary<string, IReadOnlyDictionary<string, string?>>()).ToDictionary(
            pair => pair.Key,
            pair => pair.Value.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            StringComparer.Ordinal);

    private static Dictionary<string, IReadOnlyDictionary<string, string?>> Freeze(Dictionary<string, Dictionary<string, string?>> config) =>
        config.ToDictionary(pair => pair.Key, pair => (IReadOnlyDictionary<string, string?>)pair.Value, StringComparer.Ordinal);
}
