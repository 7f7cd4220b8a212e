using Portal.Domain.Blueprints;
using Portal.Domain.Stacks;

namespace Portal.Domain.Tests.Plans;

/// <summary>Stack specs built straight from the charmed-airbyte blueprint with the least config COMPONENTS.md asks for.</summary>
/// <remarks>Built by hand rather than through the validator, so these tests do not depend on validation rules.</remarks>
internal static class TestStacks
{
    public const string Name = "prod";
    public const string Namespace = "airbyte-prod";

    private static readonly Dictionary<string, Dictionary<string, string>> MinimalConfig = new()
    {
        ["airbyte"] = new() { ["external-hostname"] = "airbyte.example.com" },
        ["airbyte-webhooks"] = new() { ["external-hostname"] = "hooks.example.com", ["image"] = "registry.example.com/airbyte-webhooks:1.0" },
        ["oauth2-proxy"] = new() { ["provider"] = "github", ["client-id"] = "portal", ["client-secret"] = "not-a-real-secret" },
        ["lego"] = new() { ["email"] = "ops@example.com" },
        ["postgresql"] = new()
        {
            ["mode"] = "external",
            ["host"] = "db.example.com",
            ["port"] = "5432",
            ["sslmode"] = "require",
            ["admin-username"] = "portal_admin",
            ["admin-password"] = "not-a-real-password",
        },
    };

    /// <summary>The charmed-airbyte blueprint as a stack, with an external PostgreSQL and lego on http-01.</summary>
    public static StackSpec CharmedAirbyte()
    {
        var blueprint = BlueprintCatalog.CharmedAirbyte;
        return new StackSpec(
            Name,
            blueprint.Name,
            "sandbox",
            Namespace,
            blueprint.Components
                .Select(c => new ComponentSpec(c.Name, c.Kind, new Dictionary<string, string>(
                    MinimalConfig.TryGetValue(c.Name, out var config) ? config : [], StringComparer.Ordinal)))
                .ToList(),
            blueprint.Relations.ToList());
    }

    /// <summary>A copy with one option of one component set.</summary>
    public static StackSpec With(this StackSpec spec, string component, string option, string value) => spec with
    {
        Components = spec.Components
            .Select(c => c.Name == component
                ? c with { Config = new Dictionary<string, string>(c.Config, StringComparer.Ordinal) { [option] = value } }
                : c)
            .ToList(),
    };

    /// <summary>A copy without a component and without every relation it takes part in.</summary>
    public static StackSpec WithoutComponent(this StackSpec spec, string component) => spec with
    {
        Components = spec.Components.Where(c => c.Name != component).ToList(),
        Relations = spec.Relations.Where(r => !r.Involves(component)).ToList(),
    };

    public static StackSpec WithComponent(this StackSpec spec, string name, string kind, params (string Option, string Value)[] config) => spec with
    {
        Components = [.. spec.Components, new ComponentSpec(name, kind, config.ToDictionary(p => p.Option, p => p.Value, StringComparer.Ordinal))],
    };

    public static StackSpec WithRelation(this StackSpec spec, string requirer, string provider, string @interface) => spec with
    {
        Relations = [.. spec.Relations, RelationSpec.Of(requirer, provider, @interface)],
    };

    public static StackSpec WithoutRelation(this StackSpec spec, string requirer, string provider) => spec with
    {
        Relations = spec.Relations.Where(r => !(r.Requirer.ToString() == requirer && r.Provider.ToString() == provider)).ToList(),
    };

    /// <summary>The same stack with its components and relations listed in reverse: order must not matter to a planner.</summary>
    public static StackSpec Shuffled(this StackSpec spec) => spec with
    {
        Components = spec.Components.Reverse().ToList(),
        Relations = spec.Relations.Reverse().ToList(),
    };
}
