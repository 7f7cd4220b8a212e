using Portal.Domain.Catalog;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;

namespace Portal.Domain.Tests.Status;

public sealed class StackStatusTests
{
    [Fact]
    public void Stack_status_is_the_worst_component_with_counts_by_status()
    {
        var world = StatusWorld.Healthy()
            .BreakPod("airbyte-webhooks", "CrashLoopBackOff", restarts: 3)
            .Update<ObservedPersistentVolumeClaim>("data-minio-0", c => c with { Phase = VolumeClaimPhase.Pending, CreatedAt = StatusWorld.Now.AddMinutes(-1) });

        var status = world.Evaluate();

        Assert.Equal(ComponentStatus.Error, status.Status);
        Assert.Equal(1, status.Counts[ComponentStatus.Error]);
        Assert.Equal(status.Components.Count, status.Counts.Values.Sum());
        Assert.StartsWith("10 components: ", status.Message);
        Assert.Contains("1 error", status.Message);
        Assert.Equal(status.Relations.Count, status.RelationCounts.Values.Sum());
    }

    [Fact]
    public void Components_and_relations_come_in_spec_order()
    {
        var world = StatusWorld.Healthy();

        var status = world.Evaluate();

        Assert.Equal(world.Stack.Components.Select(c => c.Name), status.Components.Select(c => c.Component));
        Assert.Equal(world.Stack.Relations.Select(r => r.Key), status.Relations.Select(r => r.Key));
    }

    [Fact]
    public void A_stack_nobody_deployed_is_unknown_and_says_so()
    {
        var status = StatusWorld.Empty().Evaluate();

        Assert.Equal(ComponentStatus.Unknown, status.Status);
        Assert.False(status.IsActive);
        Assert.Equal("not deployed yet", status.Component("airbyte").Message);
    }

    [Theory]
    [InlineData(new[] { ComponentStatus.Active, ComponentStatus.Maintenance }, ComponentStatus.Maintenance)]
    [InlineData(new[] { ComponentStatus.Waiting, ComponentStatus.Blocked, ComponentStatus.Maintenance }, ComponentStatus.Blocked)]
    [InlineData(new[] { ComponentStatus.Unknown, ComponentStatus.Error }, ComponentStatus.Error)]
    [InlineData(new ComponentStatus[0], ComponentStatus.Active)]
    public void Worst_status_orders_error_above_blocked_above_unknown_above_waiting(ComponentStatus[] statuses, ComponentStatus worst) =>
        Assert.Equal(worst, StackStatus.Worst(statuses));

    [Fact]
    public void Evaluating_one_component_gives_the_same_state_as_the_whole_stack()
    {
        var world = StatusWorld.Healthy().BreakPod("temporal", "ImagePullBackOff");
        var evaluator = new StackStatusEvaluator(ComponentCatalog.Default);
        var observation = StackObservation.Create(StatusWorld.StackName, world.Objects);

        var alone = evaluator.EvaluateComponent(world.Stack, "airbyte", observation, world.Facts, StatusWorld.Now);

        Assert.Equal(world.Component("airbyte").Message, alone.Message);
    }

    [Fact]
    public void Evaluation_is_repeatable_for_the_same_inputs()
    {
        var world = StatusWorld.Healthy().BreakPod("airbyte-server", "CrashLoopBackOff", restarts: 1);

        Assert.Equal(
            world.Evaluate().Components.Select(c => c.ToString()),
            world.Evaluate().Components.Select(c => c.ToString()));
    }
}
