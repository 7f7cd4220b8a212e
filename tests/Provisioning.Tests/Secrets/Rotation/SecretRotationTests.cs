using k8s;
using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Secrets;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Secrets.Rotation;
using Portal.Provisioning.Stacks;
using Portal.Provisioning.Tests.Steps;
using Portal.Sandbox;

namespace Portal.Provisioning.Tests.Secrets.Rotation;

/// <summary>Secret rotation as an operation against a deployed stack in the sandbox, with its databases on the real local PostgreSQL.</summary>
public sealed class SecretRotationTests
{
    private const string RelationSecret = "airbyte-db-relation";

    [Fact]
    public async Task Rotating_the_airbyte_database_password_sets_a_new_password_and_rolls_exactly_its_consumers_and_a_rollback_restores_the_old_one()
    {
        await using var world = await RotationWorld.StartAsync();
        var before = await world.SecretAsync(RelationSecret);
        var oldPassword = RotationWorld.Value(before, RelationData.Password);
        var templates = await world.TemplatesAsync();
        var consumers = templates.Where(t => t.Value.Split(',').Any(e => e.StartsWith(RelationSecret + "=", StringComparison.Ordinal))).Select(t => t.Key).ToList();
        Assert.NotEmpty(consumers);
        Assert.True(await world.LogsInAsync(before, oldPassword));

        var started = await world.Rotations.RotateAsync(world.Spec.Name, RotationWorld.DatabaseSecret, new SecretRotationRequest("quarterly rotation"), "ops@example.com", TestContext.Current.CancellationToken);
        Assert.True(started.IsSuccess, started.Message + string.Join("; ", started.Errors));
        await world.Harness.DrainAsync();
        var rotation = await world.OperationAsync(started.Value.OperationId!.Value);
        TestContext.Current.TestOutputHelper?.WriteLine(RotationWorld.Describe(rotation));
        Assert.True(rotation.State == OperationState.Succeeded, RotationWorld.Describe(rotation));
        Assert.Equal(OperationKind.RotateSecret, rotation.Kind);

        // The new password logs in, the old one is refused; the Secret is revision 2, annotated, with revision 1 kept.
        var after = await world.SecretAsync(RelationSecret);
        var newPassword = RotationWorld.Value(after, RelationData.Password);
        Assert.NotEqual(oldPassword, newPassword);
        Assert.Equal(RotationWorld.Revision(before) + 1, RotationWorld.Revision(after));
        Assert.Equal("ops@example.com", after.Metadata.Annotations[SecretRevisions.RotatedByAnnotation]);
        Assert.True(after.Metadata.Annotations.ContainsKey(SecretRevisions.RotatedAtAnnotation));
        Assert.True(await world.LogsInAsync(after, newPassword));
        Assert.False(await world.LogsInAsync(after, oldPassword));
        var kept = await world.SecretAsync(ObjectNames.SecretRevision(RelationSecret, RotationWorld.Revision(before)));
        Assert.Equal(oldPassword, RotationWorld.Value(kept, RelationData.Password));
        Assert.Null(await world.FindSecretAsync(RelationSecret + "-pending"));

        // Exactly the workloads that load the Secret rolled: their pod template's revisions changed, no other one did.
        var rolled = await world.TemplatesAsync();
        Assert.Equal(templates.Keys.Order(), rolled.Keys.Order());
        var changed = rolled.Where(t => templates[t.Key] != t.Value).Select(t => t.Key).Order().ToList();
        Assert.Equal(consumers.Order(), changed);
        Assert.All(consumers, c => Assert.Contains($"{RelationSecret}={RotationWorld.Revision(after)}", rolled[c], StringComparison.Ordinal));

        // Rolling back to revision 1 sets the old password on the role again, as revision 3.
        var back = await world.Rotations.RollbackAsync(world.Spec.Name, RotationWorld.DatabaseSecret, null, "the new password broke a connector", "ops@example.com", TestContext.Current.CancellationToken);
        Assert.True(back.IsSuccess, back.Message + string.Join("; ", back.Errors));
        await world.Harness.DrainAsync();
        var rollback = await world.OperationAsync(back.Value.OperationId!.Value);
        Assert.True(rollback.State == OperationState.Succeeded, RotationWorld.Describe(rollback));
        var restored = await world.SecretAsync(RelationSecret);
        Assert.Equal(3, RotationWorld.Revision(restored));
        Assert.Equal(oldPassword, RotationWorld.Value(restored, RelationData.Password));
        Assert.True(await world.LogsInAsync(restored, oldPassword));
        Assert.False(await world.LogsInAsync(restored, newPassword));

        await world.AssertNowhereAsync([oldPassword, newPassword], rotation, rollback);
    }

    [Fact]
    public async Task A_rotation_whose_consumers_do_not_get_healthy_puts_the_old_password_and_revision_back_and_says_why()
    {
        await using var world = await RotationWorld.StartAsync();
        var before = await world.SecretAsync(RelationSecret);
        var oldPassword = RotationWorld.Value(before, RelationData.Password);
        var templates = await world.TemplatesAsync();
        var objects = await world.Harness.StackObjectsAsync(world.Spec);
        var images = objects.Values.OfType<V1Deployment>()
            .Where(d => d.Spec.Template.Metadata.Annotations[PortalLabels.SecretRevisionsAnnotation].Contains(RelationSecret + "=", StringComparison.Ordinal))
            .SelectMany(d => d.Spec.Template.Spec.Containers).Select(c => c.Image).Distinct().ToList();
        Assert.NotEmpty(images);

        // From now on the consumers' new pods crash.
        world.Harness.Sandbox.Faults.Set(new FaultSettings { CrashLoopImages = images });
        var started = await world.Rotations.RotateAsync(world.Spec.Name, RotationWorld.DatabaseSecret, new SecretRotationRequest("scheduled rotation"), "ops@example.com", TestContext.Current.CancellationToken);
        Assert.True(started.IsSuccess, started.Message + string.Join("; ", started.Errors));
        await world.Harness.DrainAsync();
        world.Harness.Sandbox.Faults.Clear();

        var operation = await world.OperationAsync(started.Value.OperationId!.Value);
        TestContext.Current.TestOutputHelper?.WriteLine(RotationWorld.Describe(operation));
        Assert.True(operation.State == OperationState.Failed, RotationWorld.Describe(operation));
        Assert.Contains("did not become healthy", operation.Error, StringComparison.Ordinal);
        Assert.Contains("rolled back: revision 1 of Secret airbyte-db-relation is live again", operation.Error, StringComparison.Ordinal);
        Assert.Contains("previous password again", operation.Error, StringComparison.Ordinal);

        // The old revision is live, with the old password, which logs in again; the pod templates are back to what they were.
        var live = await world.SecretAsync(RelationSecret);
        Assert.Equal(RotationWorld.Revision(before), RotationWorld.Revision(live));
        Assert.Equal(oldPassword, RotationWorld.Value(live, RelationData.Password));
        Assert.True(await world.LogsInAsync(live, oldPassword));
        Assert.Equal(templates, await world.TemplatesAsync());
        Assert.Null(await world.FindSecretAsync(ObjectNames.SecretRevision(RelationSecret, 1)));
        Assert.Null(await world.FindSecretAsync(RelationSecret + "-pending"));
        await world.AssertNowhereAsync([oldPassword], operation);
    }

    [Fact]
    public async Task The_cookie_secret_rolls_only_oauth2_proxy_and_the_client_secret_takes_the_operators_value()
    {
        await using var world = await RotationWorld.StartAsync();
        var secretName = ObjectNames.ComponentSecret("oauth2-proxy");
        var before = await world.SecretAsync(secretName);
        var oldCookie = RotationWorld.Value(before, "cookie-secret");
        var templates = await world.TemplatesAsync();

        var started = await world.Rotations.RotateAsync(world.Spec.Name, "oauth2-proxy.cookie-secret", new SecretRotationRequest("sign everyone out"), "ops@example.com", TestContext.Current.CancellationToken);
        Assert.True(started.IsSuccess, started.Message + string.Join("; ", started.Errors));
        await world.Harness.DrainAsync();
        var cookie = await world.OperationAsync(started.Value.OperationId!.Value);
        Assert.True(cookie.State == OperationState.Succeeded, RotationWorld.Describe(cookie));

        var after = await world.SecretAsync(secretName);
        var newCookie = RotationWorld.Value(after, "cookie-secret");
        Assert.NotEqual(oldCookie, newCookie);
        Assert.Equal(32, Convert.FromBase64String(newCookie.Replace('-', '+').Replace('_', '/')).Length);
        Assert.Equal(RotationWorld.Revision(before) + 1, RotationWorld.Revision(after));
        Assert.Equal(RotationWorld.Value(before, "client-secret"), RotationWorld.Value(after, "client-secret"));
        var rolled = await world.TemplatesAsync();
        var changed = rolled.Where(t => templates[t.Key] != t.Value).Select(t => t.Key).ToList();
        Assert.NotEmpty(changed);
        Assert.All(changed, k => Assert.StartsWith("Deployment/oauth2-proxy", k, StringComparison.Ordinal));
        Assert.Equal(["apply:oauth2-proxy"], cookie.Steps.Where(s => s.Kind == Domain.Plans.StepKind.ApplyComponent).Select(s => s.Key));

        // As if the portal had died between saving the operation's end and freeing the stack: the finished operation does not hold it.
        await using (var context = world.Harness.Database.CreateContext())
        {
            var record = await context.Stacks.SingleAsync(s => s.Name == world.Spec.Name, TestContext.Current.CancellationToken);
            Assert.Null(record.ActiveOperationId);
            record.ActiveOperationId = cookie.Id;
            await context.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        const string NewClientSecret = "new-client-secret-from-the-idp-7c1f";
        var client = await world.Rotations.RotateAsync(
            world.Spec.Name, "oauth2-proxy.client-secret", new SecretRotationRequest("the IdP rotated it", NewClientSecret), "ops@example.com", TestContext.Current.CancellationToken);
        Assert.True(client.IsSuccess, client.Message + string.Join("; ", client.Errors));
        await world.Harness.DrainAsync();
        var clientOperation = await world.OperationAsync(client.Value.OperationId!.Value);
        Assert.True(clientOperation.State == OperationState.Succeeded, RotationWorld.Describe(clientOperation));
        var withClient = await world.SecretAsync(secretName);
        Assert.Equal(NewClientSecret, RotationWorld.Value(withClient, "client-secret"));
        Assert.Equal(newCookie, RotationWorld.Value(withClient, "cookie-secret"));
        Assert.Equal(RotationWorld.Revision(after) + 1, RotationWorld.Revision(withClient));
        Assert.Null(await world.FindSecretAsync(secretName + "-pending"));

        await world.AssertNowhereAsync([oldCookie, newCookie, NewClientSecret], cookie, clientOperation);
    }

    [Fact]
    public async Task A_redelivered_rotation_step_makes_no_second_password_and_one_interrupted_after_the_value_was_made_uses_that_value()
    {
        await using var world = await RotationWorld.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var handler = world.Harness.Handler(StepKind.RotateSecret);
        var plan = SecretRotationPlans.Rotate(world.Spec.Name, world.Spec.Namespace, RotationWorld.DatabaseSecret, RelationSecret, "Generate a new password", 1, ["airbyte"], null);

        // Interrupted after the value was made and kept in the cluster: the next delivery sets that value, not a new one.
        var interrupted = StackHarness.Execution(world.Spec, StepIds.RotateSecret(RotationWorld.DatabaseSecret), plan);
        var live = await world.SecretAsync(RelationSecret);
        var waiting = await SecretRevisions.PendingAsync(
            world.Harness.Cluster, world.Spec.Namespace, RelationSecret + "-pending", RelationData.Password, interrupted.Operation.Id.ToString(),
            SecretRevisions.LabelsOf(live), () => "pending-password-made-before-the-crash-0001", ct);
        Assert.NotNull(waiting);
        Assert.Equal("pending-password-made-before-the-crash-0001", waiting);
        Assert.IsType<StepOutcome.Done>(await handler.RunAsync(interrupted, ct));
        var first = await world.SecretAsync(RelationSecret);
        Assert.Equal(waiting, RotationWorld.Value(first, RelationData.Password));
        Assert.Equal(2, RotationWorld.Revision(first));
        Assert.True(await world.LogsInAsync(first, waiting));

        // Delivered again: nothing changes, no new password is made or set.
        var again = Assert.IsType<StepOutcome.Done>(await handler.RunAsync(interrupted, ct));
        Assert.Contains("already stored by this operation", again.Message, StringComparison.Ordinal);
        var second = await world.SecretAsync(RelationSecret);
        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
        Assert.True(await world.LogsInAsync(second, waiting));
        Assert.Null(await world.FindSecretAsync(RelationSecret + "-pending"));

        // A Secret that cannot take the new password (no longer the portal's): the role gets back the password the Secret holds.
        second.Metadata.Labels.Remove(PortalLabels.ManagedBy);
        await world.Harness.Client.CoreV1.ReplaceNamespacedSecretAsync(second, RelationSecret, world.Spec.Namespace, cancellationToken: ct);
        var refused = Assert.IsType<StepOutcome.Failed>(await handler.RunAsync(StackHarness.Execution(world.Spec, StepIds.RotateSecret(RotationWorld.DatabaseSecret), plan), ct));
        Assert.True(refused.Permanent);
        Assert.Contains("has its previous password again", refused.Error, StringComparison.Ordinal);
        var unchanged = await world.SecretAsync(RelationSecret);
        Assert.Equal(2, RotationWorld.Revision(unchanged));
        Assert.True(await world.LogsInAsync(unchanged, waiting));
    }

    [Fact]
    public async Task Bad_requests_get_every_problem_with_its_field_and_change_nothing()
    {
        await using var world = await RotationWorld.StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var secrets = (await world.Harness.StackObjectsAsync(world.Spec)).Where(o => o.Value is V1Secret)
            .ToDictionary(o => o.Key, o => o.Value.Metadata.ResourceVersion, StringComparer.Ordinal);
        var operations = await world.OperationCountAsync();

        static void Fields(ServiceResult<StackChange> result, params string[] paths)
        {
            Assert.Equal(ServiceStatus.Invalid, result.Status);
            Assert.Equal(paths.Order(), result.Errors.Select(e => e.Path).Order());
            Assert.All(result.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
        }

        Fields(await world.Rotations.RotateAsync(world.Spec.Name, RotationWorld.DatabaseSecret, new SecretRotationRequest(" ", "chosen-by-me-123456"), "ops@example.com", ct), "reason", "value");
        Fields(await world.Rotations.RotateAsync(world.Spec.Name, "oauth2-proxy.client-secret", new SecretRotationRequest(null), "ops@example.com", ct), "reason", "value");
        Fields(await world.Rotations.RotateAsync(world.Spec.Name, "oauth2-proxy.client-secret", new SecretRotationRequest("new", " padded\n"), "ops@example.com", ct), "value");
        Fields(await world.Rotations.RotateAsync(world.Spec.Name, "nothing.here", new SecretRotationRequest(null), "ops@example.com", ct), "reason", "secret");
        Fields(await world.Rotations.RotateAsync(world.Spec.Name, "postgresql.admin-credentials", new SecretRotationRequest("why not"), "ops@example.com", ct), "secret");
        Fields(await world.Rotations.RollbackAsync(world.Spec.Name, RotationWorld.DatabaseSecret, 7, "", "ops@example.com", ct), "reason", "revision");
        var unknownStack = await world.Rotations.RotateAsync("no-such-stack", RotationWorld.DatabaseSecret, new SecretRotationRequest("why"), "ops@example.com", ct);
        Assert.Equal(ServiceStatus.NotFound, unknownStack.Status);

        var now = (await world.Harness.StackObjectsAsync(world.Spec)).Where(o => o.Value is V1Secret)
            .ToDictionary(o => o.Key, o => o.Value.Metadata.ResourceVersion, StringComparer.Ordinal);
        Assert.Equal(secrets, now);
        Assert.Equal(operations, await world.OperationCountAsync());
        await world.AssertNowhereAsync(["chosen-by-me-123456"]);

        // Every refusal is audited against the secret; one rotation at a time per stack.
        var accepted = await world.Rotations.RotateAsync(world.Spec.Name, "oauth2-proxy.cookie-secret", new SecretRotationRequest("first"), "ops@example.com", ct);
        Assert.True(accepted.IsSuccess, accepted.Message);
        var busy = await world.Rotations.RotateAsync(world.Spec.Name, RotationWorld.DatabaseSecret, new SecretRotationRequest("second"), "ops@example.com", ct);
        Assert.Equal(ServiceStatus.Conflict, busy.Status);
        Assert.Contains("busy", busy.Message, StringComparison.Ordinal);
        await using var context = world.Harness.Database.CreateContext();
        var audit = context.Audit.Where(a => a.Stack == world.Spec.Name).ToList();
        Assert.Equal(6, audit.Count(a => a.Action == "rotate-secret" && a.Result.StartsWith("refused", StringComparison.Ordinal)));
        Assert.Single(audit, a => a.Action == "rollback-secret" && a.Target == $"{world.Spec.Name}/{RotationWorld.DatabaseSecret}");
        Assert.Single(audit, a => a.Action == "rotate-secret" && a.Result.StartsWith("accepted", StringComparison.Ordinal)
            && a.Target == $"{world.Spec.Name}/oauth2-proxy.cookie-secret" && a.OperationId == accepted.Value.OperationId);
    }
}
