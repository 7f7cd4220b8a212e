using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>A container image reference, <c>[registry[:port]/]repository[:tag][@sha256:&lt;64 hex&gt;]</c>, with the grammar
/// of the distribution reference spec (lower-case path components, tags up to 128 characters).</summary>
public sealed record ImageReference
{
    public const int MaxNameLength = 255;
    private const string DigestAlgorithm = "sha256";

    private ImageReference(string? registry, string repository, string? tag, string? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The registry host (and port) when given, e.g. <c>registry.example.com:5000</c>.</summary>
    public string? Registry { get; }

    /// <summary>The repository path, e.g. <c>airbyte/server</c>.</summary>
    public string Repository { get; }

    public string? Tag { get; }

    /// <summary>The digest, e.g. <c>sha256:…</c>.</summary>
    public string? Digest { get; }

    public string Value =>
        $"{(Registry is null ? "" : Registry + "/")}{Repository}{(Tag is null ? "" : ":" + Tag)}{(Digest is null ? "" : "@" + Digest)}";

    public static Result<ImageReference> TryCreate(string? text)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return Errors.Fail<ImageReference>("An image reference is needed, such as registry.example.com/team/app:1.0.");
        }

        var quoted = Show.QuoteStart(value);
        if (value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return Errors.Fail<ImageReference>($"{quoted} contains a space or control character; an image reference has none.");
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            return Errors.Fail<ImageReference>($"{quoted} is a URL; write the image without a scheme, as registry.example.com/team/app:1.0.");
        }

        var messages = new List<string>();
        var nameAndTag = value;
        string? digest = null;
        var at = value.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            nameAndTag = value[..at];
            digest = value[(at + 1)..];
            CheckDigest(digest, quoted, messages);
        }

        string? tag = null;
        var name = nameAndTag;
        var lastColon = nameAndTag.LastIndexOf(':');
        if (lastColon > nameAndTag.LastIndexOf('/'))
        {
            name = nameAndTag[..lastColon];
            tag = nameAndTag[(lastColon + 1)..];
            if (!IsTag(tag))
            {
                messages.Add($"{quoted} has an invalid tag {Show.Quote(tag)}; a tag is 1 to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'.");
            }
        }

        var parts = name.Split('/');
        string? registry = null;
        if (parts.Length > 1 && (parts[0].Contains('.', StringComparison.Ordinal) || parts[0].Contains(':', StringComparison.Ordinal) || parts[0] == "localhost"))
        {
            registry = parts[0];
            parts = parts[1..];
            if (!IsRegistry(registry))
            {
                messages.Add($"{quoted} has an invalid registry {Show.Quote(registry)}; a registry is a host name with an optional ':port'.");
            }
        }

        var repository = string.Join('/', parts);
        if (repository.Length == 0 || parts.Any(p => p.Length == 0))
        {
            messages.Add($"{quoted} has an empty repository name or path part.");
        }
        else if (repository.Any(char.IsAsciiLetterUpper))
        {
            messages.Add($"{quoted} has capital letters in the repository name; repository names are lower case (try '{(registry is null ? "" : registry + "/")}{repository.ToLowerInvariant()}').");
        }
        else if (!parts.All(IsPathComponent))
        {
            messages.Add($"{quoted} has an invalid repository name; path parts are lower-case letters and digits, separated by '.', '_', '__' or '-'.");
        }

        if (name.Length > MaxNameLength)
        {
            messages.Add($"{quoted} has a name of {name.Length} characters; at most {MaxNameLength} are allowed.");
        }

        return Errors.Finish(messages, () => new ImageReference(registry, repository, tag, digest));
    }

    public override string ToString() => Value;

    private static void CheckDigest(string digest, string quoted, List<string> messages)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        var algorithm = colon < 0 ? "" : digest[..colon];
        var hex = colon < 0 ? "" : digest[(colon + 1)..];
        if (algorithm != DigestAlgorithm)
        {
            messages.Add($"{quoted} has a digest that is not sha256:<64 hex digits>; only sha256 digests are supported.");
        }
        else if (hex.Length != 64 || !hex.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            messages.Add($"{quoted} has a sha256 digest of {hex.Length} characters; 64 lower-case hex digits are expected.");
        }
    }

    private static bool IsTag(string tag) =>
        tag.Length is > 0 and <= 128
        && (char.IsAsciiLetterOrDigit(tag[0]) || tag[0] == '_')
        && tag.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');

    private static bool IsRegistry(string registry)
    {
        var host = registry;
        var colon = registry.LastIndexOf(':');
        if (colon >= 0 && !registry.EndsWith(']'))
        {
            var port = registry[(colon + 1)..];
            if (port.Length == 0 || !port.All(char.IsAsciiDigit))
            {
                return false;
            }

            host = registry[..colon];
        }

        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return IpText.TryParseIPv6(host[1..^1], out _, out _);
        }

        return host.Length > 0 && host.Split('.').All(label =>
            label.Length > 0 && char.IsAsciiLetterOrDigit(label[0]) && char.IsAsciiLetterOrDigit(label[^1])
            && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
    }

    /// <summary><c>[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*</c>.</summary>
    private static bool IsPathComponent(string part)
    {
        if (!DnsNames.IsLowerAlnum(part[0]) || !DnsNames.IsLowerAlnum(part[^1]))
        {
            return false;
        }

        var i = 0;
        while (i < part.Length)
        {
            if (DnsNames.IsLowerAlnum(part[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < part.Length && !DnsNames.IsLowerAlnum(part[i]))
            {
                i++;
            }

            var separator = part[start..i];
            if (separator is not ("." or "_" or "__") && !separator.All(c => c == '-'))
            {
                return false;
            }
        }

        return true;
    }
}
