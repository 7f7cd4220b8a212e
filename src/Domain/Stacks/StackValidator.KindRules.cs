using System.Globalization;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Certificates;
using Portal.Domain.Common;
using Portal.Domain.Values;

namespace Portal.Domain.Stacks;

public static partial class StackValidator
{
    /// <summary>OAuth2 Proxy flags the portal sets from options and relations; setting them again in extra-flags would
    /// fight the portal (and put secrets on the command line).</summary>
    private static readonly HashSet<string> ManagedProxyFlags = new(StringComparer.Ordinal)
    {
        "--provider", "--client-id", "--client-secret", "--client-secret-file", "--cookie-secret", "--upstream",
        "--http-address", "--oidc-issuer-url", "--email-domain", "--authenticated-emails-file", "--redirect-url",
    };

    private static readonly string[] LegoChallenges = ["http-01"];

    /// <summary>Rules of one kind that involve several options, or that the option's type alone cannot express.</summary>
    private static void ValidateKindRules(OrderedDictionary<string, ComponentState> components, ErrorList errors)
    {
        foreach (var state in components.Values)
        {
            switch (state.Kind.Name)
            {
                case OAuth2ProxyKind.Name:
                    CheckOAuth2Proxy(state, errors);
                    break;
                case LegoKind.Name:
                    CheckLego(state, errors);
                    break;
                case PostgresqlKind.Name:
                    CheckPostgresql(state, errors);
                    break;
                case NginxIngressKind.Name:
                    CheckNginxIngress(state, errors);
                    break;
                case AirbyteKind.Name:
                    CheckAirbyte(state, errors);
                    break;
                case AirbyteWebhooksKind.Name:
                    CheckAirbyteWebhooks(state, errors);
                    break;
                case TemporalKind.Name:
                    CheckIdleAtMostOpen(state, "persistence-max-idle-conns", "persistence-max-conns", errors);
                    CheckIdleAtMostOpen(state, "visibility-max-idle-conns", "visibility-max-conns", errors);
                    break;
            }

            CheckByteQuantities(state, errors);
        }
    }

    private static void CheckOAuth2Proxy(ComponentState state, ErrorList errors)
    {
        var emails = state.Effective("authenticated-emails-list");
        var domains = state.Effective("email-domains");
        if (!state.Invalid.Contains("authenticated-emails-list") && !state.Invalid.Contains("email-domains")
            && string.IsNullOrEmpty(emails) && string.IsNullOrEmpty(domains))
        {
            errors.Add($"{state.Name}.email-domains",
                "Nobody could sign in: give authenticated-emails-list or email-domains ('*' lets in every account the identity provider authenticates).");
        }

        if (state.Effective("extra-flags") is { Length: > 0 } flags)
        {
            var lines = flags.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                // Only the flag's name is quoted: its value may be a credential.
                var flag = line.Split('=', ' ')[0];
                var number = (i + 1).ToString(CultureInfo.InvariantCulture);
                if (!flag.StartsWith("--", StringComparison.Ordinal) || flag.Length < 3)
                {
                    errors.Add($"{state.Name}.extra-flags", $"Line {number} of extra-flags is not a flag; each line must start with --, as in --skip-provider-button=true.");
                }
                else if (ManagedProxyFlags.Contains(flag))
                {
                    errors.Add($"{state.Name}.extra-flags", $"Line {number} of extra-flags sets {flag}, which the portal sets from the component's options and relations; use those instead.");
                }
            }
        }
    }

    private static void CheckLego(ComponentState state, ErrorList errors)
    {
        var kid = !string.IsNullOrEmpty(state.Effective("eab-kid"));
        var hmacOption = state.Kind.FindOption("eab-hmac")!;
        var hmacGiven = !string.IsNullOrEmpty(state.Effective("eab-hmac"));
        var hmacUnknown = state.KeepsDeployedSecret(hmacOption) || state.Invalid.Contains("eab-hmac") || state.Invalid.Contains("eab-kid");
        if (!hmacUnknown && kid && !hmacGiven)
        {
            errors.Add($"{state.Name}.eab-hmac", "eab-hmac is needed when eab-kid is set: external account binding takes the key id and the HMAC key together.");
        }
        else if (!state.Invalid.Contains("eab-kid") && !kid && hmacGiven)
        {
            errors.Add($"{state.Name}.eab-kid", "eab-kid is needed when eab-hmac is set: external account binding takes the key id and the HMAC key together.");
        }

        if (state.Effective("plugin") is { Length: > 0 } plugin && !LegoChallenges.Contains(plugin))
        {
            if (plugin is "dns-01" or "dns")
            {
                errors.Add($"{state.Name}.plugin", "Name the DNS provider (a lego provider code such as cloudflare or route53) instead of dns-01.");
            }
            else if (plugin == "tls-alpn-01")
            {
                errors.Add($"{state.Name}.plugin", "tls-alpn-01 is not supported; use http-01 or a DNS provider name.");
            }
            else if (!plugin.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_'))
            {
                errors.Add($"{state.Name}.plugin", $"{Show.QuoteStart(plugin)} is not a lego DNS provider code; use http-01 or a code such as cloudflare, route53 or gcloud (lower case).");
            }
        }

        if (!state.Invalid.Contains("maintenance-window") && state.Effective("maintenance-window") is { Length: > 0 } window
            && MaintenanceWindow.Parse(window, $"{state.Name}.maintenance-window") is { IsSuccess: false } parsed)
        {
            errors.AddRange(parsed.Errors);
        }

        if (state.Effective("plugin-credentials") is { Length: > 0 } credentials)
        {
            var lines = credentials.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                var equals = line.IndexOf('=', StringComparison.Ordinal);
                var key = equals > 0 ? line[..equals] : "";
                if (key.Length == 0 || !key.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'))
                {
                    // The credentials are secret: say where the problem is, never what the line says.
                    errors.Add($"{state.Name}.plugin-credentials",
                        $"Line {(i + 1).ToString(CultureInfo.InvariantCulture)} of plugin-credentials is not KEY=value with an upper-case KEY (e.g. CLOUDFLARE_DNS_API_TOKEN=…); the line is not shown because it is secret.");
                }
            }
        }
    }

    private static void CheckPostgresql(ComponentState state, ErrorList errors)
    {
        var sslmode = state.Effective("sslmode");
        if (state.Effective("mode") == PostgresqlKind.External
            && sslmode is "verify-ca" or "verify-full"
            && !state.Invalid.Contains("ca-certificate")
            && string.IsNullOrEmpty(state.Effective("ca-certificate")))
        {
            errors.Add($"{state.Name}.ca-certificate",
                $"ca-certificate is required when sslmode is {sslmode}: the server's certificate is checked against it.");
        }
    }

    private static void CheckNginxIngress(ComponentState state, ErrorList errors)
    {
        foreach (var option in new[] { "proxy-read-timeout", "proxy-send-timeout", "proxy-connect-timeout" })
        {
            if (state.Effective(option) is { Length: > 0 } text && Duration.TryCreate(text) is { IsSuccess: true } duration
                && !duration.Value.IsWholeSeconds)
            {
                errors.Add($"{state.Name}.{option}", $"{option} must be a whole number of seconds, since nginx takes its timeouts in seconds; {duration.Value} is not.");
            }
        }
    }

    private static void CheckAirbyte(ComponentState state, ErrorList errors)
    {
        if (state.Effective("job-namespace") is { Length: > 0 } jobNamespace)
        {
            errors.Collect(DnsLabel.TryCreate(jobNamespace), $"{state.Name}.job-namespace", out _);
        }

        foreach (var option in state.Kind.Options.Where(o => o.Name.StartsWith("storage-bucket-", StringComparison.Ordinal)))
        {
            if (state.Explicit.TryGetValue(option.Name, out var bucket) && bucket.Length > 0)
            {
                errors.Collect(BucketName.TryCreate(bucket), $"{state.Name}.{option.Name}", out _);
            }
        }

        CheckRequestAtMostLimit(state, "job-main-container-cpu-request", "job-main-container-cpu-limit", errors);
        CheckRequestAtMostLimit(state, "job-main-container-memory-request", "job-main-container-memory-limit", errors);
    }

    private static void CheckAirbyteWebhooks(ComponentState state, ErrorList errors)
    {
        if (state.Effective("signature-header") is { Length: > 0 } header && header.Contains('_', StringComparison.Ordinal))
        {
            errors.Add($"{state.Name}.signature-header",
                $"{header} has an underscore; nginx drops such headers by default (underscores_in_headers off), so the signature would never arrive. Use '-' instead.");
        }
    }

    private static void CheckRequestAtMostLimit(ComponentState state, string request, string limit, ErrorList errors)
    {
        if (Quantity.TryCreate(state.Effective(request), allowZero: true) is { IsSuccess: true } low
            && Quantity.TryCreate(state.Effective(limit), allowZero: true) is { IsSuccess: true } high
            && low.Value.Amount > high.Value.Amount)
        {
            errors.Add($"{state.Name}.{request}", $"{request} ({low.Value}) is more than {limit} ({high.Value}); a request cannot exceed its limit.");
        }
    }

    private static void CheckIdleAtMostOpen(ComponentState state, string idle, string open, ErrorList errors)
    {
        if (long.TryParse(state.Effective(idle), CultureInfo.InvariantCulture, out var idleCount)
            && long.TryParse(state.Effective(open), CultureInfo.InvariantCulture, out var openCount)
            && idleCount > openCount)
        {
            errors.Add($"{state.Name}.{idle}", $"{idle} ({idleCount}) is more than {open} ({openCount}); idle connections are part of the open ones.");
        }
    }

    /// <summary>Memory and storage are bytes: <c>512m</c> is half a byte (a classic slip for <c>512Mi</c>).</summary>
    private static void CheckByteQuantities(ComponentState state, ErrorList errors)
    {
        foreach (var option in state.Kind.Options.Where(o => o.Type == OptionType.Quantity && (o.Name.Contains("memory", StringComparison.Ordinal) || o.Name == "storage-size")))
        {
            if (state.Explicit.TryGetValue(option.Name, out var text) && Quantity.TryCreate(text, allowZero: true) is { IsSuccess: true } quantity
                && decimal.Truncate(quantity.Value.Amount) != quantity.Value.Amount)
            {
                var suffix = quantity.Value.Suffix;
                var number = text[..^suffix.Length];
                errors.Add($"{state.Name}.{option.Name}", suffix is "m" or "u" or "n"
                    ? $"{text} is a fraction of a byte ('{suffix}' means thousandths or smaller); did you mean {number}Mi?"
                    : $"{text} is not a whole number of bytes; use a suffix such as Mi or Gi (e.g. 512Mi).");
            }
        }
    }
}
