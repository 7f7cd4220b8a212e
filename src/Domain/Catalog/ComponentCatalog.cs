using Portal.Domain.Catalog.Kinds;

namespace Portal.Domain.Catalog;

/// <summary>Every component kind the portal knows, by name.</summary>
public sealed class ComponentCatalog
{
    private readonly Dictionary<string, ComponentKind> _kinds;

    public ComponentCatalog(IEnumerable<ComponentKind> kinds)
    {
        _kinds = kinds.ToDictionary(k => k.Name, StringComparer.Ordinal);
    }

    /// <summary>The kinds of the Charmed Airbyte stack (COMPONENTS.md §2).</summary>
    public static ComponentCatalog Default { get; } = new(
    [
        AirbyteKind.Create(),
        TemporalKind.Create(),
        TemporalAdminKind.Create(),
        AirbyteWebhooksKind.Create(),
        OAuth2ProxyKind.Create(),
        NginxIngressKind.Create(),
        LegoKind.Create(),
        MinioKind.Create(),
        PostgresqlKind.Create(),
    ]);

    public IReadOnlyCollection<ComponentKind> Kinds => _kinds.Values;

    public bool TryGet(string name, out ComponentKind kind) => _kinds.TryGetValue(name, out kind!);

    public ComponentKind Get(string name) =>
        _kinds.TryGetValue(name, out var kind) ? kind : throw new KeyNotFoundException($"No component kind '{name}'.");
}
