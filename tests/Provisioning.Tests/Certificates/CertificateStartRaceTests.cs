using Microsoft.EntityFrameworkCore;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Stacks;
using Portal.Provisioning.Tests.Infrastructure;

namespace Portal.Provisioning.Tests.Certificates;

/// <summary>Certificate changes started the moment the stack's previous operation ends, or while another request takes the stack:
/// the write that frees (or takes) the stack lands between the request's read and its save (see <see cref="ConcurrentStackWrite"/>).</summary>
public sealed class CertificateStartRaceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rotation_is_started_when_the_runner_frees_the_stack_under_it_and_an_upload_refused_as_busy_leaves_no_uploaded_secret()
    {
        await using var world = await CertificateWorld.StartAsync();
        var database = world.Harness.Database;
        var race = world.Harness.ConcurrentWrite;
        var plan = StackPlanner.Default.Deploy(world.Spec).Value;

        // Another request starts a reconfigure between this upload's read and its save (after the key went to the cluster).
        var other = Operation.Start(Guid.NewGuid(), OperationKind.Reconfigure, plan, world.Spec, "someone-else@example.com", "faster", DateTimeOffset.UtcNow);
        race.Arm(world.Spec.Name, ConcurrentStackWrite.TakeWith(database, other));
        var leaf = TestCertificates.Leaf(CertificateWorld.Host);
        var refused = await world.Service.UploadAsync(
            world.Spec.Name, CertificateWorld.Host, new ManualCertificateUpload(leaf.Certificate, leaf.Key, null, "our own CA now"), "ops@example.com", Ct);

        Assert.Equal(ServiceStatus.Conflict, refused.Status);
        Assert.Equal($"stack {world.Spec.Name} is busy: operation {other.Id} (Reconfigure) is running", refused.Message);
        Assert.Equal(1, race.Landed);
        var secrets = await world.Harness.Cluster.ListAsync("v1", "Secret", world.Spec.Namespace, $"{PortalLabels.Stack}={world.Spec.Name}", Ct);
        Assert.DoesNotContain(secrets, s => s.Metadata.Name.Contains("-upload-", StringComparison.Ordinal));
        var upload = await SingleAuditEntryAsync(world, "upload-certificate");
        Assert.Equal(("refused: " + refused.Message, (Guid?)null), (upload.Result, upload.OperationId));

        // The previous operation has ended; the runner frees the stack between this rotation's read and its save.
        var previous = ConcurrentStackWrite.Finished(OperationKind.Reconfigure, plan, world.Spec, succeeded: true, DateTimeOffset.UtcNow);
        await ConcurrentStackWrite.HoldAsync(database, world.Spec.Name, previous);
        race.Arm(world.Spec.Name, ConcurrentStackWrite.FreeAsTheRunnerWould(database, previous));
        var started = await world.Service.RotateAsync(world.Spec.Name, CertificateWorld.Host, "key may have leaked", "ops@example.com", Ct);

        Assert.True(started.IsSuccess, started.Message);
        Assert.Equal(1, race.Landed);
        var id = started.Value.OperationId!.Value;
        await using (var context = database.CreateContext())
        {
            var stack = await context.Stacks.AsNoTracking().SingleAsync(Ct);
            Assert.Equal((id, previous.Id), (stack.ActiveOperationId, stack.LastOperationId));
            Assert.Equal(OperationKind.RotateCertificate, (await context.Operations.AsNoTracking().SingleAsync(o => o.Id == id, Ct)).Kind);
        }

        var rotate = await SingleAuditEntryAsync(world, "rotate-certificate");
        Assert.Equal(id, rotate.OperationId);
        Assert.StartsWith("accepted", rotate.Result, StringComparison.Ordinal);
    }

    private static async Task<Portal.Provisioning.Persistence.AuditRecord> SingleAuditEntryAsync(CertificateWorld world, string action)
    {
        await using var context = world.Harness.Database.CreateContext();
        var audit = Assert.Single(await context.Audit.AsNoTracking().Where(a => a.Action == action).ToListAsync(Ct));
        Assert.Equal($"{world.Spec.Name}/{CertificateWorld.Host}", audit.Target);
        return audit;
    }
}
