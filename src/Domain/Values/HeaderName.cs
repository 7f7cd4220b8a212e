using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>An HTTP header field name: an RFC 7230 token (letters, digits and <c>!#$%&amp;'*+-.^_`|~</c>), at most 256 characters.</summary>
public sealed record HeaderName
{
    public const int MaxLength = 256;
    private const string TokenSymbols = "!#$%&'*+-.^_`|~";

    private HeaderName(string value) => Value = value;

    /// <summary>The name as given (header names are case-insensitive; the spelling is kept for display).</summary>
    public string Value { get; }

    /// <summary>True when the name has an underscore, which nginx drops by default (<c>underscores_in_headers off</c>).</summary>
    public bool HasUnderscore => Value.Contains('_', StringComparison.Ordinal);

    public static Result<HeaderName> TryCreate(string? text)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return Errors.Fail<HeaderName>("A header name is needed, such as X-Hub-Signature-256.");
        }

        var quoted = Show.QuoteStart(value);
        var messages = new List<string>();
        if (value.EndsWith(':'))
        {
            messages.Add($"{quoted} ends with ':'; give the header name alone, without the colon.");
        }
        else
        {
            var bad = value.Where(c => !(char.IsAsciiLetterOrDigit(c) || TokenSymbols.Contains(c, StringComparison.Ordinal))).ToList();
            if (bad.Count > 0)
            {
                messages.Add($"{quoted} contains {Show.Chars(bad)}; a header name has only letters, digits and !#$%&'*+-.^_`|~.");
            }
        }

        if (value.Length > MaxLength)
        {
            messages.Add($"{quoted} is {value.Length} characters long; a header name has at most {MaxLength}.");
        }

        return Errors.Finish(messages, () => new HeaderName(value));
    }

    public bool Equals(HeaderName? other) => other is not null && string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(Value);

    public override string ToString() => Value;
}
