using Portal.Domain.Blueprints;
using Portal.Domain.Stacks;

namespace Portal.Provisioning.Tests;

/// <summary>Validated-looking stacks built directly, for tests below the validator.</summary>
internal static class TestStacks
{
    public const string AdminPassword = "admin-Pa55word-never-rendered";
    public const string ClientSecret = "client-secret-never-rendered";

    public static StackSpec Minimal(string name = "prod", string @namespace = "airbyte-prod", Action<Dictionary<string, Dictionary<string, string>>>? configure = null)
    {
        var config = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal)
        {
            ["airbyte"] = new() { ["external-hostname"] = "airbyte.example.com" },
            ["airbyte-webhooks"] = new() { ["external-hostname"] = "hooks.example.com", ["image"] = "registry.example.com/airbyte-webhooks:1.0" },
            ["oauth2-proxy"] = new() { ["provider"] = "github", ["client-id"] = "portal-client", ["client-secret"] = ClientSecret },
            ["lego"] = new() { ["email"] = "ops@example.com", ["issuer"] = "internal-ca" },
            ["postgresql"] = new()
            {
                ["mode"] = "external", ["host"] = "db.example.com", ["port"] = "5432", ["sslmode"] = "require",
                ["admin-username"] = "portal_admin", ["admin-password"] = AdminPassword,
            },
        };
        configure?.Invoke(config);

        var blueprint = BlueprintCatalog.CharmedAirbyte;
        return new StackSpec(
            name,
            blueprint.Name,
            "sandbox",
            @namespace,
            blueprint.Components
                .Select(c => new ComponentSpec(c.Name, c.Kind, config.TryGetValue(c.Name, out var options) ? options : new Dictionary<string, string>()))
                .ToList(),
            blueprint.Relations);
    }
}
