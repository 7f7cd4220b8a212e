using System.Text;
using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>A DNS-1123 label: the name of a stack, component or namespace (at most 63 lowercase letters, digits and '-',
/// starting and ending with a letter or digit).</summary>
public sealed record DnsLabel
{
    public const int MaxLength = 63;

    private DnsLabel(string value) => Value = value;

    public string Value { get; }

    /// <summary>Parses a label; surrounding whitespace is ignored, anything else that is not allowed is an error.</summary>
    public static Result<DnsLabel> TryCreate(string? text)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return Errors.Fail<DnsLabel>($"A name is needed: lowercase letters, digits and '-', at most {MaxLength} characters.");
        }

        var messages = new List<string>();
        DnsNames.CheckLabel(value, MaxLength, messages, allowDots: false);
        return Errors.Finish(messages, () => new DnsLabel(value));
    }

    public override string ToString() => Value;
}

/// <summary>A DNS-1123 subdomain: a Kubernetes object name such as a Secret or IngressClass name (at most 253 characters,
/// dot-separated parts of lowercase letters, digits and '-').</summary>
public sealed record DnsSubdomain
{
    public const int MaxLength = 253;

    private DnsSubdomain(string value) => Value = value;

    public string Value { get; }

    public static Result<DnsSubdomain> TryCreate(string? text)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return Errors.Fail<DnsSubdomain>(
                $"A name is needed: lowercase letters, digits, '-' and '.', at most {MaxLength} characters.");
        }

        var messages = new List<string>();
        DnsNames.CheckLabel(value, MaxLength, messages, allowDots: true);
        return Errors.Finish(messages, () => new DnsSubdomain(value));
    }

    public override string ToString() => Value;
}

/// <summary>The character rules shared by DNS-1123 labels, subdomains and bucket names.</summary>
internal static class DnsNames
{
    public static bool IsLowerAlnum(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);

    public static void CheckLabel(string value, int maxLength, List<string> messages, bool allowDots)
    {
        var quoted = Show.QuoteStart(value);
        var allowed = allowDots ? "lowercase letters (a-z), digits, '-' and '.'" : "lowercase letters (a-z), digits and '-'";
        var suggestion = Suggest(value, maxLength, allowDots);
        var hint = suggestion is not null && suggestion != value ? $" Try '{suggestion}'." : "";

        var bad = value.Where(c => !(IsLowerAlnum(c) || c == '-' || (allowDots && c == '.'))).ToList();
        if (bad.Count > 0)
        {
            messages.Add($"{quoted} contains {Show.Chars(bad)}; only {allowed} are allowed.{hint}");
            hint = "";
        }

        if (value.Length > maxLength)
        {
            messages.Add($"{quoted} is {value.Length} characters long; at most {maxLength} are allowed.{hint}");
            hint = "";
        }

        var parts = allowDots ? value.Split('.') : [value];
        if (parts.Any(p => p.Length == 0))
        {
            messages.Add($"{quoted} has an empty part between dots (or starts or ends with a dot).{hint}");
            hint = "";
        }

        if (parts.Any(p => p.Length > 0 && (!IsLowerAlnum(p[0]) || !IsLowerAlnum(p[^1])) && p.All(c => IsLowerAlnum(c) || c == '-')))
        {
            messages.Add(allowDots
                ? $"Each dot-separated part of {Show.Quote(value)} must start and end with a letter or digit.{hint}"
                : $"{quoted} must start and end with a letter or digit.{hint}");
        }
    }

    /// <summary>A name close to the input that is valid: lower case, other characters as '-', trimmed to length.</summary>
    private static string? Suggest(string value, int maxLength, bool allowDots)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var c in value.ToLowerInvariant())
        {
            var keep = IsLowerAlnum(c) || (allowDots && c == '.');
            var next = keep ? c : '-';
            if (next == '-' && builder.Length > 0 && builder[^1] == '-')
            {
                continue;
            }

            builder.Append(next);
        }

        var result = builder.ToString().Trim('-', '.');
        if (result.Length > maxLength)
        {
            result = result[..maxLength].TrimEnd('-', '.');
        }

        return result.Length == 0 ? null : result;
    }
}
