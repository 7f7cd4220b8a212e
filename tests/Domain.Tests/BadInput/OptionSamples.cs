using CsCheck;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Tests.TestData;

namespace Portal.Domain.Tests.BadInput;

/// <summary>Valid values of every option type, and generators of values for an option: valid, near-misses of valid, hostile,
/// of the wrong type, or left out.</summary>
internal static class OptionSamples
{
    /// <summary>Every component of the blueprint with every option of its kind: each kind of the catalog is in the blueprint.</summary>
    public static IReadOnlyList<(string Component, ConfigOptionDefinition Option)> AllOptions { get; } =
        BlueprintCatalog.CharmedAirbyte.Components
            .SelectMany(c => ComponentCatalog.Default.Get(c.Kind).Options.Select(o => (c.Name, o)))
            .ToList();

    public static string[] Valid(ConfigOptionDefinition option)
    {
        string[] samples = option.Type switch
        {
            OptionType.String when option.AllowedByteLengths.Count > 0 => ["0123456789abcdef0123456789abcdef", "c2VjcmV0LWNvb2tpZS0xNmI"],
            OptionType.String when option.MinimumLength is { } minimum => [new string('s', minimum) + "-Zq81xw"],
            OptionType.String => ["portal_admin", "Iv1.0123456789abcdef", "http-01"],
            OptionType.Integer => [option.Minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "1", "2", "8"],
            OptionType.Boolean => ["true", "false"],
            OptionType.Enum => [.. option.AllowedValues],
            OptionType.Hostname => option.AllowWildcard ? ["airbyte.example.com", "*.example.com", "bücher.example"] : ["airbyte.example.com", "bücher.example"],
            OptionType.Host => ["db.example.com", "10.0.0.5", "postgres"],
            OptionType.Port => ["5432", "1", "65535"],
            OptionType.CidrList => ["10.0.0.0/8", "10.0.0.0/8,192.168.0.0/16", "2001:db8::/32"],
            OptionType.Duration => ["60s", "5m", "1h30m"],
            OptionType.Email => ["ops@example.com"],
            OptionType.EmailList => ["a@example.com,b@example.com"],
            OptionType.DomainList => ["example.com", "*"],
            OptionType.Url => ["https://auth.example.com/realms/x", "https://acme.example.com/directory"],
            OptionType.Image => ["registry.example.com/x:1.0", "nginx", "ghcr.io/o/r@sha256:" + new string('a', 64)],
            OptionType.Quantity => ["1Gi", "500m", "10"],
            OptionType.Name => ["my-bucket", "airbyte-logs"],
            OptionType.Pem => [TestCertificates.Root.Pem],
            OptionType.Path => ["/oauth2", "/"],
            OptionType.HeaderName => ["X-Forwarded-User"],
            OptionType.Text => ["--flag=1\n--other=2", "KEY=value"],
            _ => ["value"],
        };
        return option.Default is { Length: > 0 } value ? [value, .. samples] : samples;
    }

    /// <summary>A value for the option: mostly hostile, some valid, some left out (null).</summary>
    public static Gen<string?> For(ConfigOptionDefinition option)
    {
        var valid = Valid(option);
        return Gen.Frequency<string?>(
            (2, Gen.OneOf(valid).Select(v => (string?)v)),
            (7, HostileText.Any(valid).Select(v => (string?)v)),
            (1, Gen.Const((string?)null)));
    }
}
