using Portal.Domain.Status;
using static Portal.Domain.Catalog.CommonOptions;

namespace Portal.Domain.Catalog.Kinds;

/// <summary>OAuth2 Proxy: authentication in front of Airbyte.</summary>
public static class OAuth2ProxyKind
{
    public const string Name = "oauth2-proxy";
    public const int Port = 4180;

    /// <summary>The port its Service exposes.</summary>
    public const int ServicePort = 80;

    public static ComponentKind Create() => new()
    {
        Name = Name,
        Summary = "Authenticates users (Google, GitHub or any OIDC provider) before they reach Airbyte.",
        Icon = "Lock",
        Endpoints =
        [
            EndpointDefinition.Requires("upstream", Interfaces.HttpUpstream, "The application behind the proxy.", "missing upstream"),
            EndpointDefinition.Requires("nginx-route", Interfaces.NginxRoute, "Public route to the proxy (its /oauth2/ paths and the upstream's routes).", "nginx-route relation not ready"),
        ],
        Options =
        [
            new("provider", OptionType.Enum, "Identity provider.") { Required = true, AllowedValues = ["google", "github", "oidc"] },
            new("client-id", OptionType.String, "OAuth client id registered at the identity provider.") { Required = true },
            new("client-secret", OptionType.String, "OAuth client secret from the identity provider.") { Required = true, Secret = true },
            new("oidc-issuer-url", OptionType.Url, "Issuer URL of the OIDC provider.") { RequiredWhen = OptionCondition.When("provider", "oidc"), HttpsOnly = true },
            new("cookie-secret", OptionType.String, "Secret that signs session cookies: 16, 24 or 32 bytes. Generated when empty.")
            {
                Secret = true,
                Generated = true,
                AllowedByteLengths = [16, 24, 32],
            },
            new("authenticated-emails-list", OptionType.EmailList, "Only these e-mail addresses may sign in.") { Default = "" },
            new("email-domains", OptionType.DomainList, "E-mail domains that may sign in; '*' allows any account the provider authenticates.") { Default = "*" },
            new("extra-flags", OptionType.Text, "Extra command-line flags, one per line.") { Default = "" },
            ImageTag("v7.6.0"),
            Replicas("OAuth2 Proxy"),
        ],
        Secrets =
        [
            new SecretDefinition("client-secret", "OAuth client secret issued by the identity provider.", SecretSource.OperatorSupplied, RotationStrategy.OperatorSupplied,
                "Sign-in fails until the identity provider and the proxy use the same new secret."),
            new SecretDefinition("cookie-secret", "Key that signs session cookies.", SecretSource.Generated, RotationStrategy.Replace,
                "Everyone is signed out and must sign in again.", GeneratedLength: 32),
        ],
        Workloads =
        [
            new WorkloadDefinition("", WorkloadType.Deployment,
                [Container("oauth2-proxy", "quay.io/oauth2-proxy/oauth2-proxy", "v7.6.0", [new PortDefinition("http", Port, 80)],
                    [Http(ProbeKind.Liveness, Port, "/ping"), Http(ProbeKind.Readiness, Port, "/ready")], "50m", "64Mi")],
                "The proxy."),
        ],
        StatusMessages =
        [
            new(ComponentStatus.Blocked, "missing upstream", "No upstream relation."),
            new(ComponentStatus.Blocked, "missing cookie-secret", "The cookie secret is not there yet."),
            new(ComponentStatus.Blocked, "client-id and client-secret must be set for provider google", "The OAuth client is not configured."),
            new(ComponentStatus.Active, "", "The proxy is ready."),
        ],
    };
}
