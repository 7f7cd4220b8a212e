using Portal.Domain.Catalog;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Live;

namespace Portal.Provisioning.Tests.Live;

/// <summary>The facts the status rules need, read from a stack's operations.</summary>
public sealed class PortalFactsBuilderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly StackSpec Spec = TestStacks.Minimal();
    private static readonly string DbRelation = Spec.Relations.First(r => r.Provider.Component == "postgresql").Key;

    [Fact]
    public void Components_applied_by_an_operation_are_deployed_until_a_later_one_removes_them()
    {
        var deploy = Guid.NewGuid();
        var teardown = Guid.NewGuid();
        var steps = new List<StepRecord>
        {
            Step(deploy, T0, OperationState.Succeeded, StepKind.ApplyComponent, "minio", null, StepState.Succeeded, T0.AddMinutes(1)),
            Step(deploy, T0, OperationState.Succeeded, StepKind.ApplyComponent, "airbyte", null, StepState.Succeeded, T0.AddMinutes(2)),
            Step(deploy, T0, OperationState.Succeeded, StepKind.ProvisionRelation, null, DbRelation, StepState.Succeeded, T0.AddMinutes(2)),
            Step(teardown, T0.AddHours(1), OperationState.Succeeded, StepKind.RemoveComponent, "airbyte", null, StepState.Succeeded, T0.AddHours(1)),
            Step(teardown, T0.AddHours(1), OperationState.Succeeded, StepKind.RemoveRelation, null, DbRelation, StepState.Succeeded, T0.AddHours(1)),
        };

        var facts = PortalFactsBuilder.Build(Spec, ComponentCatalog.Default, steps);

        Assert.Equal(["minio"], facts.Deployed);
        Assert.Empty(facts.WiredRelations);
        Assert.Empty(facts.Queued);
        Assert.Empty(facts.Applying);
    }

    [Fact]
    public void A_running_operation_says_what_it_still_applies_what_it_applies_now_and_what_it_wires()
    {
        var deploy = Guid.NewGuid();
        var steps = new List<StepRecord>
        {
            Step(deploy, T0, OperationState.Running, StepKind.ApplyComponent, "minio", null, StepState.Succeeded, T0),
            Step(deploy, T0, OperationState.Running, StepKind.ApplyComponent, "temporal", null, StepState.Running, null, "applying temporal"),
            Step(deploy, T0, OperationState.Running, StepKind.ApplyComponent, "airbyte", null, StepState.Blocked, null),
            Step(deploy, T0, OperationState.Running, StepKind.ProvisionRelation, null, DbRelation, StepState.Waiting, null, "wiring the database"),
        };

        var facts = PortalFactsBuilder.Build(Spec, ComponentCatalog.Default, steps);

        Assert.Equal(["minio"], facts.Deployed);
        Assert.Equal(["airbyte"], facts.Queued);
        Assert.Equal("applying temporal", facts.Applying["temporal"]);
        Assert.Equal("wiring the database", facts.Wiring[DbRelation]);
        Assert.Empty(facts.WiredRelations);
    }

    [Fact]
    public void An_apply_that_failed_in_the_last_operation_blocks_its_component_until_another_operation_runs()
    {
        var failed = Guid.NewGuid();
        var steps = new List<StepRecord>
        {
            Step(failed, T0, OperationState.Failed, StepKind.ApplyComponent, "temporal", null, StepState.Failed, T0, "applying temporal", "num-history-shards cannot change"),
        };

        var facts = PortalFactsBuilder.Build(Spec, ComponentCatalog.Default, steps);
        Assert.Contains("num-history-shards cannot change", facts.Blocked["temporal"], StringComparison.Ordinal);

        steps.Add(Step(Guid.NewGuid(), T0.AddMinutes(5), OperationState.Running, StepKind.ApplyComponent, "temporal", null, StepState.Running, null));
        Assert.Empty(PortalFactsBuilder.Build(Spec, ComponentCatalog.Default, steps).Blocked);
    }

    [Theory]
    [InlineData(StepState.Succeeded, true)]
    [InlineData(StepState.Failed, false)]
    public void The_external_database_is_judged_by_the_last_relation_step_that_used_it(StepState last, bool reachable)
    {
        var deploy = Guid.NewGuid();
        var steps = new List<StepRecord>
        {
            Step(deploy, T0, OperationState.Failed, StepKind.ProvisionRelation, null, DbRelation, StepState.Succeeded, T0),
            Step(deploy, T0, OperationState.Failed, StepKind.ProvisionRelation, null, DbRelation, last, T0.AddMinutes(1), "wiring the database", "password authentication failed"),
        };

        var check = PortalFactsBuilder.Build(Spec, ComponentCatalog.Default, steps).ExternalDatabases["postgresql"];

        Assert.Equal(reachable, check.Reachable);
        Assert.Equal(reachable ? null : "'wiring the database' failed: password authentication failed", check.Problem);
    }

    [Fact]
    public void An_in_cluster_database_needs_no_connection_check()
    {
        var spec = TestStacks.Minimal(configure: config => config["postgresql"] = new() { ["mode"] = "in-cluster" });
        var steps = new List<StepRecord>
        {
            Step(Guid.NewGuid(), T0, OperationState.Succeeded, StepKind.ProvisionRelation, null, DbRelation, StepState.Succeeded, T0),
        };

        Assert.Empty(PortalFactsBuilder.Build(spec, ComponentCatalog.Default, steps).ExternalDatabases);
    }

    private static StepRecord Step(
        Guid operation, DateTimeOffset created, OperationState operationState, StepKind kind, string? component, string? relation,
        StepState state, DateTimeOffset? finished, string description = "a step", string? error = null) =>
        new(operation, created, operationState, kind, component, relation, state, description, finished, error);
}
