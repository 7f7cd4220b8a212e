using System.Globalization;
using k8s;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Domain.Status;

namespace Portal.Provisioning.Rendering.Kinds;

/// <summary>OAuth2 Proxy: the Deployment (configured through its OAUTH2_PROXY_* environment), its Service, and a ConfigMap
/// with the list of allowed e-mail addresses.</summary>
internal sealed class OAuth2ProxyRenderer : IComponentRenderer
{
    public const string ClientSecretKey = "client-secret";
    public const string CookieSecretKey = "cookie-secret";

    public string Kind => "oauth2-proxy";

    public IEnumerable<IKubernetesObject<V1ObjectMeta>> Render(RenderContext context)
    {
        var workload = context.Kind.Workloads.Single();
        var secrets = ObjectNames.ComponentSecret(context.Name);
        var emails = ObjectNames.ComponentConfig(context.Name);
        var env = new Env()
            .Value("OAUTH2_PROXY_HTTP_ADDRESS", "0.0.0.0:4180")
            .Value("OAUTH2_PROXY_PROVIDER", context.Option("provider"))
            .Value("OAUTH2_PROXY_CLIENT_ID", context.Option("client-id"))
            .Secret("OAUTH2_PROXY_CLIENT_SECRET", secrets, ClientSecretKey)
            .Secret("OAUTH2_PROXY_COOKIE_SECRET", secrets, CookieSecretKey)
            .Value("OAUTH2_PROXY_COOKIE_SECURE", "true")
            .Value("OAUTH2_PROXY_REVERSE_PROXY", "true")
            .Value("OAUTH2_PROXY_SKIP_PROVIDER_BUTTON", "true");

        if (context.Option("oidc-issuer-url") is { Length: > 0 } issuer)
        {
            env.Value("OAUTH2_PROXY_OIDC_ISSUER_URL", issuer);
        }

        var domains = context.Option("email-domains");
        if (domains.Length > 0)
        {
            env.Value("OAUTH2_PROXY_EMAIL_DOMAINS", domains);
        }

        var emailList = SplitList(context.Option("authenticated-emails-list"));
        if (emailList.Count > 0)
        {
            env.Value("OAUTH2_PROXY_AUTHENTICATED_EMAILS_FILE", "/etc/oauth2-proxy/emails/authenticated-emails");
        }

        if (context.RequiredRelation("upstream") is { } upstream)
        {
            // The upstream is a Service of the same namespace: its address is no secret, so it is written as is.
            var (spec, kind) = context.Peer(upstream.Provider.Component);
            var service = RelationContracts.UpstreamService(kind, upstream.Provider.Component);
            env.Value("OAUTH2_PROXY_UPSTREAMS", $"http://{WorkloadFactory.ServiceHost(context, service)}:80/");
            if (spec.Get(kind, "external-hostname") is { Length: > 0 } host)
            {
                env.Value("OAUTH2_PROXY_REDIRECT_URL", $"https://{host}/oauth2/callback");
            }
        }

        yield return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = WorkloadFactory.Meta(context, emails),
            Data = new Dictionary<string, string>(StringComparer.Ordinal) { ["authenticated-emails"] = string.Join('\n', emailList) + "\n" },
        };

        var extraFlags = context.Option("extra-flags")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToList();
        var replicas = int.Parse(context.Option("replicas"), CultureInfo.InvariantCulture);
        var template = WorkloadFactory.PodTemplate(
            context,
            workload,
            _ => new ContainerSetup(env)
            {
                Args = extraFlags.Count == 0 ? null : extraFlags,
                Mounts = [new V1VolumeMount { Name = "emails", MountPath = "/etc/oauth2-proxy/emails", ReadOnlyProperty = true }],
            },
            new PodSetup { Volumes = [new V1Volume { Name = "emails", ConfigMap = new V1ConfigMapVolumeSource { Name = emails } }] });
        yield return WorkloadFactory.Deployment(context, workload, template, replicas);
        yield return WorkloadFactory.Service(context, workload)!;
    }

    private static List<string> SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
