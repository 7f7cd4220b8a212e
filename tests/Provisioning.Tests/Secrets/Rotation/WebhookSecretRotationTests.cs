using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Secrets.Rotation;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Tests.Secrets.Rotation;

/// <summary>The webhook signing secret rotates with a grace period: both values are accepted until it ends (the wait persisted with
/// the step, the clock skipped rather than slept), then the previous value is dropped and the receiver rolls again; the new value can
/// be revealed once, to one of two concurrent callers, and is nowhere else.</summary>
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

        // Rotated, rolled and verified; the drop waits for the end of the grace period (24 h by default), persisted with the step.
        var waiting = await world.OperationAsync(started.Value.OperationId!.Value);
        Assert.True(waiting.State == OperationState.Running, RotationWorld.Describe(waiting));
        Assert.Equal(StepState.Succeeded, waiting.Steps.Single(s => s.Key == StepIds.VerifySecret(id)).State);
        var drop = waiting.Steps.Single(s => s.Key == StepIds.DropPreviousSecret(id));
        Assert.Equal(StepState.Waiting, drop.State);
        Assert.Equal(0, drop.FailedAttempts);
        Assert.InRange(drop.NotBefore!.Value - world.Harness.Clock.GetUtcNow(), TimeSpan.FromHours(23), TimeSpan.FromHours(24));
        Assert.Contains("grace period (24 h)", drop.Message, StringComparison.Ordinal);

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

        // A redelivered drop before the end (a restarted portal) waits again for the same end, without spending an attempt.
        var again = await world.Harness.Handler(StepKind.DropPreviousSecret).RunAsync(new StepExecution(waiting, drop), ct);
        var notReady = Assert.IsType<StepOutcome.NotReady>(again);
        Assert.InRange((notReady.Until!.Value - drop.NotBefore!.Value).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
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

        // The grace period ends: the previous value is dropped as the next revision and the receiver rolls again.
        world.Harness.Clock.Offset += TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1);
        await world.Harness.DrainAsync(TimeSpan.FromHours(1));
        var done = await world.OperationAsync(started.Value.OperationId!.Value);
        Assert.True(done.State == OperationState.Succeeded, RotationWorld.Describe(done));
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

        await world.AssertNowhereAsync([oldValue, newValue], done);
    }
}
