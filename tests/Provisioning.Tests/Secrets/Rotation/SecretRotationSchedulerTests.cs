using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Domain.Secrets;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Secrets.Inventory;
using Portal.Provisioning.Secrets.Rotation;
using Portal.Provisioning.Secrets.Schedule;

namespace Portal.Provisioning.Tests.Secrets.Rotation;

/// <summary>Rotation by policy against a deployed stack (sandbox, real PostgreSQL), on a clock the test sets: a due secret is rotated
/// inside the maintenance window only, one rotation at a time, never a value the operator supplies.</summary>
public sealed class SecretRotationSchedulerTests
{
    private const string Window = "02:00-04:00";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_due_policy_starts_one_rotation_inside_the_window_and_none_outside_it_when_not_due_for_an_operator_value_or_on_a_busy_stack()
    {
        await using var world = await RotationWorld.StartAsync(provider: "postgres");
        await using (var context = world.Harness.Database.CreateContext())
        {
            var record = await context.Stacks.SingleAsync(s => s.Name == world.Spec.Name, Ct);
            record.Applied = record.Applied! with
            {
                Components = record.Applied.Components
                    .Select(c => c.Kind == LegoKind.Name ? c with { Config = new Dictionary<string, string>(c.Config) { [SecretInventory.MaintenanceWindowOption] = Window } } : c)
                    .ToList(),
            };
            await context.SaveChangesAsync(Ct);
        }

        var created = (await world.SecretAsync(ObjectNames.ComponentSecret("oauth2-proxy"))).Metadata.CreationTimestamp!.Value;
        var day = new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)).UtcDateTime.Date.AddDays(3);
        var inside = new DateTimeOffset(day.AddHours(3), TimeSpan.Zero);
        var outside = new DateTimeOffset(day.AddHours(1), TimeSpan.Zero);
        var clock = new FakeTimeProvider(outside);
        var inventory = new SecretService(world.Harness.Database, world.Harness.Get<ClusterRegistry>(), ComponentCatalog.Default, world.Rotations, world.Harness.Get<Portal.Provisioning.Secrets.Rotation.SecretReveals>(), clock);
        SecretRotationScheduler Scheduler() => new(
            world.Harness.Database, world.Harness.Get<ClusterRegistry>(), ComponentCatalog.Default, world.Harness.Get<RotatableSecrets>(), world.Rotations, clock,
            NullLogger<SecretRotationScheduler>.Instance);
        var operations = await world.OperationCountAsync();

        // Three days after they were made, daily policies are due, but not outside the window.
        Assert.True((await inventory.SetPolicyAsync(world.Spec.Name, "oauth2-proxy.client-secret", "daily", "ops@example.com", Ct)).IsSuccess);
        var daily = await inventory.SetPolicyAsync(world.Spec.Name, "oauth2-proxy.cookie-secret", "daily", "ops@example.com", Ct);
        Assert.Contains("Rotated automatically", daily.Value.PolicyNote, StringComparison.Ordinal);
        Assert.Empty(await Scheduler().RotateDueAsync(Ct));

        // Inside the window: the client secret comes from the identity provider, overdue by its policy but never rotated by the
        // scheduler; a monthly cookie secret is not due yet.
        clock.SetUtcNow(inside);
        Assert.True((await inventory.SetPolicyAsync(world.Spec.Name, "oauth2-proxy.cookie-secret", "monthly", "ops@example.com", Ct)).IsSuccess);
        Assert.Empty(await Scheduler().RotateDueAsync(Ct));
        Assert.Equal(operations, await world.OperationCountAsync());
        var client = (await inventory.ListAsync(world.Spec.Name, Ct)).Value.Secrets.Single(s => s.Id == "oauth2-proxy.client-secret");
        Assert.True(client.Overdue);
        Assert.StartsWith("Overdue, and not rotated automatically", client.PolicyNote, StringComparison.Ordinal);

        // Daily again: it starts one rotation, even when two runs go at once.
        Assert.True((await inventory.SetPolicyAsync(world.Spec.Name, "oauth2-proxy.cookie-secret", "daily", "ops@example.com", Ct)).IsSuccess);
        var runs = await Task.WhenAll(Scheduler().RotateDueAsync(Ct), Scheduler().RotateDueAsync(Ct));
        Assert.Equal([$"{world.Spec.Name}/oauth2-proxy.cookie-secret"], runs.SelectMany(r => r));
        Assert.Equal(operations + 1, await world.OperationCountAsync());
        Operation operation;
        await using (var context = world.Harness.Database.CreateContext())
        {
            operation = await context.Operations.AsNoTracking().Where(o => o.Stack == world.Spec.Name && o.Kind == OperationKind.RotateSecret).SingleAsync(Ct);
            Assert.Equal(operation.Id, (await context.Stacks.AsNoTracking().SingleAsync(s => s.Name == world.Spec.Name, Ct)).ActiveOperationId);
        }

        Assert.Equal(SecretRotationScheduler.Actor, operation.RequestedBy);
        Assert.Equal("rotation policy daily is due", operation.Reason);

        // While it runs the stack is busy: the next run starts nothing.
        Assert.Empty(await Scheduler().RotateDueAsync(Ct));
        Assert.Equal(operations + 1, await world.OperationCountAsync());

        await world.Harness.DrainAsync();
        var done = await world.OperationAsync(operation.Id);
        Assert.True(done.State == OperationState.Succeeded, RotationWorld.Describe(done));
        var cookie = (await inventory.ListAsync(world.Spec.Name, Ct)).Value.Secrets.Single(s => s.Id == "oauth2-proxy.cookie-secret");
        Assert.Equal(SecretRotationScheduler.Actor, cookie.LastRotatedBy);
        Assert.Equal(2, cookie.Revision);
        Assert.Equal(Portal.Provisioning.Secrets.RotationPolicy.Daily, cookie.Policy);
    }
}
