using k8s;
using k8s.Models;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Rendering.Kinds;

namespace Portal.Provisioning.Tests.Rendering;

public class StackRendererTests
{
    private static readonly StackRenderer Renderer = new(
        [new AirbyteRenderer(), new TemporalRenderer(), new TemporalAdminRenderer(), new WebhooksRenderer(), new OAuth2ProxyRenderer(),
         new NginxIngressRenderer(), new LegoRenderer(), new MinioRenderer(), new PostgresqlRenderer()],
        ComponentCatalog.Default);

    private static IReadOnlyList<RenderedObject> RenderMinimal() => Renderer.Render(TestStacks.Minimal());

    [Fact]
    public void Every_object_carries_the_portal_labels_and_the_stack_namespace()
    {
        var objects = RenderMinimal();

        Assert.NotEmpty(objects);
        Assert.All(objects, o =>
        {
            Assert.Equal("airbyte-prod", o.Object.Metadata.NamespaceProperty);
            Assert.Equal(PortalLabels.ManagedByValue, o.Object.Metadata.Labels[PortalLabels.ManagedBy]);
            Assert.Equal("prod", o.Object.Metadata.Labels[PortalLabels.Stack]);
            Assert.Equal(o.Component, o.Object.Metadata.Labels[PortalLabels.Component]);
        });
    }

    [Fact]
    public void Object_names_are_unique_per_kind()
    {
        var duplicates = RenderMinimal().GroupBy(o => (o.Kind, o.Name)).Where(g => g.Count() > 1).Select(g => g.Key);

        Assert.Empty(duplicates);
    }

    [Fact]
    public void Rendering_is_deterministic()
    {
        var first = RenderMinimal().Select(o => KubernetesJson.Serialize(o.Object));
        var second = RenderMinimal().Select(o => KubernetesJson.Serialize(o.Object));

        Assert.Equal(first, second);
    }

    [Fact]
    public void No_secret_value_appears_in_any_rendered_object()
    {
        var json = string.Join("\n", RenderMinimal().Select(o => KubernetesJson.Serialize(o.Object)));

        Assert.DoesNotContain(TestStacks.AdminPassword, json, StringComparison.Ordinal);
        Assert.DoesNotContain(TestStacks.ClientSecret, json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"kind\":\"Secret\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DATABASE_PASSWORD")]
    [InlineData("AWS_SECRET_ACCESS_KEY")]
    [InlineData("AWS_ACCESS_KEY_ID")]
    [InlineData("POSTGRES_PWD")]
    [InlineData("VISIBILITY_POSTGRES_PWD")]
    [InlineData("OAUTH2_PROXY_CLIENT_SECRET")]
    [InlineData("OAUTH2_PROXY_COOKIE_SECRET")]
    [InlineData("SIGNING_SECRET")]
    [InlineData("MINIO_ROOT_PASSWORD")]
    public void Credentials_reach_containers_only_through_secret_key_refs(string variable)
    {
        var vars = Containers(RenderMinimal()).SelectMany(c => c.Env ?? []).Where(e => e.Name == variable).ToList();

        Assert.NotEmpty(vars);
        Assert.All(vars, v =>
        {
            Assert.Null(v.Value);
            Assert.NotNull(v.ValueFrom.SecretKeyRef);
        });
    }

    [Fact]
    public void Airbyte_runs_its_seven_services_and_the_bootloader_job()
    {
        var airbyte = Renderer.RenderComponent(TestStacks.Minimal(), "airbyte");

        Assert.Equal(
            ["airbyte-connector-builder-server", "airbyte-cron", "airbyte-server", "airbyte-webapp", "airbyte-worker", "airbyte-workload-api-server", "airbyte-workload-launcher"],
            airbyte.Where(o => o.Kind == "Deployment").Select(o => o.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["airbyte-bootloader"], airbyte.Where(o => o.Kind == "Job").Select(o => o.Name));
        var server = airbyte.Select(o => o.Object).OfType<V1Deployment>().Single(d => d.Metadata.Name == "airbyte-server");
        Assert.Equal("airbyte/server:1.7.0", server.Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public void Airbyte_database_url_is_composed_from_the_relation_secret()
    {
        var server = Renderer.RenderComponent(TestStacks.Minimal(), "airbyte").Select(o => o.Object).OfType<V1Deployment>().Single(d => d.Metadata.Name == "airbyte-server");
        var env = server.Spec.Template.Spec.Containers[0].Env.ToList();

        var host = env.FindIndex(e => e.Name == "DATABASE_HOST");
        var url = env.FindIndex(e => e.Name == "DATABASE_URL");
        Assert.Equal("airbyte-db-relation", env[host].ValueFrom.SecretKeyRef.Name);
        Assert.Equal("jdbc:postgresql://$(DATABASE_HOST):$(DATABASE_PORT)/$(DATABASE_DB)", env[url].Value);
        Assert.True(host < url, "Kubernetes expands $(VAR) only for variables defined earlier");
    }

    [Fact]
    public void Pod_templates_record_the_revision_of_every_secret_they_load()
    {
        var revisions = new Dictionary<string, int> { ["airbyte-db-relation"] = 3 };

        var server = Renderer.RenderComponent(TestStacks.Minimal(), "airbyte", revisions).Select(o => o.Object).OfType<V1Deployment>().Single(d => d.Metadata.Name == "airbyte-server");

        var ledger = server.Spec.Template.Metadata.Annotations[PortalLabels.SecretRevisionsAnnotation];
        Assert.Contains("airbyte-db-relation=3", ledger, StringComparison.Ordinal);
        Assert.Contains("airbyte-object-storage-relation=1", ledger, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_secret_revision_changes_only_the_pod_templates_that_load_that_secret()
    {
        var before = Templates(Renderer.Render(TestStacks.Minimal()));
        var after = Templates(Renderer.Render(TestStacks.Minimal(), new Dictionary<string, int> { ["minio-secrets"] = 2 }));

        var changed = before.Where(b => after[b.Key] != b.Value).Select(b => b.Key).ToList();

        Assert.Equal(["StatefulSet/minio"], changed);
    }

    [Fact]
    public void Containers_run_as_non_root_without_privilege_escalation_and_with_requests()
    {
        foreach (var template in RenderMinimal().Select(o => TemplateOf(o.Object)).OfType<V1PodTemplateSpec>())
        {
            Assert.True(template.Spec.SecurityContext.RunAsNonRoot);
            Assert.All(template.Spec.Containers, c =>
            {
                Assert.False(c.SecurityContext.AllowPrivilegeEscalation);
                Assert.Contains("ALL", c.SecurityContext.Capabilities.Drop);
                Assert.True(c.Resources.Requests.ContainsKey("cpu"));
                Assert.True(c.Resources.Requests.ContainsKey("memory"));
            });
        }
    }

    [Fact]
    public void External_postgresql_renders_nothing_and_in_cluster_renders_a_stateful_set()
    {
        Assert.Empty(Renderer.RenderComponent(TestStacks.Minimal(), "postgresql"));

        var inCluster = Renderer.RenderComponent(TestStacks.Minimal(configure: c => c["postgresql"] = new() { ["mode"] = "in-cluster" }), "postgresql");

        var statefulSet = inCluster.Select(o => o.Object).OfType<V1StatefulSet>().Single();
        Assert.Equal("postgres:16.4", statefulSet.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(999, statefulSet.Spec.Template.Spec.SecurityContext.RunAsUser);
        Assert.Equal("8Gi", statefulSet.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests["storage"].ToString());
    }

    [Fact]
    public void Webhooks_run_the_image_the_operator_gave()
    {
        var deployment = Renderer.RenderComponent(TestStacks.Minimal(), "airbyte-webhooks").Select(o => o.Object).OfType<V1Deployment>().Single();

        Assert.Equal("registry.example.com/airbyte-webhooks:1.0", deployment.Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public void Oauth2_proxy_redirects_to_the_host_of_the_application_it_protects()
    {
        var deployment = Renderer.RenderComponent(TestStacks.Minimal(), "oauth2-proxy").Select(o => o.Object).OfType<V1Deployment>().Single();

        var redirect = deployment.Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "OAUTH2_PROXY_REDIRECT_URL");
        Assert.Equal("https://airbyte.example.com/oauth2/callback", redirect.Value);
    }

    [Fact]
    public void Minio_scales_its_volume_from_the_storage_size_option()
    {
        var minio = Renderer.RenderComponent(TestStacks.Minimal(configure: c => c["minio"] = new() { ["storage-size"] = "50Gi" }), "minio");

        var statefulSet = minio.Select(o => o.Object).OfType<V1StatefulSet>().Single();
        Assert.Equal("50Gi", statefulSet.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests["storage"].ToString());
        Assert.Contains(minio, o => o.Name == "minio-headless");
    }

    private static Dictionary<string, string> Templates(IEnumerable<RenderedObject> objects) => objects
        .Where(o => TemplateOf(o.Object) is not null)
        .ToDictionary(o => o.ToString(), o => KubernetesJson.Serialize(TemplateOf(o.Object)));

    private static V1PodTemplateSpec? TemplateOf(IKubernetesObject<V1ObjectMeta> obj) => obj switch
    {
        V1Deployment d => d.Spec.Template,
        V1StatefulSet s => s.Spec.Template,
        V1Job j => j.Spec.Template,
        _ => null,
    };

    private static IEnumerable<V1Container> Containers(IEnumerable<RenderedObject> objects) =>
        objects.Select(o => TemplateOf(o.Object)).OfType<V1PodTemplateSpec>().SelectMany(t => t.Spec.Containers);
}
