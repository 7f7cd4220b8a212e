using Portal.Domain.Status;

namespace Portal.Domain.Catalog.Kinds;

/// <summary>Lego: ACME certificates; the portal itself is the ACME client, so there is no workload.</summary>
public static class LegoKind
{
    public const string Name = "lego";
    public const string LetsEncryptProduction = "https://acme-v02.api.letsencrypt.org/directory";

    /// <summary>The <c>issuer</c> values: certificates from the ACME server, or from the stack's own internal CA.</summary>
    public const string AcmeIssuer = "acme";

    public const string InternalCaIssuer = "internal-ca";

    public static ComponentKind Create() => new()
    {
        Name = Name,
        Summary = "ACME certificates (Let's Encrypt or any ACME server) for the ingress hostnames.",
        Icon = "VerifiedUser",
        Endpoints =
        [
            EndpointDefinition.Provides("certificates", Interfaces.TlsCertificates, "One certificate per hostname of the related ingress."),
        ],
        Options =
        [
            new("issuer", OptionType.Enum,
                "ACME server (the server option) or the stack's own internal CA (a self-signed root kept in a Secret; for private deployments and test clusters).")
            {
                Default = AcmeIssuer,
                AllowedValues = [AcmeIssuer, InternalCaIssuer],
            },
            new("email", OptionType.Email, "Contact e-mail of the ACME account.") { Required = true },
            new("server", OptionType.Url, "ACME directory URL.") { Default = LetsEncryptProduction, Required = true, HttpsOnly = true },
            new("plugin", OptionType.String, "'http-01', or a lego DNS provider name for dns-01.") { Default = "http-01", Required = true },
            new("plugin-credentials", OptionType.Text, "DNS provider credentials, one KEY=value per line.") { Secret = true },
            new("eab-kid", OptionType.String, "External account binding key id.") { Default = "" },
            new("eab-hmac", OptionType.String, "External account binding HMAC key.") { Secret = true },
            new("acme-ca-certificates", OptionType.Pem, "Extra CA certificates to trust for a private ACME server.") { Default = "" },
            new("maintenance-window", OptionType.String, "Daily window in UTC (HH:mm-HH:mm) in which automatic renewals run; empty: any time.") { Default = "" },
            new("renew-at-lifetime-percent", OptionType.Integer, "Renew when this share of the lifetime has passed.") { Default = "67", Minimum = 10, Maximum = 95 },
        ],
        Secrets =
        [
            new SecretDefinition("acme-account-key", "Private key of the ACME account.", SecretSource.Generated, RotationStrategy.Replace,
                "Nothing visible; issued certificates stay valid."),
            new SecretDefinition("plugin-credentials", "DNS provider credentials.", SecretSource.OperatorSupplied, RotationStrategy.OperatorSupplied,
                "Renewals fail until the new credentials work."),
            new SecretDefinition("eab-hmac", "External account binding HMAC key.", SecretSource.OperatorSupplied, RotationStrategy.None,
                "None."),
        ],
        StatusMessages =
        [
            new(ComponentStatus.Blocked, "email address was not provided", "The email option is empty."),
            new(ComponentStatus.Blocked, "invalid ACME server", "The server option is not an https URL."),
            new(ComponentStatus.Active, "N/M certificate requests are fulfilled", "Certificates issued for the related hostnames."),
        ],
    };
}
