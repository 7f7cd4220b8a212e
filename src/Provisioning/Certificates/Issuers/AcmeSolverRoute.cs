using System.Globalization;
using k8s.Models;
using Portal.Domain.Naming;

namespace Portal.Provisioning.Certificates.Issuers;

/// <summary>Routes a hostname's http-01 challenge path to the portal while lego answers it: an ExternalName Service naming the
/// portal and an Ingress for <c>/.well-known/acme-challenge/</c> on the hostname, both in the stack's namespace and removed after
/// the run.</summary>
/// <remarks>ingress-nginx merges the paths of every Ingress for a host, so the challenge path goes to the portal while the rest of
/// the hostname keeps its routes (cert-manager's http-01 solver works the same way). The objects carry the stack's labels, so a
/// run cut short by a crash leaves nothing the next run or a teardown does not clear: the next run applies the same names.</remarks>
internal static class AcmeSolverRoute
{
    public const string ServiceName = "acme-http01-solver";
    public const string ChallengePath = "/.well-known/acme-challenge/";

    /// <summary>The Ingress of one hostname's challenge: <c>acme-http01-&lt;hostname with dots as dashes&gt;</c>, within 63 characters.</summary>
    public static string IngressName(string host)
    {
        var name = "acme-http01-" + ObjectNames.TlsSecret(host)["tls-".Length..];
        return name.Length <= 63 ? name : name[..63].TrimEnd('-');
    }

    /// <summary>Host and port of <c>host:port</c>, or null when it is not that.</summary>
    public static (string Host, int Port)? ParseTarget(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0
            && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            && Uri.CheckHostName(text[..colon]) is UriHostNameType.Dns or UriHostNameType.IPv4
                ? (text[..colon], port)
                : null;
    }

    public static async Task OpenAsync(CertificateRequestContext request, string target, CancellationToken cancellationToken)
    {
        var (host, port) = ParseTarget(target) ?? throw new CertificateIssuanceException(
            $"{CertificateIssuerOptions.Section}:Acme:Http01Solver '{target}' is not host:port.", transient: false);
        var labels = new Dictionary<string, string>(request.Labels, StringComparer.Ordinal);
        await request.Cluster.ApplyAsync(new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta { Name = ServiceName, NamespaceProperty = request.Namespace, Labels = labels },
            Spec = new V1ServiceSpec
            {
                Type = "ExternalName",
                ExternalName = host,
                Ports = [new V1ServicePort { Name = "http01", Port = port, TargetPort = port, Protocol = "TCP" }],
            },
        }, cancellationToken).ConfigureAwait(false);
        await request.Cluster.ApplyAsync(new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "Ingress",
            Metadata = new V1ObjectMeta
            {
                Name = IngressName(request.Host),
                NamespaceProperty = request.Namespace,
                Labels = labels,
                Annotations = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    // The challenge is plain HTTP on port 80: no redirect to HTTPS before a certificate exists.
                    ["nginx.ingress.kubernetes.io/ssl-redirect"] = "false",
                    ["nginx.ingress.kubernetes.io/whitelist-source-range"] = "0.0.0.0/0,::/0",
                },
            },
            Spec = new V1IngressSpec
            {
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = request.Host,
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths =
                            [
                                new V1HTTPIngressPath
                                {
                                    Path = ChallengePath,
                                    PathType = "Prefix",
                                    Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = ServiceName, Port = new V1ServiceBackendPort { Number = port } } },
                                },
                            ],
                        },
                    },
                ],
            },
        }, cancellationToken).ConfigureAwait(false);
    }

    public static async Task CloseAsync(CertificateRequestContext request, CancellationToken cancellationToken)
    {
        await request.Cluster.DeleteAsync("networking.k8s.io/v1", "Ingress", request.Namespace, IngressName(request.Host), cancellationToken).ConfigureAwait(false);
        await request.Cluster.DeleteAsync("v1", "Service", request.Namespace, ServiceName, cancellationToken).ConfigureAwait(false);
    }
}
