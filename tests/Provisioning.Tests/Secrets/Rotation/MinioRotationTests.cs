using k8s.Models;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Provisioning.Secrets;
using Portal.Sandbox;

namespace Portal.Provisioning.Tests.Secrets.Rotation;

/// <summary>Rotating MinIO's root password against a deployed stack in the sandbox: MinIO restarts and is healthy on its new
/// revision before any consumer restarts with its copy; a failure puts the previous revision back in MinIO's Secret and every copy.</summary>
/// <remarks>The sandbox runs no MinIO, so nothing answers an S3-signed request here: that the consumers' copies match what MinIO
/// loads is checked on the Secrets and the pod templates, not by signing a request with them.</remarks>
public sealed class MinioRotationTests
{
    private const string Secret = "minio.root-credentials";
    private const string MinioSecret = "minio-secrets";

    [Fact]
    public async Task Rotating_minios_root_password_restarts_minio_and_waits_until_it_is_healthy_before_its_consumers_restart_and_a_rollback_restores_owner_and_copies()
    {
        await using var world = await RotationWorld.StartAsync();
        var copies = Copies(world);
        Assert.NotEmpty(copies);
        var before = await world.SecretAsync(MinioSecret);
        var oldPassword = RotationWorld.Value(before, "root-password");
        var rootUser = RotationWorld.Value(before, "root-user");
        var copiesBefore = new Dictionary<string, V1Secret>(StringComparer.Ordinal);
        foreach (var copy in copies)
        {
            copiesBefore[copy] = await world.SecretAsync(copy);
            Assert.Equal(oldPassword, RotationWorld.Value(copiesBefore[copy], RelationData.SecretKey));
        }

        var templates = await world.TemplatesAsync();
        var consumers = templates.Where(t => Loads(t.Value, copies)).Select(t => t.Key).Order().ToList();
        Assert.NotEmpty(consumers);
        Assert.DoesNotContain("StatefulSet/minio", consumers);

        await using var history = await WorkloadHistory.StartAsync(world.Harness.Client, world.Spec.Namespace);
        var started = await world.Rotations.RotateAsync(world.Spec.Name, Secret, new SecretRotationRequest("yearly rotation"), "ops@example.com", TestContext.Current.CancellationToken);
        Assert.True(started.IsSuccess, started.Message + string.Join("; ", started.Errors));
        await world.Harness.DrainAsync();
        var rotation = await world.OperationAsync(started.Value.OperationId!.Value);
        TestContext.Current.TestOutputHelper?.WriteLine(RotationWorld.Describe(rotation));
        Assert.True(rotation.State == OperationState.Succeeded, RotationWorld.Describe(rotation));

        // MinIO's Secret and each copy are at their next revision with the new password; the root user stays.
        var after = await world.SecretAsync(MinioSecret);
        var newPassword = RotationWorld.Value(after, "root-password");
        Assert.NotEqual(oldPassword, newPassword);
        Assert.True(newPassword.Length >= 8);
        Assert.Equal(rootUser, RotationWorld.Value(after, "root-user"));
        Assert.Equal(RotationWorld.Revision(before) + 1, RotationWorld.Revision(after));
        foreach (var copy in copies)
        {
            var live = await world.SecretAsync(copy);
            Assert.Equal(newPassword, RotationWorld.Value(live, RelationData.SecretKey));
            Assert.Equal(rootUser, RotationWorld.Value(live, RelationData.AccessKey));
            Assert.Equal(RotationWorld.Revision(copiesBefore[copy]) + 1, RotationWorld.Revision(live));
            Assert.Equal(oldPassword, RotationWorld.Value(await world.SecretAsync(ObjectNames.SecretRevision(copy, RotationWorld.Revision(copiesBefore[copy]))), RelationData.SecretKey));
        }

        Assert.Null(await world.FindSecretAsync(MinioSecret + "-pending"));

        // MinIO restarted first, alone, and was ready on its new revision before any consumer's pod template changed.
        var states = await history.StatesAsync();
        var minioRevision = $"{MinioSecret}={RotationWorld.Revision(after)}";
        var minioReady = states.ToList().FindIndex(s => s.Key == "StatefulSet/minio" && s.Revisions.Contains(minioRevision, StringComparison.Ordinal) && s.Ready);
        var firstConsumer = states.ToList().FindIndex(s => consumers.Contains(s.Key) && s.Revisions != templates[s.Key]);
        Assert.True(minioReady >= 0, "MinIO never was ready on its new revision:\n" + string.Join("\n", states));
        Assert.True(firstConsumer >= 0, "no consumer restarted:\n" + string.Join("\n", states));
        Assert.True(minioReady < firstConsumer, $"a consumer restarted before MinIO was ready on {minioRevision}:\n" + string.Join("\n", states));
        Assert.Equal(
            ["apply:minio", "verify-secret:minio.root-credentials:minio"],
            rotation.Steps.OrderBy(s => s.Order).Select(s => s.Key).Where(k => k is "apply:minio" or "verify-secret:minio.root-credentials:minio"));

        // Exactly MinIO and the consumers of the copies restarted, on the new revisions.
        var rolled = await world.TemplatesAsync();
        var changed = rolled.Where(t => templates[t.Key] != t.Value).Select(t => t.Key).Order().ToList();
        Assert.Equal(consumers.Append("StatefulSet/minio").Order(), changed);

        // A roll-back to revision 1 puts the old password in MinIO's Secret and the copies, MinIO again first.
        var back = await world.Rotations.RollbackAsync(world.Spec.Name, Secret, null, "a consumer cached the old key", "ops@example.com", TestContext.Current.CancellationToken);
        Assert.True(back.IsSuccess, back.Message + string.Join("; ", back.Errors));
        await world.Harness.DrainAsync();
        var rollback = await world.OperationAsync(back.Value.OperationId!.Value);
        Assert.True(rollback.State == OperationState.Succeeded, RotationWorld.Describe(rollback));
        var restored = await world.SecretAsync(MinioSecret);
        Assert.Equal(RotationWorld.Revision(after) + 1, RotationWorld.Revision(restored));
        Assert.Equal(oldPassword, RotationWorld.Value(restored, "root-password"));
        foreach (var copy in copies)
        {
            Assert.Equal(oldPassword, RotationWorld.Value(await world.SecretAsync(copy), RelationData.SecretKey));
        }

        var restoredStates = (await history.StatesAsync()).ToList();
        var restoredRevision = $"{MinioSecret}={RotationWorld.Revision(restored)}";
        var restoredReady = restoredStates.FindIndex(s => s.Key == "StatefulSet/minio" && s.Revisions.Contains(restoredRevision, StringComparison.Ordinal) && s.Ready);
        var restoredConsumer = restoredStates.FindIndex(s => consumers.Contains(s.Key) && s.Revisions != rolled[s.Key]);
        Assert.True(restoredReady >= 0 && restoredConsumer > restoredReady, string.Join("\n", restoredStates));

        await world.AssertNowhereAsync([oldPassword, newPassword], rotation, rollback);
    }

    [Fact]
    public async Task A_minio_that_does_not_get_healthy_on_its_new_password_is_rolled_back_before_any_consumer_restarts()
    {
        await using var world = await RotationWorld.StartAsync();
        var copies = Copies(world);
        var before = await world.SecretAsync(MinioSecret);
        var oldPassword = RotationWorld.Value(before, "root-password");
        var templates = await world.TemplatesAsync();
        var objects = await world.Harness.StackObjectsAsync(world.Spec);
        var image = Assert.Single(((V1StatefulSet)objects["StatefulSet/minio"]).Spec.Template.Spec.Containers).Image;

        await using var history = await WorkloadHistory.StartAsync(world.Harness.Client, world.Spec.Namespace);
        world.Harness.Sandbox.Faults.Set(new FaultSettings { CrashLoopImages = [image] });
        var started = await world.Rotations.RotateAsync(world.Spec.Name, Secret, new SecretRotationRequest("scheduled"), "ops@example.com", TestContext.Current.CancellationToken);
        Assert.True(started.IsSuccess, started.Message + string.Join("; ", started.Errors));
        await world.Harness.DrainAsync();
        world.Harness.Sandbox.Faults.Clear();

        var operation = await world.OperationAsync(started.Value.OperationId!.Value);
        TestContext.Current.TestOutputHelper?.WriteLine(RotationWorld.Describe(operation));
        Assert.True(operation.State == OperationState.Failed, RotationWorld.Describe(operation));
        Assert.Contains("minio did not become healthy", operation.Error, StringComparison.Ordinal);
        Assert.Contains("rolled back: revision 1 of Secret minio-secrets is live again", operation.Error, StringComparison.Ordinal);
        Assert.Equal(StepState.Failed, operation.Steps.Single(s => s.Key == "verify-secret:minio.root-credentials:minio").State);
        Assert.All(operation.Steps.Where(s => s.Key is "apply:airbyte" or "verify-secret:minio.root-credentials"), s => Assert.NotEqual(StepState.Succeeded, s.State));

        // The old password is live in MinIO's Secret and every copy, under the old revisions; no consumer's template ever changed.
        var live = await world.SecretAsync(MinioSecret);
        Assert.Equal(RotationWorld.Revision(before), RotationWorld.Revision(live));
        Assert.Equal(oldPassword, RotationWorld.Value(live, "root-password"));
        foreach (var copy in copies)
        {
            var secret = await world.SecretAsync(copy);
            Assert.Equal(oldPassword, RotationWorld.Value(secret, RelationData.SecretKey));
            Assert.Equal(1, RotationWorld.Revision(secret));
        }

        Assert.Equal(templates, await world.TemplatesAsync());
        var states = await history.StatesAsync();
        Assert.DoesNotContain(states, s => s.Key != "StatefulSet/minio" && templates.TryGetValue(s.Key, out var was) && was != s.Revisions);
        await world.AssertNowhereAsync([oldPassword], operation);
    }

    [Fact]
    public async Task When_a_consumer_fails_on_its_copy_minio_and_every_copy_get_the_previous_revision_back_and_restart_in_the_same_order()
    {
        await using var world = await RotationWorld.StartAsync();
        var copies = Copies(world);
        var before = await world.SecretAsync(MinioSecret);
        var oldPassword = RotationWorld.Value(before, "root-password");
        var templates = await world.TemplatesAsync();
        var objects = await world.Harness.StackObjectsAsync(world.Spec);
        var images = objects.Values.OfType<V1Deployment>().Where(d => Loads(RevisionsOf(d.Spec.Template), copies))
            .SelectMany(d => d.Spec.Template.Spec.Containers).Select(c => c.Image).Distinct().ToList();
        Assert.NotEmpty(images);

        world.Harness.Sandbox.Faults.Set(new FaultSettings { CrashLoopImages = images });
        var started = await world.Rotations.RotateAsync(world.Spec.Name, Secret, new SecretRotationRequest("scheduled"), "ops@example.com", TestContext.Current.CancellationToken);
        Assert.True(started.IsSuccess, started.Message + string.Join("; ", started.Errors));
        await world.Harness.DrainAsync();
        world.Harness.Sandbox.Faults.Clear();

        var operation = await world.OperationAsync(started.Value.OperationId!.Value);
        TestContext.Current.TestOutputHelper?.WriteLine(RotationWorld.Describe(operation));
        Assert.True(operation.State == OperationState.Failed, RotationWorld.Describe(operation));
        Assert.Equal(StepState.Succeeded, operation.Steps.Single(s => s.Key == "verify-secret:minio.root-credentials:minio").State);
        Assert.Contains("rolled back: revision 1 of Secret minio-secrets is live again", operation.Error, StringComparison.Ordinal);
        Assert.Contains("minio first", operation.Error, StringComparison.Ordinal);

        var live = await world.SecretAsync(MinioSecret);
        Assert.Equal(RotationWorld.Revision(before), RotationWorld.Revision(live));
        Assert.Equal(oldPassword, RotationWorld.Value(live, "root-password"));
        foreach (var copy in copies)
        {
            var secret = await world.SecretAsync(copy);
            Assert.Equal(oldPassword, RotationWorld.Value(secret, RelationData.SecretKey));
            Assert.Equal(1, RotationWorld.Revision(secret));
            Assert.Null(await world.FindSecretAsync(ObjectNames.SecretRevision(copy, 1)));
        }

        Assert.Equal(templates, await world.TemplatesAsync());
        await world.AssertNowhereAsync([oldPassword], operation);
    }

    private static List<string> Copies(RotationWorld world) =>
        world.Spec.Relations.Where(r => r.Provider.Component == "minio" && r.Interface == Interfaces.ObjectStorage).Select(ObjectNames.RelationSecret).ToList();

    private static bool Loads(string revisions, IEnumerable<string> secrets) =>
        revisions.Split(',').Any(e => secrets.Any(s => e.StartsWith(s + "=", StringComparison.Ordinal)));

    private static string RevisionsOf(V1PodTemplateSpec template) => template.Metadata.Annotations[PortalLabels.SecretRevisionsAnnotation];
}
