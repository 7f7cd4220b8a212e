using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Secrets.Rotation;
using Portal.Provisioning.Secrets.Schedule;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Tests.Secrets.Rotation;

/// <summary>The webhook signing secret rotates with a grace period: both values are accepted until it ends (the clock skipped rather
/// than slept), then the scheduler drops the previous value in an operation of its own and the receiver rolls again; the new value
/// can be revealed once, to one of two concurrent callers, and is nowhere else.</summary>
public sealed class WebhookSecretRotationTests
{
    private const string Signing = "signing-secret";
    private const string Previous = "signing-secret-previous";

    [Fact]
    public async Task Both_values_are_accepted_during_the_grace_period_then_the_old_one_is_dropped_and_the_new_one_is_revealed_once()
    {
        await using var world = await RotationWorld.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var webhooks = world.Spec.Components.Single(c => c.Kind == AirbyteWebhooksKind.Name).Name;
        var id = $"{webhooks}.{Signing}";
        var secretName = ObjectNames.ComponentSecret(webhooks);
        var before = await world.SecretAsync(secretName);
        var oldValue = RotationWorld.Value(before, Signing);
        var revision = RotationWorld.Revision(before);
        var templates = await world.TemplatesAsync();

        var started = await world.Rotations.RotateAsync(world.Spec.Name, id, new SecretRotationRequest("the CRM team's quarterly rotation"), "ops@example.com", ct);
        Assert.True(started.IsSuccess, started.Message + string.Join("; ", started.Errors));
        await world.Harness.DrainAsync(TimeSpan.FromHours(1));

        // Rotated, rolled and verified: the operation ends and the stack is free; both values are accepted until the grace period ends.
        var rotated = await world.OperationAsync(started.Value.OperationId!.Value);
        Assert.True(rotated.State == OperationState.Succeeded, RotationWorld.Describe(rotated));
        Assert.DoesNotContain(rotated.Steps, s => s.Kind == StepKind.DropPreviousSecret);

        var dual = await world.SecretAsync(secretName);
        var newValue = RotationWorld.Value(dual, Signing);
        Assert.NotEqual(oldValue, newValue);
        Assert.Equal(64, newValue.Length);
        Assert.Equal(oldValue, RotationWorld.Value(dual, Previous));
        Assert.Equal(revision + 1, RotationWorld.Revision(dual));
        var rolled = await world.TemplatesAsync();
        var changed = rolled.Where(t => templates[t.Key] != t.Value).Select(t => t.Key).ToList();
        Assert.Equal([$"Deployment/{webhooks}"], changed);
        Assert.Contains($"{secretName}={revision + 1}", rolled[$"Deployment/{webhooks}"], StringComparison.Ordinal);

        // Before the end of the grace period (24 h by default) the previous value cannot be dropped, and the scheduler leaves it.
        var early = await world.Rotations.DropPreviousAsync(world.Spec.Name, id, "ops@example.com", ct);
        Assert.Equal(ServiceStatus.Conflict, early.Status);
        Assert.Contains("grace period", early.Message, StringComparison.Ordinal);
        Assert.Contains("(24 h)", early.Message, StringComparison.Ordinal);
        SecretRotationScheduler Scheduler() => new(
            world.Harness.Database, world.Harness.Get<ClusterRegistry>(), ComponentCatalog.Default, world.Harness.Get<RotatableSecrets>(), world.Rotations,
            world.Harness.Clock, NullLogger<SecretRotationScheduler>.Instance);
        Assert.Empty(await Scheduler().RotateDueAsync(ct));
        Assert.Equal(oldValue, RotationWorld.Value(await world.SecretAsync(secretName), Previous));

        // Revealed once: of two concurrent reveals one gets the new value; the other, and any later one, is refused.
        var reveals = world.Harness.Get<SecretReveals>();
        var both = await Task.WhenAll(
            reveals.RevealAsync(world.Spec.Name, id, "give it to the senders", "olga", ct),
            reveals.RevealAsync(world.Spec.Name, id, "give it to the senders", "ivan", ct));
        var winner = Assert.Single(both, r => r.IsSuccess);
        Assert.Equal(newValue, winner.Value.Value);
        Assert.Equal(revision + 1, winner.Value.Revision);
        Assert.DoesNotContain(newValue, winner.Value.ToString(), StringComparison.Ordinal);
        var loser = Assert.Single(both, r => !r.IsSuccess);
        Assert.Equal(ServiceStatus.Conflict, loser.Status);
        Assert.Contains("already revealed", loser.Message, StringComparison.Ordinal);
        var third = await reveals.RevealAsync(world.Spec.Name, id, null, "olga", ct);
        Assert.Equal(ServiceStatus.Conflict, third.Status);
        Assert.DoesNotContain(newValue, third.Message, StringComparison.Ordinal);
        var other = await reveals.RevealAsync(world.Spec.Name, RotationWorld.DatabaseSecret, null, "olga", ct);
        Assert.Equal(ServiceStatus.Invalid, other.Status);
        Assert.Equal("secret", Assert.Single(other.Errors).Path);

        // The grace period ends: the scheduler starts the drop (the stack has no maintenance window, so it may at once); the previous
        // value is removed as the next revision and the receiver rolls again.
        world.Harness.Clock.Offset += TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1);
        Assert.Equal([$"{world.Spec.Name}/{id}"], await Scheduler().RotateDueAsync(ct));
        Guid dropId;
        await using (var context = world.Harness.Database.CreateContext())
        {
            dropId = (await context.Stacks.AsNoTracking().SingleAsync(s => s.Name == world.Spec.Name, ct)).ActiveOperationId!.Value;
        }

        await world.Harness.DrainAsync(TimeSpan.FromHours(1));
        var done = await world.OperationAsync(dropId);
        Assert.True(done.State == OperationState.Succeeded, RotationWorld.Describe(done));
        Assert.Equal(SecretRotationScheduler.Actor, done.RequestedBy);
        var single = await world.SecretAsync(secretName);
        Assert.False(single.Data.ContainsKey(Previous));
        Assert.Equal(newValue, RotationWorld.Value(single, Signing));
        Assert.Equal(revision + 2, RotationWorld.Revision(single));
        Assert.Equal(oldValue, RotationWorld.Value(await world.SecretAsync(ObjectNames.SecretRevision(secretName, revision)), Signing));
        Assert.Contains($"{secretName}={revision + 2}", (await world.TemplatesAsync())[$"Deployment/{webhooks}"], StringComparison.Ordinal);
        Assert.Equal(ServiceStatus.Conflict, (await reveals.RevealAsync(world.Spec.Name, id, null, "olga", ct)).Status);

        // Delivered once more after it ran, the drop writes nothing.
        var finished = done.Steps.Single(s => s.Key == StepIds.DropPreviousSecret(id));
        Assert.IsType<StepOutcome.Done>(await world.Harness.Handler(StepKind.DropPreviousSecret).RunAsync(new StepExecution(done, finished), ct));
        Assert.Equal(revision + 2, RotationWorld.Revision(await world.SecretAsync(secretName)));

        await world.AssertNowhereAsync([oldValue, newValue], rotated);
        await world.AssertNowhereAsync([oldValue, newValue], done);
    }
}
