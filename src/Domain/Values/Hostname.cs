using System.Globalization;
using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>A DNS hostname, kept in its ASCII form: lower case, internationalised labels in punycode
/// (<c>bücher.example</c> becomes <c>xn--bcher-kva.example</c>), no trailing dot.</summary>
public sealed record Hostname
{
    public const int MaxLength = 253;
    public const int MaxLabelLength = 63;

    // IdnMapping promises thread safety for static members only, so each use gets its own (cheap) instance.
    private static IdnMapping Idn => new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    private Hostname(string value) => Value = value;

    /// <summary>The ASCII (punycode) form, e.g. <c>xn--bcher-kva.example</c>.</summary>
    public string Value { get; }

    /// <summary>True for <c>*.example.com</c>.</summary>
    public bool IsWildcard => Value.StartsWith("*.", StringComparison.Ordinal);

    /// <summary>The form a person reads, e.g. <c>bücher.example</c>.</summary>
    public string Unicode => IsWildcard ? "*." + Idn.GetUnicode(Value[2..]) : Idn.GetUnicode(Value);

    /// <summary>Parses a hostname.</summary>
    /// <param name="allowWildcard">Accept <c>*.example.com</c> (a <c>*</c> as the whole leftmost label only).</param>
    /// <param name="allowSingleLabel">Accept names without a dot, such as <c>postgres</c> (in-cluster service names);
    /// public hostnames need a domain.</param>
    public static Result<Hostname> TryCreate(string? text, bool allowWildcard = false, bool allowSingleLabel = false)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return Errors.Fail<Hostname>("A hostname is needed, such as airbyte.example.com.");
        }

        var quoted = Show.QuoteStart(value);
        if (ShapeError(value) is { } shape)
        {
            return Errors.Fail<Hostname>($"{quoted} {shape}");
        }

        if ((IpText.LooksLikeIPv4(value) && IpText.TryParseIPv4(value, out _, out _)) || IpText.LooksLikeIPv6(value))
        {
            return Errors.Fail<Hostname>($"{quoted} is an IP address; a hostname such as airbyte.example.com is needed here.");
        }

        // IDNA treats the ideographic and full-width full stops as dots; a single trailing dot marks a fully qualified name.
        var normalised = value.Replace('\u3002', '.').Replace('\uFF0E', '.').Replace('\uFF61', '.');
        if (normalised.Length > 1 && normalised.EndsWith('.'))
        {
            normalised = normalised[..^1];
        }

        var labels = normalised.Split('.');
        var messages = new List<string>();
        var ascii = new List<string>(labels.Length);
        for (var i = 0; i < labels.Length && !Errors.Enough(messages); i++)
        {
            var label = ParseLabel(labels[i], i, labels.Length, allowWildcard, quoted, messages);
            ascii.Add(label ?? "");
        }

        if (messages.Count == 0)
        {
            CheckWhole(ascii, allowSingleLabel, quoted, messages);
        }

        return Errors.Finish(messages, () => new Hostname(string.Join('.', ascii)));
    }

    /// <summary>Whether a certificate name (a SAN dNSName or CN, possibly <c>*.example.com</c>) covers this hostname.</summary>
    /// <remarks>RFC 6125 as browsers apply it: a wildcard is the whole leftmost label and stands for exactly one label.</remarks>
    public bool IsCoveredBy(string certificateName)
    {
        var pattern = certificateName.Trim().TrimEnd('.').ToLowerInvariant();
        if (pattern.Any(c => c > 127))
        {
            try
            {
                pattern = pattern.StartsWith("*.", StringComparison.Ordinal) ? "*." + Idn.GetAscii(pattern[2..]) : Idn.GetAscii(pattern);
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        if (pattern == Value)
        {
            return true;
        }

        if (!pattern.StartsWith("*.", StringComparison.Ordinal) || IsWildcard)
        {
            return false;
        }

        var dot = Value.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && Value[(dot + 1)..] == pattern[2..] && pattern[2..].Contains('.', StringComparison.Ordinal);
    }

    public override string ToString() => Value;

    /// <summary>Mistakes that make the rest of the checks meaningless: a URL, a path, a port, spaces.</summary>
    private static string? ShapeError(string value)
    {
        if (value.Contains("://", StringComparison.Ordinal))
        {
            var host = value[(value.IndexOf("://", StringComparison.Ordinal) + 3)..].Split('/', '?', '#')[0];
            return $"is a URL; give only the hostname{(host.Length > 0 ? $" ({Show.Excerpt(host)})" : "")}.";
        }

        if (value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return $"contains {Show.Chars(value.Where(c => char.IsWhiteSpace(c) || char.IsControl(c)))}; a hostname has no spaces or control characters.";
        }

        if (value.Contains('/', StringComparison.Ordinal))
        {
            return "contains '/'; give only the hostname, without a path.";
        }

        if (value.Contains('@', StringComparison.Ordinal))
        {
            return "contains '@'; a hostname is expected, not an e-mail address.";
        }

        var colon = value.LastIndexOf(':');
        if (colon > 0 && value.Count(c => c == ':') == 1 && value[(colon + 1)..].All(char.IsAsciiDigit))
        {
            return "contains a port; give only the hostname, without ':port'.";
        }

        return null;
    }

    private static string? ParseLabel(string label, int index, int count, bool allowWildcard, string quoted, List<string> messages)
    {
        if (label.Length == 0)
        {
            messages.Add($"{quoted} has an empty label (two dots in a row, or a leading dot).");
            return null;
        }

        if (label.Contains('*', StringComparison.Ordinal))
        {
            if (!allowWildcard)
            {
                messages.Add($"{quoted} contains '*'; a wildcard hostname is not allowed here.");
            }
            else if (label != "*" || index != 0)
            {
                messages.Add($"{quoted} has '*' in the wrong place; a wildcard must be the whole leftmost label, as in *.example.com.");
            }
            else if (count < 3)
            {
                messages.Add($"{quoted} is too broad; a wildcard needs a domain of at least two labels after it, as in *.example.com.");
            }

            return label;
        }

        var ascii = label.ToLowerInvariant();
        if (ascii.Any(c => c > 127))
        {
            try
            {
                ascii = Idn.GetAscii(ascii);
            }
            catch (ArgumentException)
            {
                // IdnMapping only says "invalid"; when every character is fine on its own, the label is too long once encoded.
                messages.Add(IsEachRuneValid(ascii)
                    ? $"{quoted} has a label that is too long in punycode; a label has at most {MaxLabelLength} characters once encoded."
                    : $"{quoted} has a label ({Show.Quote(label)}) that is not a valid internationalised name.");
                return null;
            }

            // ICU encodes some labels it then refuses to decode (hyphens in the third and fourth place, as in bü--her): such a
            // name would be refused when the stack is next validated, so it is refused now.
            try
            {
                Idn.GetUnicode(ascii);
            }
            catch (ArgumentException)
            {
                messages.Add($"{quoted} has a label ({Show.Quote(label)}) that is not a valid internationalised name.");
                return null;
            }
        }

        var bad = ascii.Where(c => !(DnsNames.IsLowerAlnum(c) || c == '-')).ToList();
        if (bad.Count > 0)
        {
            var why = bad.Contains('_') ? " (underscores are not allowed in hostnames)" : "";
            messages.Add($"{quoted} contains {Show.Chars(bad)}; a hostname has only letters, digits, '-' and dots{why}.");
            return null;
        }

        if (ascii[0] == '-' || ascii[^1] == '-')
        {
            messages.Add($"{quoted} has a label ({Show.Quote(label)}) that starts or ends with '-'.");
        }

        if (ascii.Length > MaxLabelLength)
        {
            var shown = ascii == label ? "" : " in punycode";
            messages.Add($"{quoted} has a label that is {ascii.Length} characters long{shown}; a label has at most {MaxLabelLength}.");
        }

        if (ascii.StartsWith("xn--", StringComparison.Ordinal) && string.Equals(ascii, label, StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                Idn.GetUnicode(ascii);
            }
            catch (ArgumentException)
            {
                messages.Add($"{quoted} has a label ({Show.Quote(label)}) that starts with xn-- but is not valid punycode.");
            }
        }

        return ascii;
    }

    private static bool IsEachRuneValid(string label)
    {
        foreach (var rune in label.EnumerateRunes())
        {
            try
            {
                Idn.GetAscii(rune.ToString());
            }
            catch (ArgumentException)
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckWhole(List<string> labels, bool allowSingleLabel, string quoted, List<string> messages)
    {
        var joined = string.Join('.', labels);
        if (labels.Count == 1 && !allowSingleLabel)
        {
            messages.Add($"{quoted} has no dot; a public hostname needs a domain, such as {joined}.example.com.");
        }

        if (labels[^1].All(char.IsAsciiDigit))
        {
            messages.Add($"{quoted} ends in a label that is all digits; the last label of a hostname must contain a letter.");
        }

        if (joined.Length > MaxLength)
        {
            messages.Add($"{quoted} is {joined.Length} characters long; a hostname has at most {MaxLength}.");
        }
    }
}
