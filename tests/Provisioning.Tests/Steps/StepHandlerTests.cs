using System.Text;
using k8s;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Rendering.Kinds;
using Portal.Provisioning.Steps.Relations;
using Portal.Sandbox;

namespace Portal.Provisioning.Tests.Steps;

/// <summary>Each handler against a real in-process sandbox: what it creates, and that running it again changes nothing.</summary>
public sealed class StepHandlerTests
{
    private static StackSpec Spec(string suffix) => TestStacks.Minimal($"s{suffix}", $"steps-{suffix}");

    private static string Suffix() => Guid.NewGuid().ToString("N")[..6];

    private static async Task<Dictionary<string, string>> VersionsAsync(StackHarness harness, StackSpec spec) =>
        (await harness.StackObjectsAsync(spec)).ToDictionary(p => p.Key, p => p.Value.Metadata.ResourceVersion);

    [Fact]
    public async Task EnsureNamespace_creates_a_labelled_namespace_and_a_second_run_changes_nothing()
    {
        await using var harness = await StackHarness.StartAsync();
        var spec = Spec(Suffix());

        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace)));
        var first = await harness.Cluster.ReadAsync<V1Namespace>("v1", "Namespace", null, spec.Namespace, TestContext.Current.CancellationToken);
        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace)));
        var second = await harness.Cluster.ReadAsync<V1Namespace>("v1", "Namespace", null, spec.Namespace, TestContext.Current.CancellationToken);

        Assert.Equal(spec.Name, first!.Metadata.Labels[PortalLabels.Stack]);
        Assert.Equal(PortalLabels.ManagedByValue, first.Metadata.Labels[PortalLabels.ManagedBy]);
        Assert.Equal(first.Metadata.ResourceVersion, second!.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task EnsureNamespace_refuses_a_namespace_of_another_stack_for_good()
    {
        await using var harness = await StackHarness.StartAsync();
        var suffix = Suffix();
        var other = TestStacks.Minimal("other", $"steps-{suffix}");
        var spec = Spec(suffix);
        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(other, StepIds.EnsureNamespace(other.Namespace)));

        var refused = await Assert.ThrowsAsync<ClusterException>(() => harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace)));

        Assert.False(refused.Transient);
        Assert.Contains("belongs to stack other", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Component_secrets_keep_generated_values_replace_operator_values_and_bump_the_revision()
    {
        await using var harness = await StackHarness.StartAsync();
        var spec = Spec(Suffix());
        var ct = TestContext.Current.CancellationToken;
        await harness.StackSecrets.StoreInputsAsync(spec, ct);
        var name = ObjectNames.ComponentSecret("oauth2-proxy");
        var first = (await harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", spec.Namespace, name, ct))!;

        // The same inputs again, then the operation's spec without secrets: nothing changes.
        await harness.StackSecrets.StoreInputsAsync(spec, ct);
        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Apply("oauth2-proxy")));
        var unchanged = (await harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", spec.Namespace, name, ct))!;
        Assert.Equal(first.Metadata.ResourceVersion, unchanged.Metadata.ResourceVersion);

        // A new client secret from the operator replaces the old one; the generated cookie secret stays.
        var rotated = TestStacks.Minimal(spec.Name, spec.Namespace, c => c["oauth2-proxy"]["client-secret"] = "a-brand-new-client-secret-value");
        await harness.StackSecrets.StoreInputsAsync(rotated, ct);
        var after = (await harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", spec.Namespace, name, ct))!;

        Assert.Equal("a-brand-new-client-secret-value", Encoding.UTF8.GetString(after.Data[OAuth2ProxyRenderer.ClientSecretKey]));
        Assert.Equal(first.Data[OAuth2ProxyRenderer.CookieSecretKey], after.Data[OAuth2ProxyRenderer.CookieSecretKey]);
        Assert.Equal("1", first.Metadata.Annotations[PortalLabels.RevisionAnnotation]);
        Assert.Equal("2", after.Metadata.Annotations[PortalLabels.RevisionAnnotation]);
        Assert.Equal(32, Convert.FromBase64String(Encoding.UTF8.GetString(after.Data[OAuth2ProxyRenderer.CookieSecretKey]).Replace('-', '+').Replace('_', '/')).Length);
    }

    [Fact]
    public async Task A_rotated_operator_secret_rolls_the_workloads_that_load_it_on_the_next_apply()
    {
        await using var harness = await StackHarness.StartAsync();
        var spec = Spec(Suffix());
        var ct = TestContext.Current.CancellationToken;
        await harness.StackSecrets.StoreInputsAsync(spec, ct);
        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Apply("oauth2-proxy")));
        var before = (await harness.Cluster.ReadAsync<V1Deployment>("apps/v1", "Deployment", spec.Namespace, "oauth2-proxy", ct))!;

        await harness.StackSecrets.StoreInputsAsync(TestStacks.Minimal(spec.Name, spec.Namespace, c => c["oauth2-proxy"]["client-secret"] = "rotated-client-secret-0123456789"), ct);
        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Apply("oauth2-proxy")));
        var after = (await harness.Cluster.ReadAsync<V1Deployment>("apps/v1", "Deployment", spec.Namespace, "oauth2-proxy", ct))!;

        var ledger = PortalLabels.SecretRevisionsAnnotation;
        Assert.Contains("oauth2-proxy-secrets=1", before.Spec.Template.Metadata.Annotations[ledger], StringComparison.Ordinal);
        Assert.Contains("oauth2-proxy-secrets=2", after.Spec.Template.Metadata.Annotations[ledger], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_writers_of_a_component_secret_agree_on_one_generated_value()
    {
        await using var harness = await StackHarness.StartAsync();
        var spec = Spec(Suffix());
        var ct = TestContext.Current.CancellationToken;
        await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace));
        var secrets = harness.Get<Provisioning.Secrets.ComponentSecrets>();

        var written = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => secrets.EnsureAsync(harness.Cluster, spec, "airbyte-webhooks", ct)));
        var stored = (await harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", spec.Namespace, ObjectNames.ComponentSecret("airbyte-webhooks"), ct))!;

        Assert.All(written, w => Assert.Equal(stored.Data[WebhooksRenderer.SigningSecretKey], w!.Data[WebhooksRenderer.SigningSecretKey]));
        Assert.Equal(64, stored.Data[WebhooksRenderer.SigningSecretKey].Length);
    }

    [Theory]
    [InlineData("minio", new[] { MinioRenderer.RootUserKey, MinioRenderer.RootPasswordKey })]
    [InlineData("airbyte-webhooks", new[] { WebhooksRenderer.SigningSecretKey })]
    [InlineData("oauth2-proxy", new[] { OAuth2ProxyRenderer.ClientSecretKey, OAuth2ProxyRenderer.CookieSecretKey })]
    [InlineData("postgresql", new[] { PostgresqlRenderer.AdminPasswordKey })]
    public async Task Component_secrets_hold_the_keys_the_renderers_read(string component, string[] keys)
    {
        await using var harness = await StackHarness.StartAsync();
        var spec = Spec(Suffix());
        await harness.StackSecrets.StoreInputsAsync(spec, TestContext.Current.CancellationToken);

        var secret = await harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", spec.Namespace, ObjectNames.ComponentSecret(component), TestContext.Current.CancellationToken);

        Assert.Equal(keys.Order(), secret!.Data.Keys.Order());
        Assert.Equal(component, secret.Metadata.Labels[PortalLabels.Component]);
    }

    [Fact]
    public async Task ApplyComponent_applies_the_rendered_objects_and_a_second_run_changes_nothing()
    {
        await using var harness = await StackHarness.StartAsync();
        var spec = Spec(Suffix());
        await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace));

        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Apply("minio")));

        // Once healthy, the controllers stop writing status: from here on only the portal could change anything.
        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Await("minio")));
        await harness.Sandbox.WaitForIdleAsync(TestContext.Current.CancellationToken);
        var before = await VersionsAsync(harness, spec);
        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Apply("minio")));
        var after = await VersionsAsync(harness, spec);

        Assert.Contains("StatefulSet/minio", before.Keys);
        Assert.Contains($"Secret/{ObjectNames.ComponentSecret("minio")}", before.Keys);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task ApplyComponent_of_an_ingress_leaves_its_routes_to_the_route_relations()
    {
        await using var harness = await StackHarness.StartAsync();
        var spec = Spec(Suffix());
        await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace));

        var outcome = Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Apply("ingress")));

        Assert.Contains("no objects of its own", outcome.Message, StringComparison.Ordinal);
        Assert.DoesNotContain((await harness.StackObjectsAsync(spec)).Keys, k => k.StartsWith("Ingress/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AwaitHealthy_waits_for_the_workload_and_succeeds_once_it_is_ready()
    {
        await using var harness = await StackHarness.StartAsync();
        var spec = Spec(Suffix());
        await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace));
        var execution = StackHarness.Execution(spec, StepIds.Await("minio"));

        var early = await harness.Handler(StepKind.AwaitHealthy).RunAsync(execution, TestContext.Current.CancellationToken);
        await harness.RunStepAsync(spec, StepIds.Apply("minio"));
        var done = await harness.RunStepAsync(spec, StepIds.Await("minio"));

        Assert.Contains("StatefulSet/minio", Assert.IsType<StepOutcome.NotReady>(early).WaitingFor, StringComparison.Ordinal);
        Assert.Equal("minio healthy", Assert.IsType<StepOutcome.Done>(done).Message);
    }

    [Fact]
    public async Task AwaitHealthy_fails_with_the_reason_when_a_pod_crash_loops()
    {
        await using var harness = await StackHarness.StartAsync(o => o.Faults = new FaultSettings { CrashLoopImages = ["minio/minio*"] });
        var spec = Spec(Suffix());
        await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace));
        await harness.RunStepAsync(spec, StepIds.Apply("minio"));

        var failed = Assert.IsType<StepOutcome.Failed>(await harness.RunStepAsync(spec, StepIds.Await("minio")));

        Assert.False(failed.Permanent);
        // Caught backing off or just restarted: either way the step names the pod and why.
        Assert.StartsWith("Pod minio-0 is degraded", failed.Error, StringComparison.Ordinal);
        Assert.Matches("CrashLoopBackOff|NotReadyAfterRestart", failed.Error);
    }

    [Fact]
    public async Task Object_storage_writes_the_credentials_runs_the_bucket_job_and_a_second_run_changes_nothing()
    {
        await using var harness = await StackHarness.StartAsync();
        var spec = Spec(Suffix());
        var relation = spec.Relations.Single(r => r.Interface == Domain.Catalog.Interfaces.ObjectStorage);
        await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace));
        await harness.RunStepAsync(spec, StepIds.Apply("minio"));
        await harness.RunStepAsync(spec, StepIds.Await("minio"));

        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Provision(relation)));
        await harness.Sandbox.WaitForIdleAsync(TestContext.Current.CancellationToken);
        var before = await VersionsAsync(harness, spec);
        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Provision(relation)));
        var after = await VersionsAsync(harness, spec);

        var job = (await harness.StackObjectsAsync(spec))[$"Job/{ObjectNames.RelationJob(relation, "buckets")}"];
        var env = ((V1Job)job).Spec.Template.Spec.Containers.Single().Env;
        Assert.All(env.Where(e => e.Name.StartsWith("MINIO_", StringComparison.Ordinal)), e => Assert.NotNull(e.ValueFrom?.SecretKeyRef));
        Assert.Contains($"Secret/{ObjectNames.RelationSecret(relation)}", before.Keys);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Object_storage_reports_a_failed_bucket_job_with_its_reason()
    {
        var suffix = Suffix();
        var spec = Spec(suffix);
        var relation = spec.Relations.Single(r => r.Interface == Domain.Catalog.Interfaces.ObjectStorage);
        await using var harness = await StackHarness.StartAsync(o => o.Faults = new FaultSettings { FailingJobs = [ObjectNames.RelationJob(relation, "buckets")] });
        await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace));
        await harness.RunStepAsync(spec, StepIds.Apply("minio"));

        // The Job's pod restarts with back-off; the step fails once it sees the crash loop (slow on a loaded machine).
        var failed = Assert.IsType<StepOutcome.Failed>(await harness.RunStepAsync(spec, StepIds.Provision(relation), timeout: TimeSpan.FromMinutes(3)));

        Assert.StartsWith($"Job {ObjectNames.RelationJob(relation, "buckets")} keeps failing to create the buckets", failed.Error, StringComparison.Ordinal);
        Assert.Contains("exited with code 1 (Error)", failed.Error, StringComparison.Ordinal);
        Assert.False(failed.Permanent);
    }

    [Fact]
    public async Task Certificates_are_issued_per_hostname_from_the_internal_ca_and_kept_while_valid()
    {
        await using var harness = await StackHarness.StartAsync();
        var spec = Spec(Suffix());
        var relation = spec.Relations.Single(r => r.Interface == Domain.Catalog.Interfaces.TlsCertificates);
        var ct = TestContext.Current.CancellationToken;
        await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace));

        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Provision(relation)));
        var before = await VersionsAsync(harness, spec);
        var kept = Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Provision(relation)));

        Assert.Equal(before, await VersionsAsync(harness, spec));
        Assert.Contains("are valid", kept.Message, StringComparison.Ordinal);
        var tls = (await harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", spec.Namespace, ObjectNames.TlsSecret("airbyte.example.com"), ct))!;
        var ca = (await harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", spec.Namespace, TlsCertificatesWiring.CaSecretName("lego"), ct))!;
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(tls.Data["tls.crt"]));
        using var root = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(ca.Data["tls.crt"]));
        Assert.Equal("kubernetes.io/tls", tls.Type);
        Assert.True(certificate.MatchesHostname("airbyte.example.com"));
        Assert.Equal(root.Subject, certificate.Issuer);
        Assert.Equal(relation.LabelValue, tls.Metadata.Labels[PortalLabels.Relation]);
    }

    [Fact]
    public async Task A_route_applies_the_ingress_of_its_requirer_and_the_ingress_is_healthy_once_addressed()
    {
        await using var harness = await StackHarness.StartAsync();
        var spec = Spec(Suffix());
        var route = spec.Relations.Single(r => r.Key == "airbyte:nginx-route--ingress:nginx-route");
        await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace));

        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Provision(route)));
        var ingress = (await harness.Cluster.ReadAsync<V1Ingress>("networking.k8s.io/v1", "Ingress", spec.Namespace, ObjectNames.Ingress("ingress", "airbyte"), TestContext.Current.CancellationToken))!;

        // Airbyte is proxied: its route goes to the OAuth2 proxy.
        Assert.Equal("oauth2-proxy", ingress.Spec.Rules.Single().Http.Paths.Single().Backend.Service.Name);
        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Await("ingress")));
    }

    [Fact]
    public async Task Temporal_host_info_hands_out_the_frontend_service()
    {
        await using var harness = await StackHarness.StartAsync();
        var spec = Spec(Suffix());
        var relation = spec.Relations.First(r => r.Interface == Domain.Catalog.Interfaces.TemporalHostInfo);
        await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace));

        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Provision(relation)));
        var secret = (await harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", spec.Namespace, ObjectNames.RelationSecret(relation), TestContext.Current.CancellationToken))!;

        Assert.Equal($"temporal.{spec.Namespace}.svc", Encoding.UTF8.GetString(secret.Data[RelationData.Host]));
        Assert.Equal("7233", Encoding.UTF8.GetString(secret.Data[RelationData.Port]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RemoveComponent_deletes_the_component_and_keeps_its_volume_unless_asked(bool deleteVolumes)
    {
        await using var harness = await StackHarness.StartAsync();
        var spec = Spec(Suffix());
        await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace));
        await harness.RunStepAsync(spec, StepIds.Apply("minio"));
        await harness.RunStepAsync(spec, StepIds.Await("minio"));
        var teardown = StackPlanner.Default.Teardown(spec, TeardownOptions.Create(deleteVolumes, false, false).Value).Value;

        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.RemoveComponent("minio"), teardown));
        await harness.Sandbox.WaitForIdleAsync(TestContext.Current.CancellationToken);

        var left = (await harness.StackObjectsAsync(spec)).Keys.Where(k => !k.StartsWith("Secret/", StringComparison.Ordinal) || k.Contains("minio", StringComparison.Ordinal)).ToList();
        Assert.Equal(deleteVolumes ? [] : ["PersistentVolumeClaim/data-minio-0"], left);
    }
}

/// <summary>Deleting the namespace: only the stack's own.</summary>
public sealed class RemoveNamespaceHandlerTests
{
    [Fact]
    public async Task RemoveNamespace_deletes_the_stacks_namespace_and_leaves_a_foreign_one_alone()
    {
        await using var harness = await StackHarness.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var spec = TestStacks.Minimal($"s{suffix}", $"rm-{suffix}");
        var foreign = TestStacks.Minimal($"f{suffix}", $"foreign-{suffix}");
        await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace));
        await harness.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = foreign.Namespace } }, cancellationToken: ct);
        var everything = TeardownOptions.Create(true, true, true).Value;

        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.RemoveNamespace(spec.Namespace), StackPlanner.Default.Teardown(spec, everything).Value));
        var refused = await Assert.ThrowsAsync<ClusterException>(
            () => harness.RunStepAsync(foreign, StepIds.RemoveNamespace(foreign.Namespace), StackPlanner.Default.Teardown(foreign, everything).Value));

        var gone = await harness.Cluster.ReadAsync<V1Namespace>("v1", "Namespace", null, spec.Namespace, ct);
        Assert.True(gone is null || gone.Metadata.DeletionTimestamp is not null);
        Assert.NotNull(await harness.Cluster.ReadAsync<V1Namespace>("v1", "Namespace", null, foreign.Namespace, ct));
        Assert.False(refused.Transient);
    }
}
