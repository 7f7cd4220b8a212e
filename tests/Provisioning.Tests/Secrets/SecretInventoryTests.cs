using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Secrets.Inventory;
using Portal.Provisioning.Stacks;
using Portal.Provisioning.Tests.Deploy;
using Portal.Provisioning.Tests.Steps;

namespace Portal.Provisioning.Tests.Inventory;

/// <summary>The whole blueprint deployed into the sandbox through the real handlers (PostgreSQL external on the local server), its
/// record in a real PostgreSQL portal database, and the secret inventory over both.</summary>
public sealed class SecretWorld : IAsyncLifetime
{
    private ExternalPostgres? _postgres;

    internal StackHarness Harness { get; private set; } = null!;

    internal StackSpec Spec { get; private set; } = null!;

    internal SecretService Service => Harness.Get<SecretService>();

    public async ValueTask InitializeAsync()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        _postgres = await ExternalPostgres.CreateAsync($"sec{suffix}");
        var spec = _postgres.Spec($"secrets-{suffix}");
        Harness = await StackHarness.StartAsync(register: s => s.AddSecretInventory(), provider: "postgres");
        await Harness.StackSecrets.StoreInputsAsync(spec, TestContext.Current.CancellationToken);
        var deploy = await Harness.RunAsync(OperationKind.Deploy, StackPlanner.Default.Deploy(spec).Value, spec);
        Assert.True(deploy.State == OperationState.Succeeded, string.Join("; ", deploy.Steps.Where(s => s.Error is not null).Select(s => $"{s.Key}: {s.Error}")));

        Spec = spec.WithoutSecrets(ComponentCatalog.Default);
        await using var context = Harness.Database.CreateContext();
        context.Stacks.Add(new StackRecord
        {
            Id = Guid.NewGuid(),
            Name = Spec.Name,
            Blueprint = Spec.Blueprint,
            Cluster = StackHarness.ClusterName,
            Namespace = Spec.Namespace,
            Spec = Spec,
            Applied = Spec,
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        });
        await context.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    // Keys whose values are secrets; the others in relation Secrets (host, port, database, user) are plain facts that may be shown.
    private static readonly string[] SecretKeys =
        ["password", "secret-key", "root-password", "cookie-secret", "signing-secret", "client-secret", "admin-password", "superuser-password", "tls.key", "ca.key"];

    /// <summary>Every secret value of every Secret in the stack's namespace, read from the cluster.</summary>
    internal async Task<List<string>> ValuesAsync()
    {
        var secrets = await Harness.Client.CoreV1.ListNamespacedSecretAsync(Spec.Namespace, cancellationToken: TestContext.Current.CancellationToken);
        return secrets.Items.SelectMany(s => s.Data ?? new Dictionary<string, byte[]>()).Where(d => SecretKeys.Contains(d.Key)).Select(d => Encoding.UTF8.GetString(d.Value))
            .Where(v => v.Length >= 6).Distinct(StringComparer.Ordinal).ToList();
    }

    internal Task<V1Secret> SecretAsync(string name) =>
        Harness.Client.CoreV1.ReadNamespacedSecretAsync(name, Spec.Namespace, cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }
}

/// <summary>The secret inventory of a deployed stack: what it lists, that no value ever appears in it, policies, the blast radius,
/// and the ledger of stale workloads.</summary>
public sealed class SecretInventoryTests(SecretWorld world) : IClassFixture<SecretWorld>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_deployed_stack_lists_every_secret_at_revision_1_with_fingerprints_and_consumers_and_a_bumped_revision_shows_its_consumers_stale()
    {
        var inventory = Ok(await world.Service.ListAsync(world.Spec.Name, Ct));
        Assert.Equal(world.Spec.Namespace, inventory.Namespace);
        Assert.Equal("any time", inventory.MaintenanceWindow);
        Assert.Equal(
            ["airbyte-webhooks.signing-secret", "airbyte.airbyte-auth-secrets", "minio.root-credentials", "oauth2-proxy.client-secret",
                "oauth2-proxy.cookie-secret", "postgresql.admin-credentials", "postgresql.airbyte-db", "postgresql.temporal-db", "postgresql.temporal-visibility"],
            inventory.Secrets.Select(s => s.Id).Order(StringComparer.Ordinal));

        var portalWritten = inventory.Secrets.Where(s => s.Id != "airbyte.airbyte-auth-secrets").ToList();
        Assert.All(portalWritten, s =>
        {
            Assert.Equal(1, s.Revision);
            Assert.Matches("^[0-9a-f]{12}$", s.Fingerprint);
            Assert.NotNull(s.CreatedAt);
            Assert.Empty(s.Stale);
        });

        // The policy test of this class may have set the cookie secret's already.
        Assert.All(portalWritten.Where(s => s.Id != "oauth2-proxy.cookie-secret"), s => Assert.Equal(Portal.Provisioning.Secrets.RotationPolicy.Never, s.Policy));

        // The fingerprint is the SHA-256 of the value in the cluster, not a value.
        var db = inventory.Secrets.Single(s => s.Id == "postgresql.airbyte-db");
        var password = (await world.SecretAsync("airbyte-db-relation")).Data[RelationData.Password];
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(password))[..12], db.Fingerprint);
        Assert.Equal("airbyte-db-relation/password", db.KubernetesSecret);
        Assert.Equal("relation", db.Source);
        Assert.Equal("database-password", db.Rotation);
        Assert.Contains("airbyte-server", db.Consumers);
        Assert.Contains("airbyte-worker", db.Consumers);
        Assert.DoesNotContain("minio", db.Consumers);
        Assert.Equal(["temporal"], inventory.Secrets.Single(s => s.Id == "postgresql.temporal-visibility").Consumers);
        Assert.Equal(["oauth2-proxy"], inventory.Secrets.Single(s => s.Id == "oauth2-proxy.cookie-secret").Consumers);
        Assert.Equal("minio", inventory.Secrets.Single(s => s.Id == "minio.root-credentials").Consumers[0]);
        Assert.StartsWith("Read-only", inventory.Secrets.Single(s => s.Id == "postgresql.admin-credentials").NotRotatable, StringComparison.Ordinal);

        await AssertNoValueInAsync(inventory);

        // The ledger: a new revision of the Secret that nobody rolled leaves every consumer's pods on revision 1.
        var secret = await world.SecretAsync("airbyte-db-relation");
        secret.Metadata.Annotations[PortalLabels.RevisionAnnotation] = "2";
        await world.Harness.Client.CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, world.Spec.Namespace, cancellationToken: Ct);

        var bumped = Ok(await world.Service.ListAsync(world.Spec.Name, Ct)).Secrets.Single(s => s.Id == "postgresql.airbyte-db");
        Assert.Equal(2, bumped.Revision);
        Assert.Equal(bumped.Consumers.Order(StringComparer.Ordinal), bumped.Stale.Select(s => s.Workload));
        var pods = await world.Harness.Client.CoreV1.ListNamespacedPodAsync(world.Spec.Namespace, cancellationToken: Ct);
        Assert.All(bumped.Stale, stale =>
        {
            Assert.Equal(1, stale.LoadedRevision);
            Assert.NotEmpty(stale.Pods);
            Assert.All(stale.Pods, pod => Assert.Contains(pods.Items, p => p.Metadata.Name == pod));
        });
        Assert.Empty(Ok(await world.Service.ListAsync(world.Spec.Name, Ct)).Secrets.Single(s => s.Id == "postgresql.temporal-db").Stale);
    }

    [Fact]
    public async Task A_policy_is_written_on_the_secret_audited_and_gives_the_next_rotation_and_a_bad_word_lists_the_allowed_ones_and_changes_nothing()
    {
        var set = Ok(await world.Service.SetPolicyAsync(world.Spec.Name, "oauth2-proxy.cookie-secret", "monthly", "ops@example.com", Ct));
        Assert.Equal(Portal.Provisioning.Secrets.RotationPolicy.Monthly, set.Policy);
        Assert.Equal(set.CreatedAt!.Value.AddMonths(1), set.NextRotation);
        Assert.False(set.Overdue);

        // oauth2-proxy-secrets also holds the client secret: the policy is the cookie secret's alone.
        var live = await world.SecretAsync("oauth2-proxy-secrets");
        Assert.Equal("monthly", live.Metadata.Annotations[SecretAnnotations.PerSecret(SecretAnnotations.RotationPolicy, "cookie-secret")]);
        var listed = Ok(await world.Service.ListAsync(world.Spec.Name, Ct)).Secrets;
        Assert.Equal(Portal.Provisioning.Secrets.RotationPolicy.Monthly, listed.Single(s => s.Id == "oauth2-proxy.cookie-secret").Policy);
        Assert.Equal(Portal.Provisioning.Secrets.RotationPolicy.Never, listed.Single(s => s.Id == "oauth2-proxy.client-secret").Policy);

        var bad = await world.Service.SetPolicyAsync(world.Spec.Name, "oauth2-proxy.cookie-secret", "hourly", "ops@example.com", Ct);
        Assert.Equal(ServiceStatus.Invalid, bad.Status);
        var error = Assert.Single(bad.Errors);
        Assert.Equal("policy", error.Path);
        Assert.Contains("never, daily, weekly, monthly, quarterly, yearly", error.Message, StringComparison.Ordinal);
        Assert.Equal("monthly", (await world.SecretAsync("oauth2-proxy-secrets")).Metadata.Annotations[SecretAnnotations.PerSecret(SecretAnnotations.RotationPolicy, "cookie-secret")]);

        var readOnly = await world.Service.SetPolicyAsync(world.Spec.Name, "postgresql.admin-credentials", "yearly", "ops@example.com", Ct);
        Assert.Equal("secret", Assert.Single(readOnly.Errors).Path);

        await using var context = world.Harness.Database.CreateContext();
        var audit = await context.Audit.AsNoTracking().Where(a => a.Action == SecretService.SetPolicyAction && a.Stack == world.Spec.Name).OrderBy(a => a.Id).ToListAsync(Ct);
        Assert.Equal(
            [
                "accepted: rotation policy of oauth2-proxy.cookie-secret set to monthly (was never)",
                "refused: policy: 'hourly' is not a rotation policy: choose never, daily, weekly, monthly, quarterly, yearly.",
            ],
            audit.Take(2).Select(a => a.Result));
        Assert.Equal(3, audit.Count);
        Assert.All(audit, a => Assert.Equal("ops@example.com", a.Actor));
    }

    [Fact]
    public async Task The_preview_restarts_minio_before_its_consumers_and_refuses_the_read_only_admin_credentials()
    {
        var preview = Ok(await world.Service.PreviewRotationAsync(world.Spec.Name, "minio.root-credentials", Ct));
        Assert.Equal("minio", preview.Restarts[0].Workload);
        Assert.Equal("loads minio-secrets", preview.Restarts[0].Why);
        Assert.Contains(preview.Restarts, r => r.Workload == "airbyte-server" && r.Why == "loads airbyte-object-storage-relation");
        Assert.Equal(Enumerable.Range(1, preview.Restarts.Count), preview.Restarts.Select(r => r.Order));
        Assert.Equal("Uploads pause while MinIO and then Airbyte restart.", preview.UserImpact);
        Assert.False(preview.NeedsValue);
        Assert.Contains("revision 2 of Secret minio-secrets", preview.Steps[1], StringComparison.Ordinal);
        Assert.True(Ok(await world.Service.PreviewRotationAsync(world.Spec.Name, "oauth2-proxy.client-secret", Ct)).NeedsValue);
        await AssertNoValueInAsync(preview);

        var refused = await world.Service.PreviewRotationAsync(world.Spec.Name, "postgresql.admin-credentials", Ct);
        Assert.Equal(ServiceStatus.Invalid, refused.Status);
        var error = Assert.Single(refused.Errors);
        Assert.Equal("secret", error.Path);
        Assert.Contains("Read-only", error.Message, StringComparison.Ordinal);

        Assert.Equal(ServiceStatus.NotFound, (await world.Service.PreviewRotationAsync(world.Spec.Name, "minio.no-such-secret", Ct)).Status);
        Assert.Equal(ServiceStatus.NotFound, (await world.Service.PreviewRotationAsync("no-such-stack", "minio.root-credentials", Ct)).Status);
        Assert.Equal("secret", Assert.Single((await world.Service.PreviewRotationAsync(world.Spec.Name, "minio", Ct)).Errors).Path);
    }

    [Fact]
    public async Task Rotation_and_roll_back_go_to_the_rotations_which_refuse_them_without_a_reason()
    {
        var rotate = await world.Service.RotateAsync(world.Spec.Name, "oauth2-proxy.cookie-secret", new SecretRotationRequest(null), "ops@example.com", Ct);
        var rollback = await world.Service.RollbackAsync(world.Spec.Name, "oauth2-proxy.cookie-secret", null, " ", "ops@example.com", Ct);

        Assert.Equal(ServiceStatus.Invalid, rotate.Status);
        Assert.Contains(rotate.Errors, e => e.Path == "reason");
        Assert.Equal(ServiceStatus.Invalid, rollback.Status);
        Assert.Contains(rollback.Errors, e => e.Path == "reason");
    }

    [Fact]
    public async Task An_unknown_stack_is_not_found() =>
        Assert.Equal(ServiceStatus.NotFound, (await world.Service.ListAsync("no-such-stack", Ct)).Status);

    // Every string of the JSON form, searched for every Secret value in the namespace.
    private async Task AssertNoValueInAsync<T>(T view)
    {
        var json = JsonSerializer.Serialize(view, Json);
        var strings = Strings(JsonDocument.Parse(json).RootElement).ToList();
        var values = await world.ValuesAsync();
        Assert.True(values.Count >= 8, $"expected the stack's secret values, found {values.Count}");
        foreach (var value in values)
        {
            Assert.DoesNotContain(strings, s => s.Contains(value, StringComparison.Ordinal));
        }
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value).Append(p.Name)),
        _ => [],
    };

    private static T Ok<T>(ServiceResult<T> result)
    {
        Assert.True(result.IsSuccess, $"{result.Status}: {result.Message} {string.Join("; ", result.Errors)}");
        return result.Value;
    }
}
