namespace Portal.Domain.Catalog;

/// <summary>The type of a config option; each type has its own parser in <c>Portal.Domain.Values</c>.</summary>
public enum OptionType
{
    /// <summary>Free text on one line.</summary>
    String,
    /// <summary>A whole number (within <see cref="ConfigOptionDefinition.Minimum"/>..<see cref="ConfigOptionDefinition.Maximum"/>).</summary>
    Integer,
    Boolean,
    /// <summary>One of <see cref="ConfigOptionDefinition.AllowedValues"/>.</summary>
    Enum,
    /// <summary>A DNS hostname; IDN converted to punycode; wildcards only where <see cref="ConfigOptionDefinition.AllowWildcard"/>.</summary>
    Hostname,
    /// <summary>A hostname or an IP address (a database server).</summary>
    Host,
    /// <summary>A TCP port, 1-65535.</summary>
    Port,
    /// <summary>Comma-separated IPv4/IPv6 CIDR blocks.</summary>
    CidrList,
    /// <summary>A duration such as <c>60s</c>, <c>5m</c>, <c>1h30m</c>.</summary>
    Duration,
    Email,
    /// <summary>Comma-separated e-mail addresses.</summary>
    EmailList,
    /// <summary>Comma-separated domains (e.g. allowed e-mail domains); <c>*</c> allowed.</summary>
    DomainList,
    /// <summary>An absolute URL; https only when <see cref="ConfigOptionDefinition.HttpsOnly"/>.</summary>
    Url,
    /// <summary>A container image reference, <c>registry/repo:tag</c> or <c>@sha256:…</c>.</summary>
    Image,
    /// <summary>A Kubernetes quantity such as <c>500m</c> or <c>1Gi</c>.</summary>
    Quantity,
    /// <summary>A DNS-1123 name (Kubernetes object or bucket name).</summary>
    Name,
    /// <summary>PEM text: one or more certificates (and, where allowed, a private key).</summary>
    Pem,
    /// <summary>A URL path starting with <c>/</c>.</summary>
    Path,
    /// <summary>An HTTP header name.</summary>
    HeaderName,
    /// <summary>Multi-line free text (extra flags).</summary>
    Text,
}

/// <summary>A condition on another option of the same component, e.g. <c>mode == external</c>.</summary>
public sealed record OptionCondition(string Option, IReadOnlyList<string> Values)
{
    public static OptionCondition When(string option, params string[] values) => new(option, values);

    public override string ToString() => Values.Count == 1
        ? $"'{Option}' is '{Values[0]}'"
        : $"'{Option}' is one of {string.Join(", ", Values.Select(v => $"'{v}'"))}";
}

/// <summary>One config option of a component kind (kebab-case name, as in the charms; part of the API).</summary>
public sealed record ConfigOptionDefinition(string Name, OptionType Type, string Description)
{
    /// <summary>Default value as the operator would type it; null means no default.</summary>
    public string? Default { get; init; }

    /// <summary>Must be given (non-empty) for the stack to deploy.</summary>
    public bool Required { get; init; }

    /// <summary>Required only when this condition on another option holds.</summary>
    public OptionCondition? RequiredWhen { get; init; }

    /// <summary>Never shown, logged or stored in the portal database; lives in a Kubernetes Secret.</summary>
    public bool Secret { get; init; }

    /// <summary>The portal can generate a value when none is given (secrets such as the cookie secret).</summary>
    public bool Generated { get; init; }

    /// <summary>Cannot change once the component has been deployed.</summary>
    public bool ImmutableAfterDeploy { get; init; }

    public IReadOnlyList<string> AllowedValues { get; init; } = [];

    public long? Minimum { get; init; }

    public long? Maximum { get; init; }

    /// <summary>An integer that must be a positive power of two.</summary>
    public bool PowerOfTwo { get; init; }

    /// <summary>A URL that must use https.</summary>
    public bool HttpsOnly { get; init; }

    /// <summary>A hostname that may be a wildcard (<c>*.example.com</c>).</summary>
    public bool AllowWildcard { get; init; }

    /// <summary>For secrets: the value lengths (in bytes) that are accepted, e.g. 16, 24 or 32 for a cookie secret.</summary>
    public IReadOnlyList<int> AllowedByteLengths { get; init; } = [];

    /// <summary>For strings and secrets: the least number of characters.</summary>
    public int? MinimumLength { get; init; }

    /// <summary>The operator can scale this (replicas) on day 2.</summary>
    public bool Scales { get; init; }
}
