using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>A URL path an ingress routes, such as <c>/hooks</c>: starts with '/', segments of letters, digits and
/// <c>- _ . ~</c>, no <c>.</c> or <c>..</c> segments, no empty segments; a trailing '/' is dropped.</summary>
/// <remarks>The character set is what ingress-nginx accepts for Prefix paths under its strict path validation.</remarks>
public sealed record UrlPath
{
    public const int MaxLength = 1024;
    public const string Root = "/";

    private UrlPath(string value) => Value = value;

    public string Value { get; }

    public bool IsRoot => Value == Root;

    public static Result<UrlPath> TryCreate(string? text)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return Errors.Fail<UrlPath>("A path is needed, starting with '/', such as /hooks.");
        }

        var quoted = Show.QuoteStart(value);
        if (value.Length > MaxLength)
        {
            return Errors.Fail<UrlPath>($"{quoted} is {value.Length} characters long; a path has at most {MaxLength}.");
        }

        if (!value.StartsWith('/'))
        {
            return Errors.Fail<UrlPath>($"{quoted} does not start with '/'; a path such as /{value.TrimStart('/')} is expected.");
        }

        var messages = new List<string>();
        var bad = value.Where(c => !(char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.' or '~')).ToList();
        if (bad.Count > 0)
        {
            var why = bad.Any(c => c is '?' or '#') ? " (a path has no query or fragment)" : "";
            messages.Add($"{quoted} contains {Show.Chars(bad)}; a path may contain only letters, digits, '/', '-', '_', '.' and '~'{why}.");
        }

        var trimmed = value.Length > 1 ? value.TrimEnd('/') : value;
        if (trimmed.Length == 0)
        {
            trimmed = Root;
        }

        var segments = trimmed == Root ? [] : trimmed[1..].Split('/');
        if (segments.Any(s => s.Length == 0))
        {
            messages.Add($"{quoted} has an empty segment ('//').");
        }

        if (segments.Any(s => s is "." or ".."))
        {
            messages.Add($"{quoted} has a '.' or '..' segment; a route path must not climb or repeat directories.");
        }

        return Errors.Finish(messages, () => new UrlPath(trimmed));
    }

    /// <summary>Whether a request path falls under this prefix (segment-wise, as Kubernetes Prefix paths match).</summary>
    public bool IsPrefixOf(UrlPath other) =>
        IsRoot || other.Value == Value || other.Value.StartsWith(Value + "/", StringComparison.Ordinal);

    public override string ToString() => Value;
}
