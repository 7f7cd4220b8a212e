using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Stacks;

namespace Portal.Domain.Tests.TestData;

/// <summary>Stack requests for tests: <see cref="Minimal"/> is the least config of COMPONENTS.md §1 that validates.</summary>
public static class StackRequests
{
    public const string Cluster = "sandbox";
    public const string Name = "airbyte-prod";

    /// <summary>Distinctive secret values, so that tests can assert they never show up in a message.</summary>
    public const string ClientSecret = "gh0-client-secret-Zq81xw";
    public const string AdminPassword = "pg-Admin-pass-7Tq2";

    public static IReadOnlyCollection<string> KnownClusters { get; } = [Cluster, "staging"];

    /// <summary>A fixed clock for validation.</summary>
    public static DateTimeOffset Now { get; } = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static StackRequest Minimal(string name = Name) => new()
    {
        Name = name,
        Blueprint = BlueprintCatalog.CharmedAirbyteName,
        Cluster = Cluster,
        Config = Config(new()
        {
            ["airbyte"] = new() { ["external-hostname"] = "airbyte.example.com" },
            ["airbyte-webhooks"] = new()
            {
                ["external-hostname"] = "hooks.example.com",
                ["image"] = "registry.example.com/airbyte-webhooks:1.0",
            },
            ["oauth2-proxy"] = new()
            {
                ["provider"] = "github",
                ["client-id"] = "Iv1.0123456789abcdef",
                ["client-secret"] = ClientSecret,
            },
            ["lego"] = new() { ["email"] = "ops@example.com" },
            ["postgresql"] = new()
            {
                ["mode"] = "external",
                ["host"] = "db.example.com",
                ["port"] = "5432",
                ["sslmode"] = "require",
                ["admin-username"] = "portal_admin",
                ["admin-password"] = AdminPassword,
            },
        }),
    };

    /// <summary>Builds the nested read-only config dictionary from a literal.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>> Config(Dictionary<string, Dictionary<string, string?>> config) =>
        config.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, string?>)p.Value, StringComparer.Ordinal);

    /// <summary>The blueprint's relations as request items, to edit in tests.</summary>
    public static List<RelationRequest> BlueprintRelations() =>
        BlueprintCatalog.CharmedAirbyte.Relations.Select(r => new RelationRequest(r.Requirer.ToString(), r.Provider.ToString())).ToList();

    public static StackRequest WithRelations(this StackRequest request, IEnumerable<RelationRequest> relations) =>
        request with { Relations = relations.ToList() };

    /// <summary>Validates with the default catalog, the known clusters and the fixed clock.</summary>
    public static Common.Result<StackSpec> Validate(this StackRequest request, StackSpec? lastApplied = null) =>
        StackValidator.Validate(request, ComponentCatalog.Default, KnownClusters, Now, lastApplied);
}

/// <summary>Validated stack specs for tests.</summary>
public static class StackSpecs
{
    /// <summary>The validated <see cref="StackRequests.Minimal"/>.</summary>
    public static StackSpec Minimal(string name = StackRequests.Name) => StackRequests.Minimal(name).Validate().Value;
}
