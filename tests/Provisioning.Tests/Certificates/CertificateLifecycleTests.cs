using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Stacks;
using Portal.Provisioning.Steps;

namespace Portal.Provisioning.Tests.Certificates;

/// <summary>Rotate, roll back, upload and auto-renew against the sandbox, with a real PostgreSQL portal database.</summary>
public sealed class CertificateLifecycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Revisions_install_keep_the_last_three_restore_as_a_new_revision_and_ignore_a_repeated_writer()
    {
        await using var world = await CertificateWorld.StartAsync();
        var cluster = world.Harness.Cluster;
        var ns = world.Spec.Namespace;
        const string host = "revisions.example.com";
        var labels = new Dictionary<string, string> { [PortalLabels.ManagedBy] = PortalLabels.ManagedByValue, [PortalLabels.Stack] = world.Spec.Name };
        var materials = Enumerable.Range(1, 5).Select(_ => TestCertificates.Leaf(host)).Select(l => new TlsMaterial(l.Certificate, l.Key, null)).ToList();

        for (var i = 0; i < materials.Count; i++)
        {
            var installed = await TlsSecretRevisions.InstallAsync(cluster, ns, host, materials[i], CertificateSource.Manual, $"w{i}", labels, DateTimeOffset.UtcNow, Ct);
            Assert.Equal(new InstalledRevision(i + 1, true), installed);
        }

        var again = await TlsSecretRevisions.InstallAsync(cluster, ns, host, materials[0], CertificateSource.Manual, "w4", labels, DateTimeOffset.UtcNow, Ct);
        var name = ObjectNames.TlsSecret(host);
        var kept = await TlsSecretRevisions.KeptAsync(cluster, ns, name, Ct);

        Assert.Equal(new InstalledRevision(5, false), again);
        Assert.Equal([4, 3, 2], kept.Select(Portal.Provisioning.Secrets.ManagedSecrets.RevisionOf));
        Assert.Equal(materials[2].CertificateChainPem, Portal.Provisioning.Secrets.ManagedSecrets.Value(kept.Single(k => k.Metadata.Name == $"{name}-rev-3"), "tls.crt"));
        Assert.Equal(materials[4].CertificateChainPem, Portal.Provisioning.Secrets.ManagedSecrets.Value(await TlsSecretRevisions.ReadAsync(cluster, ns, name, Ct), "tls.crt"));

        var restored = await TlsSecretRevisions.RestoreAsync(cluster, ns, host, 2, "r1", DateTimeOffset.UtcNow, Ct);
        var restoredAgain = await TlsSecretRevisions.RestoreAsync(cluster, ns, host, 2, "r1", DateTimeOffset.UtcNow, Ct);
        var live = (await TlsSecretRevisions.ReadAsync(cluster, ns, name, Ct))!;

        Assert.Equal(new InstalledRevision(6, true), restored);
        Assert.Equal(new InstalledRevision(6, false), restoredAgain);
        Assert.Equal(materials[1].CertificateChainPem, Portal.Provisioning.Secrets.ManagedSecrets.Value(live, "tls.crt"));
        Assert.Equal("kubernetes.io/tls", live.Type);
        Assert.Equal([5, 4, 3], (await TlsSecretRevisions.KeptAsync(cluster, ns, name, Ct)).Select(Portal.Provisioning.Secrets.ManagedSecrets.RevisionOf));
        Assert.Null(await TlsSecretRevisions.RestoreAsync(cluster, ns, host, 1, "r2", DateTimeOffset.UtcNow, Ct));
    }

    [Fact]
    public async Task Rotate_changes_the_serial_keeps_the_previous_revision_audits_and_a_redelivered_issue_writes_nothing()
    {
        await using var world = await CertificateWorld.StartAsync();
        var before = await world.LiveAsync();

        var started = await world.Service.RotateAsync(world.Spec.Name, CertificateWorld.Host, "key may have leaked", "ops@example.com", Ct);
        Assert.True(started.IsSuccess, started.Message);
        await world.Harness.DrainAsync();

        var after = await world.LiveAsync();
        var operation = (await world.Harness.Get<Portal.Provisioning.Persistence.OperationStore>().FindAsync(started.Value.OperationId!.Value, Ct))!;
        Assert.Equal(OperationState.Succeeded, operation.State);
        Assert.Equal(OperationKind.RotateCertificate, operation.Kind);
        Assert.NotEqual(CertificateWorld.Serial(before), CertificateWorld.Serial(after));
        Assert.Equal(2, Portal.Provisioning.Secrets.ManagedSecrets.RevisionOf(after));
        var previous = Assert.Single(await TlsSecretRevisions.KeptAsync(world.Harness.Cluster, world.Spec.Namespace, ObjectNames.TlsSecret(CertificateWorld.Host), Ct));
        Assert.Equal(CertificateWorld.Serial(before), CertificateWorld.Serial(previous));
        var verify = operation.Steps.Single(s => s.Kind == StepKind.VerifyCertificate);
        Assert.StartsWith(VerifyCertificateHandler.NotReachable, verify.Message, StringComparison.Ordinal);

        await using (var context = world.Harness.Database.CreateContext())
        {
            var audit = await context.Audit.AsNoTracking().SingleAsync(a => a.OperationId == operation.Id, Ct);
            Assert.Equal("rotate-certificate", audit.Action);
            Assert.Equal("key may have leaked", audit.Reason);
            Assert.Equal($"{world.Spec.Name}/{CertificateWorld.Host}", audit.Target);
            Assert.StartsWith("accepted: Rotate the certificate of airbyte.example.com", audit.Result, StringComparison.Ordinal);
        }

        // A job delivered again after the step succeeded (or a worker that crashed after the install) finds its revision.
        var issue = operation.Steps.Single(s => s.Kind == StepKind.IssueCertificate);
        var calls = world.Issuer.Calls;
        var repeated = await world.Harness.Handler(StepKind.IssueCertificate).RunAsync(new StepExecution(operation, issue), Ct);
        Assert.Contains("already installed by this operation", Assert.IsType<StepOutcome.Done>(repeated).Message, StringComparison.Ordinal);
        Assert.Equal(calls, world.Issuer.Calls);
        Assert.Equal(after.Metadata.ResourceVersion, (await world.LiveAsync()).Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_failing_issuer_leaves_the_live_certificate_and_records_the_attempt()
    {
        await using var world = await CertificateWorld.StartAsync();
        var before = await world.LiveAsync();
        world.Issuer.FailWith = "the ACME server refused the order: the e-mail address is rejected";

        var started = await world.Service.RotateAsync(world.Spec.Name, CertificateWorld.Host, "monthly rotation", "ops@example.com", Ct);
        await world.Harness.DrainAsync();

        var after = await world.LiveAsync();
        var operation = (await world.Harness.Get<Portal.Provisioning.Persistence.OperationStore>().FindAsync(started.Value.OperationId!.Value, Ct))!;
        Assert.Equal(OperationState.Failed, operation.State);
        Assert.Contains("e-mail address is rejected", operation.Error, StringComparison.Ordinal);
        Assert.Equal(StepState.Cancelled, operation.Steps.Single(s => s.Kind == StepKind.VerifyCertificate).State);
        Assert.Equal(CertificateWorld.Serial(before), CertificateWorld.Serial(after));
        Assert.Equal(1, Portal.Provisioning.Secrets.ManagedSecrets.RevisionOf(after));
        Assert.Equal("1", after.Metadata.Annotations[TlsSecretRevisions.FailuresAnnotation]);

        var lane = (await world.Service.ListAsync(world.Spec.Name, Ct)).Value.Lanes.Single(l => l.Host == CertificateWorld.Host);
        Assert.NotNull(lane.LastAttempt);
        Assert.False(lane.LastAttempt.Succeeded);
        Assert.Equal(1, lane.LastAttempt.Failures);
        Assert.Equal(world.Issuer.FailWith, lane.LastAttempt.Error);
        Assert.Equal(CertificateWorld.Serial(before), lane.Live!.SerialNumber);
    }

    [Fact]
    public async Task Rollback_restores_the_previous_serial_as_a_new_revision()
    {
        await using var world = await CertificateWorld.StartAsync();
        var original = CertificateWorld.Serial(await world.LiveAsync());
        Assert.True((await world.Service.RotateAsync(world.Spec.Name, CertificateWorld.Host, "rotate", "ops@example.com", Ct)).IsSuccess);
        await world.Harness.DrainAsync();
        var rotated = CertificateWorld.Serial(await world.LiveAsync());

        var unknown = await world.Service.RollbackAsync(world.Spec.Name, CertificateWorld.Host, 7, "back", "ops@example.com", Ct);
        var rolled = await world.Service.RollbackAsync(world.Spec.Name, CertificateWorld.Host, null, "the new one breaks a client", "ops@example.com", Ct);
        Assert.True(rolled.IsSuccess, rolled.Message);
        await world.Harness.DrainAsync();

        Assert.Equal(ServiceStatus.Invalid, unknown.Status);
        Assert.Equal("revision", Assert.Single(unknown.Errors).Path);
        Assert.Contains("the kept revisions are 1", unknown.Errors[0].Message, StringComparison.Ordinal);
        var live = await world.LiveAsync();
        Assert.Equal(original, CertificateWorld.Serial(live));
        Assert.Equal(3, Portal.Provisioning.Secrets.ManagedSecrets.RevisionOf(live));
        var lane = (await world.Service.ListAsync(world.Spec.Name, Ct)).Value.Lanes.Single(l => l.Host == CertificateWorld.Host);
        Assert.Equal([2, 1], lane.Previous.Select(p => p.Revision));
        Assert.Equal(rotated, lane.Previous[0].Certificate!.SerialNumber);
    }

    [Fact]
    public async Task Bad_uploads_each_get_their_own_message_and_change_nothing_and_a_good_one_becomes_a_manual_revision()
    {
        await using var world = await CertificateWorld.StartAsync();
        const string host = CertificateWorld.Host;
        var (root, rootKey) = TestCertificates.Root("Upload Test Root");
        var (intermediate, intermediateKey) = TestCertificates.Intermediate(root, "Upload Test Intermediate");
        using var signer = intermediate.CopyWithPrivateKey((ECDsa)intermediateKey);
        var good = TestCertificates.Leaf(host);
        var other = TestCertificates.Leaf(host);
        var expired = TestCertificates.Leaf(host, notBefore: DateTimeOffset.UtcNow.AddDays(-90), notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        var wrongHost = TestCertificates.Leaf("elsewhere.example.org");
        var chained = TestCertificates.Leaf(host, signer);
        var tiny = TestCertificates.Leaf(host, rsaBits: 1024);
        var broken = good.Certificate.Replace("MII", "M!I", StringComparison.Ordinal);
        var cases = new (string Case, ManualCertificateUpload Upload, string Path, string Says)[]
        {
            ("wrong key", new(good.Certificate, other.Key, null, "r"), "key", "does not match the certificate"),
            ("expired", new(expired.Certificate, expired.Key, null, "r"), "certificate", "expired on"),
            ("wrong host", new(wrongHost.Certificate, wrongHost.Key, null, "r"), "host", $"does not cover {host}"),
            ("broken PEM", new(broken, good.Key, null, "r"), "certificate", "damaged"),
            ("chain out of order", new(chained.Certificate, chained.Key, root.ExportCertificatePem() + "\n" + intermediate.ExportCertificatePem(), "r"), "chain", "out of order"),
            ("tiny RSA key", new(tiny.Certificate, tiny.Key, null, "r"), "certificate", "1024-bit RSA key; at least 2048"),
            ("garbage", new("hello, this is not a certificate", "nor a key", null, "r"), "certificate", "This is not PEM"),
            ("no reason", new(good.Certificate, good.Key, null, " "), "reason", "reason is required"),
        };
        var before = (await world.LiveAsync()).Metadata.ResourceVersion;

        foreach (var (name, upload, path, says) in cases)
        {
            var result = await world.Service.UploadAsync(world.Spec.Name, host, upload, "ops@example.com", Ct);
            Assert.True(result.Status == ServiceStatus.Invalid, $"{name}: {result.Status}");
            Assert.True(result.Errors.Any(e => e.Path == path && e.Message.Contains(says, StringComparison.Ordinal)), $"{name}: {string.Join(" | ", result.Errors)}");
            if (upload.Key!.StartsWith("-----BEGIN", StringComparison.Ordinal))
            {
                Assert.DoesNotContain(upload.Key.Split('\n')[1], string.Join(" ", result.Errors), StringComparison.Ordinal);
            }
        }

        var unknownHost = await world.Service.UploadAsync(world.Spec.Name, "nope.example.com", new(good.Certificate, good.Key, null, ""), "ops@example.com", Ct);
        Assert.Equal(["host", "host", "reason"], unknownHost.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));

        Assert.Equal(before, (await world.LiveAsync()).Metadata.ResourceVersion);
        var secrets = await world.Harness.Cluster.ListAsync("v1", "Secret", world.Spec.Namespace, $"{PortalLabels.Stack}={world.Spec.Name}", Ct);
        Assert.DoesNotContain(secrets, s => s.Metadata.Name.Contains("-upload-", StringComparison.Ordinal));
        await using (var context = world.Harness.Database.CreateContext())
        {
            Assert.Empty(await context.Operations.ToListAsync(Ct));
        }

        var accepted = await world.Service.UploadAsync(world.Spec.Name, host, new(good.Certificate, good.Key, null, "our own CA now"), "ops@example.com", Ct);
        Assert.True(accepted.IsSuccess, accepted.Message);
        await world.Harness.DrainAsync();

        var live = await world.LiveAsync();
        Assert.Equal(good.Certificate, Portal.Provisioning.Secrets.ManagedSecrets.Value(live, "tls.crt"));
        Assert.Equal(nameof(CertificateSource.Manual), live.Metadata.Annotations[TlsSecretRevisions.SourceAnnotation]);
        secrets = await world.Harness.Cluster.ListAsync("v1", "Secret", world.Spec.Namespace, $"{PortalLabels.Stack}={world.Spec.Name}", Ct);
        Assert.DoesNotContain(secrets, s => s.Metadata.Name.Contains("-upload-", StringComparison.Ordinal));
        await using (var context = world.Harness.Database.CreateContext())
        {
            var stored = JsonSerializer.Serialize(await context.Operations.Include(o => o.Steps).AsNoTracking().ToListAsync(Ct));
            Assert.DoesNotContain("PRIVATE KEY", stored, StringComparison.Ordinal);
            Assert.DoesNotContain("BEGIN CERTIFICATE", stored, StringComparison.Ordinal);
        }

        var rotate = await world.Service.RotateAsync(world.Spec.Name, host, "renew", "ops@example.com", Ct);
        Assert.Equal(ServiceStatus.Invalid, rotate.Status);
        Assert.Contains("upload a new certificate instead", Assert.Single(rotate.Errors).Message, StringComparison.Ordinal);
        var lane = (await world.Service.ListAsync(world.Spec.Name, Ct)).Value.Lanes.Single(l => l.Host == host);
        Assert.Equal(CertificateSource.Manual, lane.Source);
        Assert.Null(lane.NextRenewal);
        root.Dispose();
        rootKey.Dispose();
        intermediate.Dispose();
        intermediateKey.Dispose();
    }

    [Fact]
    public async Task Auto_renew_starts_a_rotation_only_when_due_and_the_stack_is_not_busy()
    {
        await using var world = await CertificateWorld.StartAsync();
        CertificateService At(TimeSpan offset) => new(
            world.Harness.Database, world.Harness.Get<ClusterRegistry>(), ComponentCatalog.Default, world.Harness.Get<CertificateIssuers>(),
            world.Probe, world.Harness.Get<IStepScheduler>(), new ShiftedTime(offset), NullLogger<CertificateService>.Instance);

        // 90-day certificates renew at 67 % of their lifetime: after about 60 days.
        Assert.Empty(await At(TimeSpan.FromDays(10)).RenewDueAsync(Ct));

        var busy = Guid.NewGuid();
        await SetActiveAsync(world, busy);
        Assert.Empty(await At(TimeSpan.FromDays(70)).RenewDueAsync(Ct));

        await SetActiveAsync(world, null);
        var started = await At(TimeSpan.FromDays(70)).RenewDueAsync(Ct);

        Assert.Equal([$"{world.Spec.Name}/{CertificateWorld.Host}"], started);
        await using var context = world.Harness.Database.CreateContext();
        var operation = await context.Operations.AsNoTracking().SingleAsync(Ct);
        Assert.Equal(OperationKind.RotateCertificate, operation.Kind);
        Assert.Equal(CertificateService.AutoRenewActor, operation.RequestedBy);
        Assert.StartsWith("renewal due since", operation.Reason, StringComparison.Ordinal);
        Assert.Equal(operation.Id, (await context.Stacks.AsNoTracking().SingleAsync(Ct)).ActiveOperationId);
    }

    [Fact]
    public async Task The_inventory_lists_every_tls_hostname_with_revisions_renewal_and_served_state_and_no_key()
    {
        await using var world = await CertificateWorld.StartAsync();
        world.Probe.State = ServedState.Matches;
        Assert.True((await world.Service.RotateAsync(world.Spec.Name, CertificateWorld.Host, "rotate", "ops@example.com", Ct)).IsSuccess);
        await world.Harness.DrainAsync();

        var listed = await world.Service.ListAsync(world.Spec.Name, Ct);
        var expiries = await world.Service.ExpiriesAsync(Ct);

        Assert.True(listed.IsSuccess, listed.Message);
        var certificates = listed.Value;
        // hooks.example.com is served by ingress-webhooks, which has no certificates relation: no TLS, no lane.
        Assert.Equal(["airbyte.example.com"], certificates.Lanes.Select(l => l.Host));
        Assert.Equal("renews at 67 % of the lifetime, at any time of day", certificates.Policy);
        var lane = certificates.Lanes[0];
        Assert.Equal(CertificateSource.InternalCa, lane.Source);
        Assert.Equal("ingress", lane.Ingress);
        Assert.Contains(ObjectNames.Ingress("ingress", "airbyte"), lane.IngressObjects);
        Assert.Equal(2, lane.Revision);
        Assert.Equal(1, Assert.Single(lane.Previous).Revision);
        Assert.Null(lane.Problem);
        Assert.Equal(ServedState.Matches, lane.Served.State);
        Assert.Equal(lane.Live!.Sha256Fingerprint, lane.Served.Sha256Fingerprint);
        Assert.Equal("ECDSA", lane.Live.KeyType);
        Assert.Equal(256, lane.Live.KeySize);
        Assert.Contains(CertificateWorld.Host, lane.Live.DnsNames);
        Assert.True(lane.NextRenewal > lane.Live.NotBefore.AddDays(59) && lane.NextRenewal < lane.Live.NotAfter);
        Assert.True(lane.LastAttempt!.Succeeded);
        Assert.Equal(lane.Live.NotAfter, Assert.Single(expiries.Single(e => e.Stack == world.Spec.Name).Certificates).NotAfter);

        var views = JsonSerializer.Serialize(certificates) + JsonSerializer.Serialize(expiries);
        Assert.DoesNotContain("PRIVATE KEY", views, StringComparison.Ordinal);
        var key = Portal.Provisioning.Secrets.ManagedSecrets.Value(await world.LiveAsync(), "tls.key")!;
        var keyBody = key.Split('\n')[1];
        Assert.DoesNotContain(keyBody, views, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Harness.Logs.Lines, l => l.Contains("PRIVATE KEY", StringComparison.Ordinal) || l.Contains(keyBody, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verification_waits_while_the_ingress_serves_another_certificate_then_fails_saying_what_is_served()
    {
        await using var world = await CertificateWorld.StartAsync();
        world.Probe.State = ServedState.Differs;

        var started = await world.Service.RotateAsync(world.Spec.Name, CertificateWorld.Host, "rotate", "ops@example.com", Ct);
        await world.Harness.DrainAsync();

        var operation = (await world.Harness.Get<Portal.Provisioning.Persistence.OperationStore>().FindAsync(started.Value.OperationId!.Value, Ct))!;
        var verify = operation.Steps.Single(s => s.Kind == StepKind.VerifyCertificate);
        Assert.Equal(StepState.Failed, verify.State);
        Assert.Contains("to serve the new certificate for airbyte.example.com; it serves a certificate with SHA-256 0011223344556677", verify.Error, StringComparison.Ordinal);
        Assert.True(verify.Runs > 1);
    }

    private static async Task SetActiveAsync(CertificateWorld world, Guid? operation)
    {
        await using var context = world.Harness.Database.CreateContext();
        var stack = await context.Stacks.SingleAsync(Ct);
        stack.ActiveOperationId = operation;
        await context.SaveChangesAsync(Ct);
    }
}
