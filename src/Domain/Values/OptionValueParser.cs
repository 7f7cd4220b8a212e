using System.Globalization;
using System.Text;
using Portal.Domain.Catalog;
using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>Parses one config option value by its <see cref="ConfigOptionDefinition"/> and returns the normalised text
/// to store (an IDN hostname in punycode, a duration in Go form, an enum value in its catalog spelling…).</summary>
/// <remarks>
/// <para>What an empty value means: for lists and free text (<see cref="OptionType.CidrList"/>, <see cref="OptionType.EmailList"/>,
/// <see cref="OptionType.DomainList"/>, <see cref="OptionType.String"/>, <see cref="OptionType.Text"/>, <see cref="OptionType.Name"/>,
/// <see cref="OptionType.Pem"/>) the empty string is a value of its own and is kept, so that e.g. <c>email-domains</c> can be
/// emptied although its default is <c>*</c>. For every other type, and for secrets, an empty value means "not given": the
/// result is null and the default (or the generator) applies. Whether a required option is missing is the caller's
/// business, since it depends on defaults and other options.</para>
/// <para>The value of a <see cref="ConfigOptionDefinition.Secret"/> option never appears in a message.</para>
/// </remarks>
public static class OptionValueParser
{
    /// <summary>Parses <paramref name="text"/>; success with null means "not given".</summary>
    /// <param name="now">The clock for certificate validity (PEM options).</param>
    /// <param name="subject">What the option is, in words, for URL messages (e.g. <c>the ACME server</c>); defaults to its name.</param>
    public static Result<string?> Parse(ConfigOptionDefinition option, string? text, DateTimeOffset now, string? subject = null)
    {
        if (text is null)
        {
            return Result<string?>.Success(null);
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return Result<string?>.Success(EmptyIsAValue(option) ? "" : null);
        }

        var result = ParseByType(option, text, now, subject ?? option.Name);
        return option.Secret && !result.IsSuccess ? Redact(option, text, result) : result;
    }

    /// <summary>Whether the empty string is kept as a value of its own for this option (see the remarks on the class).</summary>
    public static bool EmptyIsAValue(ConfigOptionDefinition option) =>
        !option.Secret && option.Type is OptionType.CidrList or OptionType.EmailList or OptionType.DomainList
            or OptionType.String or OptionType.Text or OptionType.Name or OptionType.Pem;

    private static Result<string?> ParseByType(ConfigOptionDefinition option, string text, DateTimeOffset now, string subject) =>
        option.Type switch
        {
            OptionType.String => ParseString(option, text),
            OptionType.Integer => ParseInteger(option, text),
            OptionType.Boolean => ParseBoolean(option, text),
            OptionType.Enum => ParseEnum(option, text),
            OptionType.Hostname => Map(Hostname.TryCreate(text, option.AllowWildcard), h => h.Value),
            OptionType.Host => Map(NetworkHost.TryCreate(text), h => h.Value),
            OptionType.Port => Map(Port.TryCreate(text), p => p.ToString()),
            OptionType.CidrList => Map(CidrList.TryCreate(text), c => c.Value),
            OptionType.Duration => ParseDuration(option, text),
            OptionType.Email => Map(EmailAddress.TryCreate(text), e => e.Value),
            OptionType.EmailList => Map(EmailList.TryCreate(text), e => e.Value),
            OptionType.DomainList => Map(DomainList.TryCreate(text), d => d.Value),
            OptionType.Url => Map(Url.TryCreate(text, option.HttpsOnly, subject), u => u.Value),
            OptionType.Image => Map(ImageReference.TryCreate(text), i => i.Value),
            OptionType.Quantity => Map(Quantity.TryCreate(text, allowZero: option.Minimum == 0), q => q.Value),
            OptionType.Name => Map(DnsSubdomain.TryCreate(text), n => n.Value),
            OptionType.Pem => ParsePem(text, now),
            OptionType.Path => Map(UrlPath.TryCreate(text), p => p.Value),
            OptionType.HeaderName => Map(HeaderName.TryCreate(text), h => h.Value),
            OptionType.Text => ParseText(option, text),
            _ => throw new ArgumentOutOfRangeException(nameof(option), option.Type, "No parser for this option type."),
        };

    private static Result<string?> Map<T>(Result<T> result, Func<T, string> normalise) =>
        result.IsSuccess ? Result<string?>.Success(normalise(result.Value)) : Result<string?>.Failure(result.Errors);

    private static Result<string?> ParseString(ConfigOptionDefinition option, string text)
    {
        // Names and ids lose stray whitespace from copy and paste; a secret is used exactly as given.
        var line = TextLine.TryCreate(text, trim: !option.Secret);
        if (!line.IsSuccess)
        {
            return Result<string?>.Failure(line.Errors);
        }

        var value = line.Value.Value;
        var messages = new List<string>();
        var length = value.EnumerateRunes().Count();
        if (option.MinimumLength is { } minimum && length < minimum)
        {
            messages.Add($"{option.Name} must be at least {minimum} characters long; it has {length}.");
        }

        if (option.AllowedByteLengths.Count > 0)
        {
            var bytes = SecretBytes(value, option.AllowedByteLengths);
            if (!option.AllowedByteLengths.Contains(bytes))
            {
                var allowed = Show.Or(option.AllowedByteLengths.Select(n => n.ToString(CultureInfo.InvariantCulture)));
                messages.Add($"{option.Name} must be {allowed} bytes long, as text or base64url-encoded (e.g. the output of "
                    + $"'openssl rand -base64 32 | tr -- +/ -_'); the value given is {bytes} bytes.");
            }
        }

        return messages.Count == 0 ? Result<string?>.Success(value) : Errors.Fail<string?>(messages);
    }

    /// <summary>The byte length OAuth2 Proxy sees: the base64url-decoded value when that has an allowed length, else the raw text.</summary>
    /// <remarks>Mirrors oauth2-proxy's <c>SecretBytes</c>: only a decoding to an allowed length counts, so that a 32-character
    /// text secret is not mistaken for base64.</remarks>
    private static int SecretBytes(string value, IReadOnlyList<int> allowed)
    {
        var unpadded = value.TrimEnd('=');
        if (unpadded.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') && unpadded.Length % 4 != 1)
        {
            var standard = unpadded.Replace('-', '+').Replace('_', '/');
            standard = standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '=');
            try
            {
                var decoded = Convert.FromBase64String(standard).Length;
                if (allowed.Contains(decoded))
                {
                    return decoded;
                }
            }
            catch (FormatException)
            {
                // Not base64: the raw text is the secret.
            }
        }

        return Encoding.UTF8.GetByteCount(value);
    }

    private static Result<string?> ParseInteger(ConfigOptionDefinition option, string text)
    {
        var value = text.Trim();
        var body = value.StartsWith('-') || value.StartsWith('+') ? value[1..] : value;
        if (body.Length == 0 || !body.All(char.IsAsciiDigit))
        {
            var hint = body.Contains(',', StringComparison.Ordinal) || body.Contains('_', StringComparison.Ordinal) || body.Contains(' ', StringComparison.Ordinal)
                ? " (write it without separators)"
                : "";
            return Errors.Fail<string?>($"{option.Name} must be a whole number; {Show.Quote(value)} is not{hint}.");
        }

        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return Errors.Fail<string?>($"{option.Name} is too large a number.");
        }

        var shown = Show.Number(number);
        if ((option.Minimum is { } min && number < min) || (option.Maximum is { } max && number > max))
        {
            var range = (option.Minimum, option.Maximum) switch
            {
                ({ } low, { } high) => $"between {Show.Number(low)} and {Show.Number(high)}",
                ({ } low, null) => $"at least {Show.Number(low)}",
                (null, { } high) => $"at most {Show.Number(high)}",
                _ => "",
            };
            return Errors.Fail<string?>($"{option.Name} must be {range}; {shown} is not.");
        }

        if (option.PowerOfTwo && (number <= 0 || (number & (number - 1)) != 0))
        {
            var series = option.Maximum is { } high ? $"1, 2, 4, …, {Show.Number(high)}" : "1, 2, 4, 8, …";
            return Errors.Fail<string?>($"{option.Name} must be a power of two ({series}); {shown} is not.");
        }

        return Result<string?>.Success(shown);
    }

    private static Result<string?> ParseBoolean(ConfigOptionDefinition option, string text)
    {
        var value = text.Trim();
        return value.ToLowerInvariant() switch
        {
            "true" => Result<string?>.Success("true"),
            "false" => Result<string?>.Success("false"),
            _ => Errors.Fail<string?>($"{option.Name} must be true or false; {Show.Quote(value)} is not."),
        };
    }

    private static Result<string?> ParseEnum(ConfigOptionDefinition option, string text)
    {
        var value = text.Trim();
        var match = option.AllowedValues.FirstOrDefault(v => v == value)
            ?? option.AllowedValues.FirstOrDefault(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase));
        if (match is not null)
        {
            return Result<string?>.Success(match);
        }

        var suggestion = Spelling.Suggest(value, option.AllowedValues);
        var ending = suggestion is null ? "." : $"; did you mean {suggestion}?";
        return Errors.Fail<string?>($"{option.Name} must be one of {string.Join(", ", option.AllowedValues)}; {Show.Quote(value)} is not{ending}");
    }

    private static Result<string?> ParseDuration(ConfigOptionDefinition option, string text)
    {
        var duration = Duration.TryCreate(text, allowZero: option.Minimum == 0);
        if (!duration.IsSuccess)
        {
            return Result<string?>.Failure(duration.Errors);
        }

        // Minimum and Maximum of a duration option are in seconds.
        var seconds = duration.Value.Value.TotalSeconds;
        if ((option.Minimum is { } min && seconds < min) || (option.Maximum is { } max && seconds > max))
        {
            return Errors.Fail<string?>(
                $"{option.Name} must be between {Show.Number(option.Minimum ?? 0)}s and {(option.Maximum is { } high ? Show.Number(high) + "s" : "any length")}; {duration.Value} is not.");
        }

        return Result<string?>.Success(duration.Value.ToString());
    }

    private static Result<string?> ParsePem(string text, DateTimeOffset now)
    {
        var bundle = PemBundle.TryCreate(text);
        if (!bundle.IsSuccess)
        {
            return Result<string?>.Failure(bundle.Errors);
        }

        var messages = new List<string>();
        foreach (var certificate in bundle.Value.Certificates)
        {
            if (now > certificate.NotAfter)
            {
                messages.Add($"The certificate '{Show.Excerpt(certificate.Subject)}' expired on {Show.Time(certificate.NotAfter)}.");
            }
            else if (now < certificate.NotBefore)
            {
                messages.Add($"The certificate '{Show.Excerpt(certificate.Subject)}' is not valid until {Show.Time(certificate.NotBefore)}.");
            }
        }

        return messages.Count == 0 ? Result<string?>.Success(bundle.Value.CertificatesPem) : Errors.Fail<string?>(messages);
    }

    private static Result<string?> ParseText(ConfigOptionDefinition option, string text)
    {
        var parsed = FreeText.TryCreate(text);
        if (!parsed.IsSuccess)
        {
            return Result<string?>.Failure(parsed.Errors);
        }

        var length = parsed.Value.Value.EnumerateRunes().Count();
        return option.MinimumLength is { } minimum && length < minimum
            ? Errors.Fail<string?>($"{option.Name} must be at least {minimum} characters long; it has {length}.")
            : Result<string?>.Success(parsed.Value.Value);
    }

    /// <summary>Makes sure no message of a secret option shows its value. The free-text parsers never quote it; as a
    /// safety net, a message that contains the value or any 6-character run of it is replaced by a generic one (at worst
    /// a less helpful message, never a leak). Other types quote values, so their messages are always replaced.</summary>
    private static Result<string?> Redact(ConfigOptionDefinition option, string text, Result<string?> result)
    {
        const int Run = 6;
        var safeByConstruction = option.Type is OptionType.String or OptionType.Text;
        var generic = $"{option.Name} is not a valid {Describe(option.Type)}; the value is not shown because it is secret.";
        var value = text.Trim();
        bool Leaks(string message)
        {
            // The option's own name is in the message on purpose (a cookie secret may well contain "secret").
            var text = message.Replace(option.Name, "", StringComparison.Ordinal);
            return text.Contains(value, StringComparison.Ordinal)
                || Enumerable.Range(0, Math.Max(0, value.Length - Run + 1)).Any(i => text.Contains(value.Substring(i, Run), StringComparison.Ordinal));
        }

        return Result<string?>.Failure(result.Errors.Select(e => !safeByConstruction || Leaks(e.Message) ? e with { Message = generic } : e));
    }

    private static string Describe(OptionType type) => type switch
    {
        OptionType.CidrList => "list of CIDR blocks",
        OptionType.EmailList => "list of e-mail addresses",
        OptionType.DomainList => "list of domains",
        OptionType.Pem => "PEM text",
        OptionType.Path => "URL path",
        OptionType.HeaderName => "header name",
        OptionType.Email => "e-mail address",
        OptionType.Image => "image reference",
        _ => type.ToString().ToLowerInvariant(),
    };
}
