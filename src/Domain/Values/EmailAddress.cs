using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>One e-mail address, <c>local@domain</c>: an RFC 5322 dot-atom local part (ASCII) and a hostname domain
/// (an internationalised domain is kept in punycode). Display names, quoted local parts and IP literals are refused.</summary>
public sealed record EmailAddress
{
    public const int MaxLength = 254;
    public const int MaxLocalPartLength = 64;

    // RFC 5322 atext besides letters and digits.
    private const string AtextSymbols = "!#$%&'*+-/=?^_`{|}~";

    private EmailAddress(string localPart, Hostname domain)
    {
        LocalPart = localPart;
        Domain = domain;
    }

    public string LocalPart { get; }

    public Hostname Domain { get; }

    public string Value => $"{LocalPart}@{Domain.Value}";

    public static Result<EmailAddress> TryCreate(string? text)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return Errors.Fail<EmailAddress>("An e-mail address is needed, such as ops@example.com.");
        }

        var quoted = Show.QuoteStart(value);
        if (value.Contains('<', StringComparison.Ordinal) || value.Contains('>', StringComparison.Ordinal))
        {
            return Errors.Fail<EmailAddress>($"{quoted} has a name or angle brackets; give only the address, such as ops@example.com.");
        }

        if (value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return Errors.Fail<EmailAddress>($"{quoted} contains a space or control character; an e-mail address has none.");
        }

        var at = value.Count(c => c == '@');
        if (at != 1)
        {
            return Errors.Fail<EmailAddress>(at == 0
                ? $"{quoted} has no '@'; an e-mail address such as ops@example.com is expected."
                : $"{quoted} has more than one '@'; give one address such as ops@example.com.");
        }

        var split = value.IndexOf('@', StringComparison.Ordinal);
        var local = value[..split];
        var domainText = value[(split + 1)..];
        var messages = new List<string>();
        CheckLocalPart(local, quoted, messages);

        Hostname? domain = null;
        if (domainText.Length == 0)
        {
            messages.Add($"{quoted} has nothing after '@'; a domain such as example.com is expected.");
        }
        else if (domainText.StartsWith('['))
        {
            messages.Add($"{quoted} has an IP address as its domain; use a domain name.");
        }
        else
        {
            var parsed = Hostname.TryCreate(domainText);
            if (parsed.IsSuccess)
            {
                domain = parsed.Value;
            }
            else
            {
                messages.AddRange(parsed.Errors.Select(e => $"The domain of {Show.Quote(value)} is not valid: {e.Message}"));
            }
        }

        if (messages.Count == 0 && local.Length + 1 + domain!.Value.Length > MaxLength)
        {
            messages.Add($"{quoted} is longer than {MaxLength} characters, the most an e-mail address may have.");
        }

        return Errors.Finish(messages, () => new EmailAddress(local, domain!));
    }

    public override string ToString() => Value;

    private static void CheckLocalPart(string local, string quoted, List<string> messages)
    {
        if (local.Length == 0)
        {
            messages.Add($"{quoted} has nothing before '@'.");
            return;
        }

        if (local.StartsWith('"'))
        {
            messages.Add($"{quoted} has a quoted part before '@'; quoted addresses are not supported.");
            return;
        }

        if (local.Any(c => c > 127))
        {
            messages.Add($"{quoted} has non-ASCII characters before '@'; only the domain may be internationalised.");
            return;
        }

        var bad = local.Where(c => !(char.IsAsciiLetterOrDigit(c) || c == '.' || AtextSymbols.Contains(c, StringComparison.Ordinal))).ToList();
        if (bad.Count > 0)
        {
            messages.Add($"{quoted} contains {Show.Chars(bad)} before '@', which an e-mail address may not.");
        }

        if (local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal))
        {
            messages.Add($"{quoted} has a misplaced dot before '@' (at the start, at the end, or two in a row).");
        }

        if (local.Length > MaxLocalPartLength)
        {
            messages.Add($"{quoted} has {local.Length} characters before '@'; at most {MaxLocalPartLength} are allowed.");
        }
    }
}

/// <summary>Comma-separated e-mail addresses (e.g. who may sign in); the empty list is valid.</summary>
public sealed record EmailList
{
    private EmailList(IReadOnlyList<EmailAddress> addresses) => Addresses = addresses;

    public IReadOnlyList<EmailAddress> Addresses { get; }

    public bool IsEmpty => Addresses.Count == 0;

    public string Value => string.Join(',', Addresses.Select(a => a.Value));

    public static Result<EmailList> TryCreate(string? text)
    {
        var messages = new List<string>();
        var addresses = new List<EmailAddress>();
        foreach (var item in ListText.Split(text).TakeWhile(_ => !Errors.Enough(messages)))
        {
            var address = EmailAddress.TryCreate(item);
            if (address.IsSuccess)
            {
                addresses.Add(address.Value);
            }
            else
            {
                messages.AddRange(address.Errors.Select(e => e.Message));
            }
        }

        // Mail providers treat addresses case-insensitively in practice, and so does OAuth2 Proxy's list.
        ListText.ReportDuplicates(addresses.Select(a => a.Value), messages, StringComparer.OrdinalIgnoreCase);
        return Errors.Finish(messages, () => new EmailList(addresses));
    }

    public bool Equals(EmailList? other) => other is not null && Value == other.Value;

    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Value;
}

/// <summary>Comma-separated domains (e.g. e-mail domains that may sign in), or <c>*</c> alone for any domain;
/// the empty list is valid.</summary>
public sealed record DomainList
{
    public const string Any = "*";

    private DomainList(IReadOnlyList<Hostname> domains, bool isAny)
    {
        Domains = domains;
        IsAny = isAny;
    }

    public IReadOnlyList<Hostname> Domains { get; }

    /// <summary>True for <c>*</c>: every domain.</summary>
    public bool IsAny { get; }

    public bool IsEmpty => !IsAny && Domains.Count == 0;

    public string Value => IsAny ? Any : string.Join(',', Domains.Select(d => d.Value));

    public static Result<DomainList> TryCreate(string? text)
    {
        var items = ListText.Split(text);
        if (items.Contains(Any))
        {
            return items.Count == 1
                ? new DomainList([], isAny: true)
                : Errors.Fail<DomainList>("'*' already allows every domain, so it cannot be combined with other domains; give '*' alone or list the domains.");
        }

        var messages = new List<string>();
        var domains = new List<Hostname>();
        foreach (var item in items.TakeWhile(_ => !Errors.Enough(messages)))
        {
            if (item.StartsWith('@'))
            {
                messages.Add($"{Show.QuoteStart(item)} starts with '@'; give the domain alone ({item.TrimStart('@')}).");
                continue;
            }

            var domain = Hostname.TryCreate(item);
            if (domain.IsSuccess)
            {
                domains.Add(domain.Value);
            }
            else
            {
                messages.AddRange(domain.Errors.Select(e => e.Message));
            }
        }

        ListText.ReportDuplicates(domains.Select(d => d.Value), messages, StringComparer.Ordinal);
        return Errors.Finish(messages, () => new DomainList(domains, isAny: false));
    }

    public bool Equals(DomainList? other) => other is not null && Value == other.Value;

    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Value;
}
