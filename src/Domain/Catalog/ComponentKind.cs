using Portal.Domain.Status;

namespace Portal.Domain.Catalog;

/// <summary>A status message a kind shows, and when (mirrors the charm's messages).</summary>
public sealed record StatusMessageDefinition(ComponentStatus Status, string Message, string When);

/// <summary>A kind of component: its endpoints, config schema, owned secrets, workloads and status messages.</summary>
public sealed record ComponentKind
{
    public required string Name { get; init; }

    /// <summary>One line on what it is, in the operator's words.</summary>
    public required string Summary { get; init; }

    /// <summary>The Material icon name the UI uses for this kind.</summary>
    public required string Icon { get; init; }

    public required IReadOnlyList<EndpointDefinition> Endpoints { get; init; }

    public required IReadOnlyList<ConfigOptionDefinition> Options { get; init; }

    public IReadOnlyList<SecretDefinition> Secrets { get; init; } = [];

    public IReadOnlyList<WorkloadDefinition> Workloads { get; init; } = [];

    public IReadOnlyList<StatusMessageDefinition> StatusMessages { get; init; } = [];

    public EndpointDefinition? FindEndpoint(string name) => Endpoints.FirstOrDefault(e => e.Name == name);

    public ConfigOptionDefinition? FindOption(string name) => Options.FirstOrDefault(o => o.Name == name);

    public SecretDefinition? FindSecret(string name) => Secrets.FirstOrDefault(s => s.Name == name);

    public override string ToString() => Name;
}
