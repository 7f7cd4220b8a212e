using k8s;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Secrets;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Secrets.Rotation;
using Portal.Provisioning.Tests.Steps;
using Portal.Sandbox;

namespace Portal.Provisioning.Tests.Secrets.Rotation;

/// <summary>Rotating the passwords of an in-cluster PostgreSQL server: a Job runs ALTER ROLE … PASSWORD, reading the password from a
/// Secret, then the new revision is stored and the consumers roll.</summary>
/// <remarks>The sandbox runs Jobs with simulated pods (no psql, no server): these tests show the Job the portal creates (its
/// secretKeyRefs, its name per operation, that the step waits for it and fails with its reason, the roll-back's Job), not that the
/// role's password changed; that needs a real cluster.</remarks>
public sealed class InClusterPasswordRotationTests
{
    private const string RelationSecret = "airbyte-db-relation";
    private const string ServerSecret = "postgresql-secrets";

    [Fact]
    public async Task The_relation_password_is_set_by_a_job_that_reads_it_from_the_pending_secret_and_the_superuser_password_rotates_as_an_operation()
    {
        await using var world = await RotationWorld.StartAsync(inClusterDatabase: true);
        var ct = TestContext.Current.CancellationToken;
        var before = await world.SecretAsync(RelationSecret);
        var plan = SecretRotationPlans.Rotate(world.Spec.Name, world.Spec.Namespace, RotationWorld.DatabaseSecret, RelationSecret, "Generate", 1, ["airbyte"], null);
        var execution = StackHarness.Execution(world.Spec, StepIds.RotateSecret(RotationWorld.DatabaseSecret), plan);
        var handler = world.Harness.Handler(StepKind.RotateSecret);
        var secret = world.Harness.Get<RotatableSecrets>().Find(world.Spec, RotationWorld.DatabaseSecret).Secret!;
        var jobName = InClusterPasswordJobs.JobName(secret, InClusterPasswordJobs.Rotate, execution.Operation.Id.ToString());

        // The first delivery makes the value (in the pending Secret) and starts the Job, which reads it through a secretKeyRef.
        Assert.IsType<StepOutcome.NotReady>(await handler.RunAsync(execution, ct));
        var pending = RotationWorld.Value(await world.SecretAsync(RelationSecret + "-pending"), RelationData.Password);
        var job = (await world.Harness.Cluster.ReadAsync<V1Job>("batch/v1", "Job", world.Spec.Namespace, jobName, ct))!;
        var env = Assert.Single(job.Spec.Template.Spec.Containers).Env;
        Assert.Equal((RelationSecret + "-pending", RelationData.Password), Ref(env, "ROLE_PASSWORD"));
        Assert.Equal((ServerSecret, "superuser-password"), Ref(env, "PGPASSWORD"));
        Assert.Equal(ObjectNames.DatabaseRole(world.Spec.Name, secret.Relation!), env.Single(e => e.Name == "ROLE_NAME").Value);
        Assert.Contains("ALTER ROLE", string.Join(" ", job.Spec.Template.Spec.Containers[0].Command), StringComparison.Ordinal);
        var spec = KubernetesJson.Serialize(job);
        Assert.DoesNotContain(pending, spec, StringComparison.Ordinal);
        Assert.DoesNotContain(RotationWorld.Value(before, RelationData.Password), spec, StringComparison.Ordinal);
        Assert.Equal(1, RotationWorld.Revision(await world.SecretAsync(RelationSecret)));

        // Delivered again while it runs: the same Job, the same value; then done, the value is stored and the Job removed.
        StepOutcome outcome;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(30));
            while ((outcome = await handler.RunAsync(execution, deadline.Token)) is StepOutcome.NotReady)
            {
                var again = (await world.Harness.Cluster.ReadAsync<V1Job>("batch/v1", "Job", world.Spec.Namespace, jobName, ct))!;
                Assert.Equal(job.Metadata.Uid, again.Metadata.Uid);
                await Task.Delay(StackHarness.Policy.PollInterval, deadline.Token);
            }
        }

        var done = Assert.IsType<StepOutcome.Done>(outcome);
        Assert.Contains("a Job set the new password on role", done.Message, StringComparison.Ordinal);
        var stored = await world.SecretAsync(RelationSecret);
        Assert.Equal(2, RotationWorld.Revision(stored));
        Assert.Equal(pending, RotationWorld.Value(stored, RelationData.Password));
        Assert.Null(await world.FindSecretAsync(RelationSecret + "-pending"));
        Assert.Null(await world.Harness.Cluster.ReadAsync<V1Job>("batch/v1", "Job", world.Spec.Namespace, jobName, ct));

        // The superuser password as an operation: the server's Secret gets revision 2 and the server rolls.
        var server = await world.SecretAsync(ServerSecret);
        var templates = await world.TemplatesAsync();
        var started = await world.Rotations.RotateAsync(world.Spec.Name, "postgresql.superuser-password", new SecretRotationRequest("yearly"), "ops@example.com", ct);
        Assert.True(started.IsSuccess, started.Message + string.Join("; ", started.Errors));
        await world.Harness.DrainAsync();
        var rotation = await world.OperationAsync(started.Value.OperationId!.Value);
        TestContext.Current.TestOutputHelper?.WriteLine(RotationWorld.Describe(rotation));
        Assert.True(rotation.State == OperationState.Succeeded, RotationWorld.Describe(rotation));
        Assert.Contains("a Job set the new password on role postgres", rotation.Steps.Single(s => s.Kind == StepKind.RotateSecret).Message, StringComparison.Ordinal);
        var rotated = await world.SecretAsync(ServerSecret);
        Assert.Equal(RotationWorld.Revision(server) + 1, RotationWorld.Revision(rotated));
        var newSuperuser = RotationWorld.Value(rotated, "superuser-password");
        Assert.NotEqual(RotationWorld.Value(server, "superuser-password"), newSuperuser);
        var changed = (await world.TemplatesAsync()).Where(t => templates[t.Key] != t.Value).Select(t => t.Key).ToList();
        Assert.Equal(["StatefulSet/postgresql"], changed);

        // Rolling the superuser back: a Job restores the kept revision's password (read from the kept Secret), then the revision.
        var back = await world.Rotations.RollbackAsync(world.Spec.Name, "postgresql.superuser-password", null, "a Job of ours still used it", "ops@example.com", ct);
        Assert.True(back.IsSuccess, back.Message + string.Join("; ", back.Errors));
        await world.Harness.DrainAsync();
        var rollback = await world.OperationAsync(back.Value.OperationId!.Value);
        Assert.True(rollback.State == OperationState.Succeeded, RotationWorld.Describe(rollback));
        Assert.Contains("a Job set its password on role postgres again", rollback.Steps.Single(s => s.Kind == StepKind.RestoreSecret).Message, StringComparison.Ordinal);
        Assert.Equal(RotationWorld.Value(server, "superuser-password"), RotationWorld.Value(await world.SecretAsync(ServerSecret), "superuser-password"));

        await world.AssertNowhereAsync([pending, newSuperuser, RotationWorld.Value(server, "superuser-password")], rotation, rollback);
    }

    [Fact]
    public async Task A_failing_job_fails_the_rotation_with_its_reason_and_consumers_that_fail_get_the_previous_password_back_through_a_job()
    {
        await using var world = await RotationWorld.StartAsync(inClusterDatabase: true);
        var ct = TestContext.Current.CancellationToken;
        var before = await world.SecretAsync(RelationSecret);
        var secret = world.Harness.Get<RotatableSecrets>().Find(world.Spec, RotationWorld.DatabaseSecret).Secret!;

        // The Job fails: the rotation fails with the Job's reason and stores nothing.
        var started = await world.Rotations.RotateAsync(world.Spec.Name, RotationWorld.DatabaseSecret, new SecretRotationRequest("scheduled"), "ops@example.com", ct);
        Assert.True(started.IsSuccess, started.Message + string.Join("; ", started.Errors));
        var jobName = InClusterPasswordJobs.JobName(secret, InClusterPasswordJobs.Rotate, started.Value.OperationId!.Value.ToString());
        world.Harness.Sandbox.Faults.Set(new FaultSettings { FailingJobs = [jobName] });
        await world.Harness.DrainAsync();
        world.Harness.Sandbox.Faults.Clear();
        var failed = await world.OperationAsync(started.Value.OperationId!.Value);
        TestContext.Current.TestOutputHelper?.WriteLine(RotationWorld.Describe(failed));
        Assert.True(failed.State == OperationState.Failed, RotationWorld.Describe(failed));
        var step = failed.Steps.Single(s => s.Kind == StepKind.RotateSecret);
        Assert.Equal(StepState.Failed, step.State);
        Assert.Contains($"Job {jobName}", step.Error, StringComparison.Ordinal);
        Assert.Contains("to set the password of role", step.Error, StringComparison.Ordinal);
        var unchanged = await world.SecretAsync(RelationSecret);
        Assert.Equal(before.Metadata.ResourceVersion, unchanged.Metadata.ResourceVersion);

        // The consumers crash on the new password: the previous revision is put back and a Job sets its password again, read from
        // the live Secret (which holds it again).
        var templates = await world.TemplatesAsync();
        var objects = await world.Harness.StackObjectsAsync(world.Spec);
        var images = objects.Values.OfType<V1Deployment>()
            .Where(d => d.Spec.Template.Metadata.Annotations[PortalLabels.SecretRevisionsAnnotation].Contains(RelationSecret + "=", StringComparison.Ordinal))
            .SelectMany(d => d.Spec.Template.Spec.Containers).Select(c => c.Image).Distinct().ToList();
        world.Harness.Sandbox.Faults.Set(new FaultSettings { CrashLoopImages = images });
        var again = await world.Rotations.RotateAsync(world.Spec.Name, RotationWorld.DatabaseSecret, new SecretRotationRequest("scheduled"), "ops@example.com", ct);
        Assert.True(again.IsSuccess, again.Message + string.Join("; ", again.Errors));
        await world.Harness.DrainAsync();
        world.Harness.Sandbox.Faults.Clear();
        var operation = await world.OperationAsync(again.Value.OperationId!.Value);
        TestContext.Current.TestOutputHelper?.WriteLine(RotationWorld.Describe(operation));
        Assert.True(operation.State == OperationState.Failed, RotationWorld.Describe(operation));
        Assert.Contains("rolled back: revision 1 of Secret airbyte-db-relation is live again", operation.Error, StringComparison.Ordinal);
        Assert.Contains("a Job set the previous password on role", operation.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("; but ", operation.Error, StringComparison.Ordinal);

        var live = await world.SecretAsync(RelationSecret);
        Assert.Equal(1, RotationWorld.Revision(live));
        Assert.Equal(RotationWorld.Value(before, RelationData.Password), RotationWorld.Value(live, RelationData.Password));
        Assert.Equal(templates, await world.TemplatesAsync());
        var rollbackJob = (await world.Harness.Cluster.ReadAsync<V1Job>(
            "batch/v1", "Job", world.Spec.Namespace, InClusterPasswordJobs.JobName(secret, InClusterPasswordJobs.Rollback, again.Value.OperationId!.Value.ToString()), ct))!;
        Assert.NotNull(rollbackJob);
        var env = Assert.Single(rollbackJob.Spec.Template.Spec.Containers).Env;
        Assert.Equal((RelationSecret, RelationData.Password), Ref(env, "ROLE_PASSWORD"));
        Assert.Equal((ServerSecret, "superuser-password"), Ref(env, "PGPASSWORD"));
        Assert.Contains(rollbackJob.Status.Conditions, c => c.Type == "Complete" && c.Status == "True");
        Assert.DoesNotContain(RotationWorld.Value(before, RelationData.Password), KubernetesJson.Serialize(rollbackJob), StringComparison.Ordinal);
        await world.AssertNowhereAsync([RotationWorld.Value(before, RelationData.Password)], failed, operation);
    }

    [Fact]
    public async Task A_secret_that_cannot_take_the_new_password_gets_the_role_its_previous_password_back_through_a_job()
    {
        await using var world = await RotationWorld.StartAsync(inClusterDatabase: true);
        var ct = TestContext.Current.CancellationToken;
        var live = await world.SecretAsync(RelationSecret);
        live.Metadata.Labels.Remove(PortalLabels.ManagedBy);
        await world.Harness.Client.CoreV1.ReplaceNamespacedSecretAsync(live, RelationSecret, world.Spec.Namespace, cancellationToken: ct);
        var plan = SecretRotationPlans.Rotate(world.Spec.Name, world.Spec.Namespace, RotationWorld.DatabaseSecret, RelationSecret, "Generate", 1, ["airbyte"], null);
        var execution = StackHarness.Execution(world.Spec, StepIds.RotateSecret(RotationWorld.DatabaseSecret), plan);
        var handler = world.Harness.Handler(StepKind.RotateSecret);
        var secret = world.Harness.Get<RotatableSecrets>().Find(world.Spec, RotationWorld.DatabaseSecret).Secret!;

        StepOutcome outcome;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(30));
            while ((outcome = await handler.RunAsync(execution, deadline.Token)) is StepOutcome.NotReady)
            {
                await Task.Delay(StackHarness.Policy.PollInterval, deadline.Token);
            }
        }

        var failed = Assert.IsType<StepOutcome.Failed>(outcome);
        Assert.True(failed.Permanent);
        Assert.Contains("a Job set the previous password on role", failed.Error, StringComparison.Ordinal);
        var back = (await world.Harness.Cluster.ReadAsync<V1Job>(
            "batch/v1", "Job", world.Spec.Namespace, InClusterPasswordJobs.JobName(secret, InClusterPasswordJobs.Rollback, execution.Operation.Id.ToString()), ct))!;
        Assert.Equal((RelationSecret, RelationData.Password), Ref(Assert.Single(back.Spec.Template.Spec.Containers).Env, "ROLE_PASSWORD"));
        Assert.Equal(live.Data[RelationData.Password], (await world.SecretAsync(RelationSecret)).Data[RelationData.Password]);
    }

    private static (string Name, string Key) Ref(IList<V1EnvVar> env, string name)
    {
        var variable = env.Single(e => e.Name == name);
        Assert.Null(variable.Value);
        return (variable.ValueFrom.SecretKeyRef.Name, variable.ValueFrom.SecretKeyRef.Key);
    }
}
