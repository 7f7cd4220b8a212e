using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Secrets.Inventory;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Tests.Secrets.Rotation;

/// <summary>oauth2-proxy-secrets holds the cookie and the client secret: each has its own revision, rotated-at and -by and roll-back
/// choices, and a roll-back of one restores only its value, while the Kubernetes Secret's revision (which rolls the consumers) goes
/// up with every write.</summary>
public sealed class PerSecretRevisionTests
{
    private const string Cookie = "oauth2-proxy.cookie-secret";
    private const string Client = "oauth2-proxy.client-secret";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rotating_the_cookie_secret_leaves_the_client_secrets_revision_and_dates_and_rolling_it_back_leaves_the_client_secrets_value()
    {
        await using var world = await RotationWorld.StartAsync(provider: "postgres");
        var inventory = new SecretService(
            world.Harness.Database, world.Harness.Get<ClusterRegistry>(), ComponentCatalog.Default, world.Rotations, world.Harness.Get<Portal.Provisioning.Secrets.Rotation.SecretReveals>(), TimeProvider.System);
        var secretName = ObjectNames.ComponentSecret("oauth2-proxy");
        var before = await world.SecretAsync(secretName);
        var oldCookie = RotationWorld.Value(before, "cookie-secret");
        var oldClient = RotationWorld.Value(before, "client-secret");
        Assert.True((await inventory.SetPolicyAsync(world.Spec.Name, Cookie, "monthly", "ops@example.com", Ct)).IsSuccess);

        // Rotate the cookie secret: its revision 2, by ops; the client secret is still revision 1, never rotated, nothing to roll back to.
        await RunAsync(world, await world.Rotations.RotateAsync(world.Spec.Name, Cookie, new SecretRotationRequest("sign everyone out"), "ops@example.com", Ct));
        var views = await ViewsAsync(inventory, world);
        Assert.Equal(2, views[Cookie].Revision);
        Assert.Equal("ops@example.com", views[Cookie].LastRotatedBy);
        Assert.NotNull(views[Cookie].LastRotatedAt);
        Assert.Equal([1], views[Cookie].KeptRevisions);
        Assert.Equal(1, views[Client].Revision);
        Assert.Null(views[Client].LastRotatedAt);
        Assert.Null(views[Client].LastRotatedBy);
        Assert.Empty(views[Client].KeptRevisions);
        var afterCookie = await world.SecretAsync(secretName);
        Assert.Equal(2, RotationWorld.Revision(afterCookie));
        Assert.Equal(oldClient, RotationWorld.Value(afterCookie, "client-secret"));

        // The rotation kept the cookie secret's policy (a rotation rewrites the Secret's annotations).
        Assert.Equal(RotationPolicy.Monthly, views[Cookie].Policy);
        Assert.Equal(RotationPolicy.Never, views[Client].Policy);

        // Rotate the client secret: its revision 2, by another operator; the cookie secret stays revision 2, rotated by ops.
        const string NewClient = "client-secret-issued-by-the-idp-4b2e";
        await RunAsync(world, await world.Rotations.RotateAsync(world.Spec.Name, Client, new SecretRotationRequest("the IdP rotated it", NewClient), "sec@example.com", Ct));
        views = await ViewsAsync(inventory, world);
        Assert.Equal(2, views[Client].Revision);
        Assert.Equal("sec@example.com", views[Client].LastRotatedBy);
        Assert.Equal([1], views[Client].KeptRevisions);
        Assert.Equal(2, views[Cookie].Revision);
        Assert.Equal("ops@example.com", views[Cookie].LastRotatedBy);
        Assert.Equal([1], views[Cookie].KeptRevisions);
        var newCookie = RotationWorld.Value(await world.SecretAsync(secretName), "cookie-secret");

        // Roll the cookie secret back to its revision 1: its old value comes back as its revision 3; the client secret keeps the
        // value the operator gave, and its revision; the Kubernetes Secret is at revision 4, which the proxy's pods load.
        var refused = await world.Rotations.RollbackAsync(world.Spec.Name, Cookie, 3, "no such revision", "ops@example.com", Ct);
        Assert.Contains("the kept revisions are 1", Assert.Single(refused.Errors, e => e.Path == "revision").Message, StringComparison.Ordinal);
        var rollback = await RunAsync(world, await world.Rotations.RollbackAsync(world.Spec.Name, Cookie, 1, "the new cookie secret broke sessions", "ops@example.com", Ct));
        Assert.StartsWith(
            $"Put revision 1 of cookie-secret back (kept in {secretName}-rev-1) as its revision 3; the other values of Secret {secretName} stay as they are",
            rollback.Steps.Single(s => s.Kind == Domain.Plans.StepKind.RestoreSecret).Description, StringComparison.Ordinal);
        var rolledBack = await world.SecretAsync(secretName);
        Assert.Equal(oldCookie, RotationWorld.Value(rolledBack, "cookie-secret"));
        Assert.Equal(NewClient, RotationWorld.Value(rolledBack, "client-secret"));
        Assert.Equal(4, RotationWorld.Revision(rolledBack));
        Assert.Contains($"{secretName}=4", (await world.TemplatesAsync()).Single(t => t.Key.StartsWith("Deployment/oauth2-proxy", StringComparison.Ordinal)).Value, StringComparison.Ordinal);
        views = await ViewsAsync(inventory, world);
        Assert.Equal(3, views[Cookie].Revision);
        Assert.Equal([2, 1], views[Cookie].KeptRevisions);
        Assert.Equal(2, views[Client].Revision);
        Assert.Equal("sec@example.com", views[Client].LastRotatedBy);
        Assert.Equal([1], views[Client].KeptRevisions);

        // Rolling the client secret back brings the first client secret back and leaves the cookie secret as it is live.
        await RunAsync(world, await world.Rotations.RollbackAsync(world.Spec.Name, Client, null, "the IdP kept the old one", "sec@example.com", Ct));
        var clientBack = await world.SecretAsync(secretName);
        Assert.Equal(oldClient, RotationWorld.Value(clientBack, "client-secret"));
        Assert.Equal(oldCookie, RotationWorld.Value(clientBack, "cookie-secret"));
        Assert.NotEqual(newCookie, RotationWorld.Value(clientBack, "cookie-secret"));
        views = await ViewsAsync(inventory, world);
        Assert.Equal(3, views[Client].Revision);
        Assert.Equal(3, views[Cookie].Revision);
    }

    private static async Task<Operation> RunAsync(RotationWorld world, ServiceResult<StackChange> started)
    {
        Assert.True(started.IsSuccess, started.Message + string.Join("; ", started.Errors));
        await world.Harness.DrainAsync();
        var operation = await world.OperationAsync(started.Value.OperationId!.Value);
        Assert.True(operation.State == OperationState.Succeeded, RotationWorld.Describe(operation));
        return operation;
    }

    private static async Task<Dictionary<string, SecretView>> ViewsAsync(SecretService inventory, RotationWorld world)
    {
        var listed = await inventory.ListAsync(world.Spec.Name, Ct);
        Assert.True(listed.IsSuccess, listed.Message);
        return listed.Value.Secrets.ToDictionary(s => s.Id, StringComparer.Ordinal);
    }
}
