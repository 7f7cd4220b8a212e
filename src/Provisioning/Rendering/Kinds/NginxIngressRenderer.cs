using System.Globalization;
using k8s;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;
using Portal.Domain.Values;

namespace Portal.Provisioning.Rendering.Kinds;

/// <summary>nginx ingress: one <c>networking.k8s.io/v1</c> Ingress per route it publishes, for an existing ingress-nginx
/// controller. It deploys no controller of its own.</summary>
/// <remarks>Routes come from <see cref="RouteTable"/>, which sends every route of a proxied application to the proxy.
/// TLS: a manual <c>tls-secret-name</c> wins; otherwise a certificates relation gives one TLS Secret per hostname.</remarks>
internal sealed class NginxIngressRenderer : IComponentRenderer
{
    private const string Annotation = "nginx.ingress.kubernetes.io/";

    public string Kind => "nginx-ingress";

    public IEnumerable<IKubernetesObject<V1ObjectMeta>> Render(RenderContext context)
    {
        var hasCertificates = context.RequiredRelation("certificates") is not null;
        var manualTls = context.Option("tls-secret-name");
        foreach (var route in RouteTable.For(context.Stack, context.Catalog).Where(r => r.Ingress == context.Name))
        {
            var tlsSecret = manualTls.Length > 0 ? manualTls : hasCertificates ? ObjectNames.TlsSecret(route.Host) : null;
            var backend = new V1IngressBackend
            {
                Service = new V1IngressServiceBackend
                {
                    Name = ObjectNames.Workload(route.BackendComponent, route.BackendWorkload),
                    Port = new V1ServiceBackendPort { Number = route.BackendPort },
                },
            };

            var metadata = WorkloadFactory.Meta(context, ObjectNames.Ingress(context.Name, route.Requirer));
            metadata.Labels[PortalLabels.Relation] = route.Relation.LabelValue;
            metadata.Annotations = Annotations(context, tlsSecret is not null);

            yield return new V1Ingress
            {
                ApiVersion = "networking.k8s.io/v1",
                Kind = "Ingress",
                Metadata = metadata,
                Spec = new V1IngressSpec
                {
                    IngressClassName = context.Option("ingress-class"),
                    Tls = tlsSecret is null ? null : [new V1IngressTLS { Hosts = [route.Host], SecretName = tlsSecret }],
                    Rules =
                    [
                        new V1IngressRule
                        {
                            Host = route.Host,
                            Http = new V1HTTPIngressRuleValue
                            {
                                Paths = route.Paths.Select(p => new V1HTTPIngressPath { Path = p, PathType = "Prefix", Backend = backend }).ToList(),
                            },
                        },
                    ],
                },
            };
        }
    }

    private static Dictionary<string, string> Annotations(RenderContext context, bool tls)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Annotation + "proxy-read-timeout"] = Seconds(context.Option("proxy-read-timeout")),
            [Annotation + "proxy-send-timeout"] = Seconds(context.Option("proxy-send-timeout")),
            [Annotation + "proxy-connect-timeout"] = Seconds(context.Option("proxy-connect-timeout")),
            [Annotation + "proxy-body-size"] = context.Option("max-body-size") == "0" ? "0" : $"{context.Option("max-body-size")}m",
            [Annotation + "ssl-redirect"] = tls ? "true" : "false",
        };

        if (context.Option("whitelist-source-range") is { Length: > 0 } ranges)
        {
            annotations[Annotation + "whitelist-source-range"] = ranges;
        }

        if (context.Option("limit-rps") is { Length: > 0 } rps && rps != "0")
        {
            annotations[Annotation + "limit-rps"] = rps;
        }

        return annotations;
    }

    // nginx takes whole seconds; validation has already refused anything that is not a duration.
    private static string Seconds(string duration) =>
        Math.Max(1, Duration.TryCreate(duration).Value.TotalSeconds).ToString(CultureInfo.InvariantCulture);
}
