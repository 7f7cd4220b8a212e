using Portal.Domain.Plans;

namespace Portal.Domain.Tests.Plans;

public sealed class TeardownPlanTests
{
    private static Plan Teardown(TeardownOptions options) => StackPlanner.Default.Teardown(TestStacks.CharmedAirbyte(), options).Value;

    private static TeardownOptions Options(bool deleteVolumes = false, bool dropDatabases = false, bool deleteNamespace = false) =>
        TeardownOptions.Create(deleteVolumes, dropDatabases, deleteNamespace).Value;

    [Fact]
    public void Teardown_ByDefault_RemovesEveryComponentAndRelationAndKeepsVolumesDatabasesAndNamespace()
    {
        var plan = Teardown(TeardownOptions.KeepData);

        Assert.Equal(PlanKind.Teardown, plan.Kind);
        Assert.Equal(10, plan.Steps.Count(s => s.Kind == StepKind.RemoveComponent));
        Assert.Equal(12, plan.Steps.Count(s => s.Kind == StepKind.RemoveRelation));
        Assert.Equal(22, plan.Steps.Count);
        Assert.DoesNotContain(plan.Steps, s => s.DeleteData);
        Assert.Equal(
            [
                "the minio data volume",
                "the external databases prod_airbyte, prod_temporal and prod_temporal_visibility on db.example.com",
                "the namespace airbyte-prod",
            ],
            plan.Keeps);
        Assert.Contains("keeps the minio data volume, the external databases prod_airbyte", plan.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Teardown_IsTheReverseOfTheDeploy()
    {
        var deploy = StackPlanner.Default.Deploy(TestStacks.CharmedAirbyte()).Value;
        var teardown = Teardown(TeardownOptions.KeepData);
        static string? Undo(PlanStep step) => step.Kind switch
        {
            StepKind.ApplyComponent => StepIds.RemoveComponent(step.Component!),
            StepKind.ProvisionRelation => StepIds.RemoveRelation(step.Relation!),
            _ => null,
        };

        var undoable = deploy.Steps.Where(s => Undo(s) is not null).ToList();
        Assert.Equal(undoable.Select(s => Undo(s)!).Order(StringComparer.Ordinal), teardown.Steps.Select(s => s.Id).Order(StringComparer.Ordinal));
        foreach (var later in undoable)
        {
            foreach (var earlier in undoable)
            {
                Assert.Equal(deploy.WaitsFor(later.Id, earlier.Id), teardown.WaitsFor(Undo(earlier)!, Undo(later)!));
            }
        }
    }

    [Theory]
    [InlineData("unrelate:airbyte:db--postgresql:database", "remove:airbyte")] // Stop the consumer before its credentials go.
    [InlineData("remove:postgresql", "unrelate:airbyte:db--postgresql:database")] // The server is there to drop what the relation made.
    [InlineData("remove:postgresql", "unrelate:temporal:visibility--postgresql:database")]
    [InlineData("remove:minio", "unrelate:airbyte:object-storage--minio:object-storage")]
    [InlineData("unrelate:temporal:db--postgresql:database", "remove:temporal")]
    [InlineData("remove:temporal", "unrelate:airbyte:temporal--temporal:temporal-host-info")]
    [InlineData("remove:ingress", "unrelate:airbyte:nginx-route--ingress:nginx-route")]
    [InlineData("remove:lego", "unrelate:ingress:certificates--lego:certificates")]
    public void Teardown_OrderFollowsTheRelations(string step, string prerequisite)
    {
        Assert.True(Teardown(TeardownOptions.KeepData).WaitsFor(step, prerequisite), $"{step} should wait for {prerequisite}");
    }

    [Fact]
    public void Teardown_TheRequirersAreRemovedFirst()
    {
        var roots = Teardown(TeardownOptions.KeepData).Roots.Select(s => s.Id);

        Assert.Contains("remove:airbyte", roots);
        Assert.Contains("remove:oauth2-proxy", roots);
        Assert.Contains("remove:airbyte-webhooks", roots);
        Assert.DoesNotContain("remove:postgresql", roots);
    }

    [Fact]
    public void Teardown_DroppingDatabases_DropsEachRelationsDatabaseAndNoLongerKeepsThem()
    {
        var plan = Teardown(Options(dropDatabases: true));

        var databaseSteps = plan.Steps.Where(s => s.DeleteData).Select(s => s.Id).Order(StringComparer.Ordinal);
        Assert.Equal(
            ["unrelate:airbyte:db--postgresql:database", "unrelate:temporal:db--postgresql:database", "unrelate:temporal:visibility--postgresql:database"],
            databaseSteps);
        Assert.StartsWith("Drop the database prod_airbyte and its role on postgresql", plan["unrelate:airbyte:db--postgresql:database"].Description, StringComparison.Ordinal);
        Assert.Equal(["the minio data volume", "the namespace airbyte-prod"], plan.Keeps);
    }

    [Fact]
    public void Teardown_DeletingVolumes_DeletesMinioDataAndNoLongerKeepsIt()
    {
        var plan = Teardown(Options(deleteVolumes: true));

        Assert.True(plan["remove:minio"].DeleteData);
        Assert.Equal("Delete the workloads, Services, ConfigMap and Secrets of minio and its data volume.", plan["remove:minio"].Description);
        Assert.DoesNotContain(plan.Keeps, k => k.Contains("volume", StringComparison.Ordinal));
    }

    [Fact]
    public void Teardown_DeletingTheNamespace_DeletesItLastAfterEverythingElse()
    {
        var plan = Teardown(Options(deleteVolumes: true, dropDatabases: true, deleteNamespace: true));

        var last = plan.Steps[^1];
        Assert.Equal("remove-namespace:airbyte-prod", last.Id);
        Assert.Equal(StepKind.RemoveNamespace, last.Kind);
        Assert.All(plan.Steps.Take(plan.Steps.Count - 1), step => Assert.True(plan.WaitsFor(last.Id, step.Id), step.Id));
        Assert.Empty(plan.Keeps);
    }

    [Fact]
    public void TeardownOptions_DeletingTheNamespaceButKeepingVolumes_IsRefused()
    {
        var result = TeardownOptions.Create(deleteVolumes: false, dropDatabases: false, deleteNamespace: true);

        Assert.False(result.IsSuccess);
        var error = Assert.Single(result.Errors);
        Assert.Equal("delete-namespace", error.Path);
        Assert.Contains("deletes the volumes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Teardown_InClusterPostgresql_KeepsItsVolumeAndTheDatabasesInIt()
    {
        var spec = TestStacks.CharmedAirbyte().With("postgresql", "mode", "in-cluster");

        var plan = StackPlanner.Default.Teardown(spec, TeardownOptions.KeepData).Value;

        Assert.Equal(
            [
                "the minio data volume",
                "the postgresql pgdata volume",
                "the databases prod_airbyte, prod_temporal and prod_temporal_visibility on postgresql",
                "the namespace airbyte-prod",
            ],
            plan.Keeps);
        Assert.EndsWith("keep its pgdata volume.", plan["remove:postgresql"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Teardown_InClusterPostgresqlWithVolumesDeleted_KeepsNoDatabase()
    {
        var spec = TestStacks.CharmedAirbyte().With("postgresql", "mode", "in-cluster");

        var plan = StackPlanner.Default.Teardown(spec, Options(deleteVolumes: true)).Value;

        Assert.Equal(["the namespace airbyte-prod"], plan.Keeps);
    }

    [Fact]
    public void Teardown_IsDeterministic()
    {
        var first = Teardown(TeardownOptions.KeepData);
        var shuffled = StackPlanner.Default.Teardown(TestStacks.CharmedAirbyte().Shuffled(), TeardownOptions.KeepData).Value;

        Assert.Equal(DeployPlanTests.Fingerprint(first), DeployPlanTests.Fingerprint(shuffled));
    }
}
