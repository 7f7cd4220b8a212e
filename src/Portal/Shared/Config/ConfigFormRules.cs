using System.Security.Cryptography;
using Portal.Domain.Catalog;
using Portal.Domain.Values;

namespace Portal.Shared.Config;

/// <summary>The checks a config form runs as the operator types: each value through the Domain's parser for its option type, and
/// required options (plain or conditional) against the values and defaults; also the values the portal can generate.</summary>
/// <remarks>Rules that span options of several components (routes, relations, derived names) or the stored stack are the stack
/// service's business; it reports them when the draft is validated and the form shows them next to their fields.</remarks>
public static class ConfigFormRules
{
    /// <summary>What the option would be set to: the value given, else its default; empty when neither.</summary>
    public static string Shown(ConfigOptionDefinition option, IReadOnlyDictionary<string, string?> values) =>
        values.TryGetValue(option.Name, out var value) && value is not null ? value : option.Secret ? "" : option.Default ?? "";

    /// <summary>The options whose value does not parse, with the Domain's messages (a missing required value is not one of them).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> CheckValues(
        ComponentKind kind, IReadOnlyDictionary<string, string?> values, DateTimeOffset now)
    {
        var errors = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var option in kind.Options)
        {
            if (values.TryGetValue(option.Name, out var text) && text is not null
                && OptionValueParser.Parse(option, text, now) is { IsSuccess: false } parsed)
            {
                errors[option.Name] = parsed.Errors.Select(e => e.Message).ToList();
            }
        }

        return errors;
    }

    /// <summary>Every option of <paramref name="kind"/> that is wrong, with its messages; an option missing from the answer is fine.</summary>
    /// <param name="values">The values the operator gave, as typed; an option left out takes its default.</param>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Check(
        ComponentKind kind, IReadOnlyDictionary<string, string?> values, DateTimeOffset now)
    {
        var errors = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var effective = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var option in kind.Options)
        {
            if (!values.TryGetValue(option.Name, out var text) || text is null)
            {
                effective[option.Name] = option.Default;
                continue;
            }

            var parsed = OptionValueParser.Parse(option, text, now);
            if (parsed.IsSuccess)
            {
                // Null means "not given": the default (or the generator) applies.
                effective[option.Name] = parsed.Value ?? option.Default;
            }
            else
            {
                errors[option.Name] = parsed.Errors.Select(e => e.Message).ToList();
            }
        }

        foreach (var option in kind.Options)
        {
            if (option.Generated || errors.ContainsKey(option.Name) || !string.IsNullOrEmpty(effective.GetValueOrDefault(option.Name)))
            {
                continue;
            }

            var what = option.Description.TrimEnd('.');
            if (option.Required)
            {
                errors[option.Name] = [$"{option.Name} is required ({what})."];
            }
            else if (option.RequiredWhen is { } condition && Holds(condition, effective))
            {
                errors[option.Name] = [$"{option.Name} is required when {condition} ({what})."];
            }
        }

        return errors;
    }

    /// <summary>Whether the form should mark the option as needed: always, or because its condition holds now.</summary>
    public static bool IsRequired(ConfigOptionDefinition option, ComponentKind kind, IReadOnlyDictionary<string, string?> values) =>
        !option.Generated && (option.Required
            || (option.RequiredWhen is { } condition && kind.FindOption(condition.Option) is { } other
                && condition.Values.Contains(EffectiveOf(other, values), StringComparer.OrdinalIgnoreCase)));

    /// <summary>Whether the portal can make up a value for this secret (the operator may still give one).</summary>
    public static bool CanGenerate(ConfigOptionDefinition option) => option.Secret && option.Generated;

    /// <summary>A fresh random value that passes the option's own checks: base64url bytes of the largest accepted length for a
    /// key (a cookie secret), else letters and digits as long as the catalog's generator makes them.</summary>
    public static string Generate(ComponentKind kind, ConfigOptionDefinition option)
    {
        if (option.AllowedByteLengths.Count > 0)
        {
            return Convert.ToBase64String(RandomNumberGenerator.GetBytes(option.AllowedByteLengths.Max()))
                .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        }

        var length = Math.Max(option.MinimumLength ?? 0, kind.FindSecret(option.Name)?.GeneratedLength ?? 32);
        return RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", length);
    }

    private static string EffectiveOf(ConfigOptionDefinition option, IReadOnlyDictionary<string, string?> values) =>
        values.TryGetValue(option.Name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : option.Default ?? "";

    private static bool Holds(OptionCondition condition, Dictionary<string, string?> effective) =>
        effective.GetValueOrDefault(condition.Option) is { } value && condition.Values.Contains(value, StringComparer.Ordinal);
}
