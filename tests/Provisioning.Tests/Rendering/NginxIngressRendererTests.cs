using k8s.Models;
using Portal.Domain.Catalog;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Rendering.Kinds;

namespace Portal.Provisioning.Tests.Rendering;

public class NginxIngressRendererTests
{
    private static readonly StackRenderer Renderer = new(
        [new AirbyteRenderer(), new TemporalRenderer(), new TemporalAdminRenderer(), new WebhooksRenderer(), new OAuth2ProxyRenderer(),
         new NginxIngressRenderer(), new LegoRenderer(), new MinioRenderer(), new PostgresqlRenderer()],
        ComponentCatalog.Default);

    private static List<V1Ingress> Ingresses(string component, Action<Dictionary<string, Dictionary<string, string>>>? configure = null) =>
        Renderer.RenderComponent(TestStacks.Minimal(configure: configure), component).Select(o => o.Object).OfType<V1Ingress>().ToList();

    [Fact]
    public void No_route_bypasses_the_oauth2_proxy()
    {
        var ingresses = Ingresses("ingress");

        Assert.Equal(["ingress-airbyte", "ingress-oauth2-proxy"], ingresses.Select(i => i.Metadata.Name).Order(StringComparer.Ordinal));
        var backends = ingresses.SelectMany(i => i.Spec.Rules).SelectMany(r => r.Http.Paths).Select(p => p.Backend.Service.Name).Distinct();
        Assert.Equal(["oauth2-proxy"], backends);
    }

    [Fact]
    public void Airbyte_host_serves_the_app_at_root_and_the_proxy_paths()
    {
        var paths = Ingresses("ingress")
            .SelectMany(i => i.Spec.Rules)
            .Select(r => (r.Host, Path: r.Http.Paths.Single().Path))
            .Order();

        Assert.Equal([("airbyte.example.com", "/"), ("airbyte.example.com", "/oauth2")], paths);
    }

    [Fact]
    public void Webhooks_get_their_own_ingress_with_their_path_prefix()
    {
        var ingress = Assert.Single(Ingresses("ingress-webhooks"));

        var rule = Assert.Single(ingress.Spec.Rules);
        Assert.Equal("hooks.example.com", rule.Host);
        Assert.Equal("/hooks", rule.Http.Paths.Single().Path);
        Assert.Equal("airbyte-webhooks", rule.Http.Paths.Single().Backend.Service.Name);
        Assert.Null(ingress.Spec.Tls);
    }

    [Fact]
    public void Certificates_relation_gives_one_tls_secret_per_hostname()
    {
        var ingress = Ingresses("ingress").First();

        Assert.Equal("tls-airbyte-example-com", Assert.Single(ingress.Spec.Tls).SecretName);
        Assert.Equal("true", ingress.Metadata.Annotations["nginx.ingress.kubernetes.io/ssl-redirect"]);
    }

    [Fact]
    public void Manual_tls_secret_overrides_the_certificates_relation()
    {
        var ingress = Ingresses("ingress", c => c["ingress"] = new() { ["tls-secret-name"] = "wildcard-example-com" }).First();

        Assert.Equal("wildcard-example-com", Assert.Single(ingress.Spec.Tls).SecretName);
    }

    [Fact]
    public void Options_become_nginx_annotations()
    {
        var ingress = Ingresses("ingress", c => c["ingress"] = new()
        {
            ["whitelist-source-range"] = "10.0.0.0/8,192.168.0.0/16",
            ["proxy-read-timeout"] = "5m",
            ["max-body-size"] = "200",
            ["limit-rps"] = "20",
            ["ingress-class"] = "public-nginx",
        }).First();

        var annotations = ingress.Metadata.Annotations;
        Assert.Equal("10.0.0.0/8,192.168.0.0/16", annotations["nginx.ingress.kubernetes.io/whitelist-source-range"]);
        Assert.Equal("300", annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]);
        Assert.Equal("60", annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"]);
        Assert.Equal("200m", annotations["nginx.ingress.kubernetes.io/proxy-body-size"]);
        Assert.Equal("20", annotations["nginx.ingress.kubernetes.io/limit-rps"]);
        Assert.Equal("public-nginx", ingress.Spec.IngressClassName);
    }
}
