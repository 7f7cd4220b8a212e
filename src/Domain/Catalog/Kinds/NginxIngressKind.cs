using Portal.Domain.Status;

namespace Portal.Domain.Catalog.Kinds;

/// <summary>nginx ingress: renders Ingress objects for an existing ingress-nginx controller; deploys no controller.</summary>
public static class NginxIngressKind
{
    public const string Name = "nginx-ingress";

    public static ComponentKind Create() => new()
    {
        Name = Name,
        Summary = "Public routes through an existing ingress-nginx controller: TLS, source ranges, timeouts, body size.",
        Icon = "Router",
        Endpoints =
        [
            EndpointDefinition.Provides("nginx-route", Interfaces.NginxRoute, "Routes (host, paths, backend service) to publish."),
            EndpointDefinition.OptionallyRequires("certificates", Interfaces.TlsCertificates, "Certificates for the routes' hostnames."),
        ],
        Options =
        [
            new("ingress-class", OptionType.Name, "IngressClass of the controller that serves the routes.") { Default = "nginx", Required = true },
            new("whitelist-source-range", OptionType.CidrList, "Only these source ranges (CIDRs) may connect; empty allows all.") { Default = "" },
            new("proxy-read-timeout", OptionType.Duration, "nginx proxy read timeout.") { Default = "60s" },
            new("proxy-send-timeout", OptionType.Duration, "nginx proxy send timeout.") { Default = "60s" },
            new("proxy-connect-timeout", OptionType.Duration, "nginx proxy connect timeout.") { Default = "60s" },
            new("max-body-size", OptionType.Integer, "Largest request body, in MB (0 means unlimited).") { Default = "20", Minimum = 0, Maximum = 10240 },
            new("limit-rps", OptionType.Integer, "Requests per second per client (0 means no limit).") { Default = "0", Minimum = 0, Maximum = 100_000 },
            new("tls-secret-name", OptionType.Name, "An existing kubernetes.io/tls Secret to serve; overrides the certificates relation.") { Default = "" },
        ],
        StatusMessages =
        [
            new(ComponentStatus.Waiting, "waiting for relation", "No route has been related yet."),
            new(ComponentStatus.Waiting, "waiting for ingress address", "The controller has not given the Ingress an address yet."),
            new(ComponentStatus.Error, "no ingress address after the deadline", "The Ingress got no address in time: is the controller running and is the class right?"),
            new(ComponentStatus.Active, "Ingress IP(s): …", "Every Ingress has an address."),
        ],
    };
}
