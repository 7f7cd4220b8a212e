using Portal.Domain.Blueprints;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Tests.Drafts;

/// <summary>Drafts of the Charmed Airbyte blueprint as the wizard sends them: option values as the operator typed them.</summary>
internal static class DraftCommands
{
    public const string ClientSecret = "wizard-Client-secret-Qx71z";
    public const string AdminPassword = "wizard-Admin-pass-Lm38k";
    public const string PluginCredentials = "DNS_TOKEN=wizard-Dns-token-Hv02p";

    /// <summary>Every secret value the drafts carry, to assert none leaks.</summary>
    public static readonly string[] Secrets = [ClientSecret, AdminPassword, "wizard-Dns-token-Hv02p"];

    public static CreateStackCommand Valid(
        string name = "draft", string? @namespace = null, Action<Dictionary<string, Dictionary<string, string?>>>? configure = null)
    {
        var config = new Dictionary<string, Dictionary<string, string?>>(StringComparer.Ordinal)
        {
            ["airbyte"] = new() { ["external-hostname"] = $"{name}.example.com" },
            ["airbyte-webhooks"] = new() { ["external-hostname"] = $"hooks-{name}.example.com", ["image"] = "registry.example.com/airbyte-webhooks:1.0" },
            ["oauth2-proxy"] = new() { ["provider"] = "github", ["client-id"] = "portal-client", ["client-secret"] = ClientSecret },
            ["lego"] = new() { ["email"] = "ops@example.com", ["plugin"] = "cloudflare", ["plugin-credentials"] = PluginCredentials },
            ["postgresql"] = new()
            {
                ["mode"] = "external", ["host"] = "db.example.com", ["port"] = "5432", ["sslmode"] = "require",
                ["admin-username"] = "portal_admin", ["admin-password"] = AdminPassword,
            },
        };
        configure?.Invoke(config);
        return new CreateStackCommand(
            name,
            BlueprintCatalog.CharmedAirbyte.Name,
            DraftHarness.ClusterName,
            @namespace,
            config.ToDictionary(c => c.Key, c => (IReadOnlyDictionary<string, string?>)c.Value, StringComparer.Ordinal),
            null);
    }
}
