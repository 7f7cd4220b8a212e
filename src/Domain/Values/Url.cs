using System.Globalization;
using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>An absolute http or https URL of a server (an ACME directory, an OIDC issuer). The scheme and host are
/// normalised (lower case, punycode); the path and query are kept exactly, since issuers compare them literally.</summary>
public sealed record Url
{
    private Url(string scheme, NetworkHost host, int? port, string pathAndQuery)
    {
        Scheme = scheme;
        Host = host;
        Port = port;
        PathAndQuery = pathAndQuery;
    }

    /// <summary><c>http</c> or <c>https</c>.</summary>
    public string Scheme { get; }

    public NetworkHost Host { get; }

    /// <summary>The port when one is written in the URL.</summary>
    public int? Port { get; }

    /// <summary>Everything after the authority, as given (may be empty).</summary>
    public string PathAndQuery { get; }

    public bool IsHttps => Scheme == "https";

    public string Value =>
        $"{Scheme}://{Host.UriHost}{(Port is { } port ? ":" + port.ToString(CultureInfo.InvariantCulture) : "")}{PathAndQuery}";

    public Uri ToUri() => new(Value, UriKind.Absolute);

    /// <param name="httpsOnly">Refuse http.</param>
    /// <param name="subject">What the URL is, for messages, e.g. <c>the ACME server</c>.</param>
    public static Result<Url> TryCreate(string? text, bool httpsOnly = false, string subject = "the URL")
    {
        var value = text?.Trim() ?? "";
        var subjectStart = string.Concat(subject[..1].ToUpperInvariant(), subject[1..]);
        var expected = httpsOnly ? "https://" : "https:// or http://";
        if (value.Length == 0)
        {
            return Errors.Fail<Url>($"A URL is needed for {subject}, starting with {expected}.");
        }

        var quoted = Show.QuoteStart(value);
        if (value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return Errors.Fail<Url>($"{quoted} contains a space or control character; a URL has none (encode a space as %20).");
        }

        if (TextRules.HasLoneSurrogate(value))
        {
            return Errors.Fail<Url>($"{quoted} contains an invalid Unicode character (a lone surrogate); a URL has none.");
        }

        var separator = value.IndexOf("://", StringComparison.Ordinal);
        if (separator < 0)
        {
            return Errors.Fail<Url>($"{quoted} is not an absolute URL; it must start with {expected} (e.g. https://{value.TrimStart('/')}).");
        }

        var scheme = value[..separator].ToLowerInvariant();
        if (scheme is not ("http" or "https"))
        {
            return Errors.Fail<Url>($"{quoted} uses {Show.Quote(value[..separator])}; {subject} must start with {expected}.");
        }

        if (scheme == "http" && httpsOnly)
        {
            return Errors.Fail<Url>($"{subjectStart} must use https; {Show.Quote(value)} does not.");
        }

        var afterScheme = value[(separator + 3)..];
        var authorityEnd = afterScheme.IndexOfAny(['/', '?', '#']);
        var authority = authorityEnd < 0 ? afterScheme : afterScheme[..authorityEnd];
        var rest = authorityEnd < 0 ? "" : afterScheme[authorityEnd..];

        // A user name or password in the URL is a credential: never quote it back.
        if (authority.Contains('@', StringComparison.Ordinal))
        {
            return Errors.Fail<Url>($"{subjectStart} must not contain a user name or password; give credentials separately.");
        }

        var messages = new List<string>();
        if (rest.Contains('#', StringComparison.Ordinal))
        {
            messages.Add($"{quoted} has a fragment (#…); a server URL has none.");
        }

        if (!SplitAuthority(authority, out var hostText, out var portText))
        {
            messages.Add($"{quoted} has a malformed host; an IPv6 address must be written in brackets, as in https://[2001:db8::1]/.");
            return Errors.Fail<Url>(messages);
        }

        NetworkHost? host = null;
        if (hostText.Length == 0)
        {
            messages.Add($"{quoted} has no host; {expected}host/… is expected.");
        }
        else
        {
            var parsedHost = NetworkHost.TryCreate(hostText);
            if (parsedHost.IsSuccess)
            {
                host = parsedHost.Value;
            }
            else
            {
                messages.AddRange(parsedHost.Errors.Select(e => $"The host of {Show.Quote(value)} is not valid: {e.Message}"));
            }
        }

        int? port = null;
        if (portText is not null)
        {
            var parsedPort = Values.Port.TryCreate(portText);
            if (parsedPort.IsSuccess)
            {
                port = parsedPort.Value.Number;
            }
            else
            {
                messages.Add($"{quoted} has an invalid port; a number from 1 to 65535 is expected after ':'.");
            }
        }

        if (messages.Count > 0)
        {
            return Errors.Fail<Url>(messages);
        }

        var url = new Url(scheme, host!, port, rest);
        return Uri.TryCreate(url.Value, UriKind.Absolute, out _)
            ? url
            : Errors.Fail<Url>($"{quoted} is not a valid URL.");
    }

    public override string ToString() => Value;

    private static bool SplitAuthority(string authority, out string host, out string? port)
    {
        port = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            host = close < 0 ? "" : authority[1..close];
            var after = close < 0 ? "" : authority[(close + 1)..];
            if (close < 0 || (after.Length > 0 && !after.StartsWith(':')))
            {
                return false;
            }

            port = after.Length > 0 ? after[1..] : null;
            return true;
        }

        var colons = authority.Count(c => c == ':');
        if (colons > 1)
        {
            host = authority;
            return false;
        }

        var colon = authority.IndexOf(':', StringComparison.Ordinal);
        host = colon < 0 ? authority : authority[..colon];
        port = colon < 0 ? null : authority[(colon + 1)..];
        return true;
    }
}
