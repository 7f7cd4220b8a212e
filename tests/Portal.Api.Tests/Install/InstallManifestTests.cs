using k8s;
using k8s.Models;
using Portal.Provisioning.Clusters;

namespace Portal.Api.Tests.Install;

/// <summary>What the install manifests promise, read from what kubectl builds of them: the least RBAC the portal needs,
/// a locked-down pod, secrets only from Secrets, and a demo that holds no rights in the real cluster.</summary>
public sealed class InstallManifestTests
{
    /// <summary>The one right the ClusterRole grants that the portal's own check does not ask about: asking itself.</summary>
    private static readonly (string Verb, string Group, string Resource) s_accessReview = ("create", "authorization.k8s.io", "selfsubjectaccessreviews");

    public static TheoryData<string> Installs => [InstallManifests.Base, InstallManifests.Production];

    [Theory]
    [MemberData(nameof(Installs))]
    public async Task The_cluster_role_grants_exactly_what_the_portal_checks_it_has(string variant)
    {
        var objects = await InstallManifests.BuildAsync(variant, TestContext.Current.CancellationToken);
        var role = Assert.Single(objects.OfType<V1ClusterRole>());
        var granted = role.Rules.SelectMany(rule =>
            from verb in rule.Verbs
            from g in rule.ApiGroups
            from resource in rule.Resources
            select (verb, g, resource)).ToHashSet();

        Assert.DoesNotContain(granted, g => g.verb == "*" || g.g == "*" || g.resource == "*");
        Assert.All(role.Rules, rule => Assert.True(rule.ResourceNames is null or { Count: 0 } && rule.NonResourceURLs is null or { Count: 0 }));
        var missing = PortalPermissions.Needed.Where(n => !granted.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"the ClusterRole lacks what the portal needs: {string.Join(", ", missing)}");
        var extra = granted.Where(g => !PortalPermissions.Needed.Contains(g) && g != s_accessReview).ToList();
        Assert.True(extra.Count == 0, $"the ClusterRole grants more than the portal uses: {string.Join(", ", extra)}");
        Assert.Contains(s_accessReview, granted);
    }

    [Theory]
    [MemberData(nameof(Installs))]
    public async Task The_portal_runs_under_the_service_account_the_role_is_bound_to(string variant)
    {
        var objects = await InstallManifests.BuildAsync(variant, TestContext.Current.CancellationToken);
        var deployment = InstallManifests.Deployment(objects);
        var binding = Assert.Single(objects.OfType<V1ClusterRoleBinding>());
        var account = Assert.Single(objects.OfType<V1ServiceAccount>());

        Assert.Equal(Assert.Single(objects.OfType<V1ClusterRole>()).Metadata.Name, binding.RoleRef.Name);
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", account.Metadata.Name, deployment.Metadata.NamespaceProperty),
            (subject.Kind, subject.Name, subject.NamespaceProperty));
        Assert.Equal(account.Metadata.Name, deployment.Spec.Template.Spec.ServiceAccountName);
        Assert.Equal(deployment.Metadata.NamespaceProperty, account.Metadata.NamespaceProperty);
    }

    public static TheoryData<string> Variants => [InstallManifests.Base, InstallManifests.Production, InstallManifests.Demo];

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task The_pod_is_locked_down_probed_and_bounded(string variant)
    {
        var objects = await InstallManifests.BuildAsync(variant, TestContext.Current.CancellationToken);
        var pod = InstallManifests.Deployment(objects).Spec.Template.Spec;
        var portal = InstallManifests.Portal(objects);

        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.NotEqual(0, pod.SecurityContext.RunAsUser);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        Assert.True(portal.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(portal.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], portal.SecurityContext.Capabilities.Drop);

        // With a read-only root, whatever the portal writes goes to volumes: lego's folders (/tmp) and its data directory.
        var mounts = portal.VolumeMounts.Select(m => m.MountPath).ToList();
        Assert.Contains("/tmp", mounts);
        var settings = objects.OfType<V1ConfigMap>().Single().Data;
        Assert.Contains("/var/lib/portal", mounts);

        Assert.Equal("/healthz", portal.LivenessProbe.HttpGet.Path);
        Assert.Equal("/readyz", portal.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/healthz", portal.StartupProbe.HttpGet.Path);
        Assert.True(portal.Resources.Requests.ContainsKey("cpu") && portal.Resources.Requests.ContainsKey("memory"));
        Assert.True(portal.Resources.Limits.ContainsKey("memory"));
        Assert.DoesNotContain(settings.Keys, k => k.Contains("Secret", StringComparison.OrdinalIgnoreCase) || k.Contains("ConnectionStrings", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Installs))]
    public async Task Credentials_come_from_secrets_and_the_portal_manages_its_own_cluster(string variant)
    {
        var objects = await InstallManifests.BuildAsync(variant, TestContext.Current.CancellationToken);
        var env = InstallManifests.Portal(objects).Env.ToDictionary(e => e.Name);
        var settings = Assert.Single(objects.OfType<V1ConfigMap>()).Data;

        foreach (var name in new[] { "ConnectionStrings__Portal", "Portal__Auth__OpenIdConnect__ClientSecret", "Portal__Auth__OpenIdConnect__ClientId", "Portal__BootstrapToken" })
        {
            Assert.True(env.TryGetValue(name, out var variable) && variable.ValueFrom?.SecretKeyRef is not null, $"{name} is not read from a Secret");
            Assert.Null(variable.Value);
        }

        Assert.True(env["Portal__BootstrapToken"].ValueFrom.SecretKeyRef.Optional);
        Assert.Equal(("Production", "false", "true", "true"),
            (settings["ASPNETCORE_ENVIRONMENT"], settings["Portal__EmbeddedSandbox"], settings["Portal__Clusters__0__InCluster"], settings["ASPNETCORE_FORWARDEDHEADERS_ENABLED"]));

        var ingress = Assert.Single(objects.OfType<V1Ingress>());
        Assert.NotEmpty(ingress.Spec.Tls);
        Assert.Equal("3600", ingress.Metadata.Annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]);
    }

    [Fact]
    public async Task The_demo_holds_no_rights_in_the_real_cluster_needs_no_secret_and_is_not_exposed()
    {
        var objects = await InstallManifests.BuildAsync(InstallManifests.Demo, TestContext.Current.CancellationToken);
        var deployment = InstallManifests.Deployment(objects);
        var settings = Assert.Single(objects.OfType<V1ConfigMap>()).Data;

        Assert.Empty(objects.OfType<V1ClusterRole>());
        Assert.Empty(objects.OfType<V1ClusterRoleBinding>());
        Assert.Empty(objects.OfType<V1Ingress>());
        Assert.False(deployment.Spec.Template.Spec.AutomountServiceAccountToken);
        Assert.Empty(InstallManifests.Portal(objects).Env ?? []);
        Assert.Equal(("Development", "true"), (settings["ASPNETCORE_ENVIRONMENT"], settings["Portal__EmbeddedSandbox"]));
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("Portal__Clusters__", StringComparison.Ordinal));
        Assert.DoesNotContain("ASPNETCORE_FORWARDEDHEADERS_ENABLED", settings.Keys);
        Assert.Equal("Recreate", deployment.Spec.Strategy.Type);
        Assert.All(objects.OfType<IKubernetesObject<V1ObjectMeta>>().Where(o => o is not V1Namespace),
            o => Assert.Equal("airbyte-portal-demo", o.Metadata.NamespaceProperty));
    }
}
