using Microsoft.EntityFrameworkCore;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Secrets.Rotation;
using Portal.Provisioning.Stacks;
using Portal.Provisioning.Tests.Infrastructure;

namespace Portal.Provisioning.Tests.Secrets.Rotation;

/// <summary>Rotations started the moment the stack's previous operation ends, or while another request takes the stack: the write
/// that frees (or takes) the stack lands between the rotation's read and its save (see <see cref="ConcurrentStackWrite"/>).</summary>
public sealed class RotationStartRaceTests
{
    private const string ClientSecret = "oauth2-proxy.client-secret";
    private const string CookieSecret = "oauth2-proxy.cookie-secret";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_rotation_is_started_when_the_runner_frees_the_stack_under_it_and_refused_as_busy_when_another_operation_takes_it()
    {
        await using var world = await RotationWorld.StartAsync();
        var database = world.Harness.Database;
        var race = world.Harness.ConcurrentWrite;
        var plan = StackPlanner.Default.Deploy(world.Spec).Value;
        var pendingName = world.Harness.Get<RotatableSecrets>().Find(world.Spec, ClientSecret).Secret!.PendingName;

        // Another request starts a reconfigure between this rotation's read and its save (after its new value went to the cluster).
        var other = Operation.Start(Guid.NewGuid(), OperationKind.Reconfigure, plan, world.Spec, "someone-else@example.com", "faster", DateTimeOffset.UtcNow);
        race.Arm(world.Spec.Name, ConcurrentStackWrite.TakeWith(database, other));
        var refused = await world.Rotations.RotateAsync(
            world.Spec.Name, ClientSecret, new SecretRotationRequest("new client secret", "issued-by-the-idp-7Hq2"), "ops@example.com", Ct);

        Assert.Equal(ServiceStatus.Conflict, refused.Status);
        Assert.Equal($"stack {world.Spec.Name} is busy: operation {other.Id} (Reconfigure) is running", refused.Message);
        Assert.Equal(1, race.Landed);
        Assert.Null(await world.FindSecretAsync(pendingName));
        await AssertOneAuditEntryAsync(world, ClientSecret, "refused: " + refused.Message, null);

        // The previous operation has ended; the runner frees the stack between this rotation's read and its save.
        var previous = ConcurrentStackWrite.Finished(OperationKind.Reconfigure, plan, world.Spec, succeeded: true, DateTimeOffset.UtcNow);
        await ConcurrentStackWrite.HoldAsync(database, world.Spec.Name, previous);
        race.Arm(world.Spec.Name, ConcurrentStackWrite.FreeAsTheRunnerWould(database, previous));
        var started = await world.Rotations.RotateAsync(world.Spec.Name, CookieSecret, new SecretRotationRequest("quarterly"), "ops@example.com", Ct);

        Assert.True(started.IsSuccess, started.Message);
        Assert.Equal(1, race.Landed);
        var id = started.Value.OperationId!.Value;
        await using (var context = database.CreateContext())
        {
            var stack = await context.Stacks.AsNoTracking().SingleAsync(Ct);
            Assert.Equal((id, previous.Id), (stack.ActiveOperationId, stack.LastOperationId));
            Assert.Equal(OperationKind.RotateSecret, (await context.Operations.AsNoTracking().SingleAsync(o => o.Id == id, Ct)).Kind);
        }

        await AssertOneAuditEntryAsync(world, CookieSecret, null, id);
        await world.Harness.DrainAsync();
        var rotation = await world.OperationAsync(id);
        Assert.True(rotation.State == OperationState.Succeeded, RotationWorld.Describe(rotation));
    }

    private static async Task AssertOneAuditEntryAsync(RotationWorld world, string secret, string? result, Guid? operationId)
    {
        await using var context = world.Harness.Database.CreateContext();
        var audit = Assert.Single(await context.Audit.AsNoTracking().Where(a => a.Target == $"{world.Spec.Name}/{secret}").ToListAsync(Ct));
        Assert.Equal("rotate-secret", audit.Action);
        Assert.Equal(operationId, audit.OperationId);
        if (result is null)
        {
            Assert.StartsWith("accepted", audit.Result, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(result, audit.Result);
        }
    }
}
