using Portal.Domain.Plans;

namespace Portal.Domain.Tests.Plans;

public sealed class PlanGraphTests
{
    private static PlanStep Step(string id, params string[] dependsOn) =>
        new(id, StepKind.ApplyComponent, id, null, dependsOn, $"Apply {id}.", $"{id} applied");

    [Fact]
    public void Create_HandMadeCycle_IsRefusedWithTheCycleNamed()
    {
        var result = Plan.Create(PlanKind.Deploy, "s", "ns",
        [
            Step("c", "b"),
            Step("a", "c"),
            Step("b", "a"),
            Step("d", "a"),
        ]);

        Assert.False(result.IsSuccess);
        var error = Assert.Single(result.Errors);
        Assert.Equal("plan", error.Path);
        Assert.Contains("a → c → b → a", error.Message, StringComparison.Ordinal);
        Assert.Contains("cycle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_StepWaitingForItself_IsACycle()
    {
        var result = Plan.Create(PlanKind.Deploy, "s", "ns", [Step("a", "a")]);

        Assert.Contains("a → a", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UnknownPrerequisiteAndDuplicateId_AreAllReported()
    {
        var result = Plan.Create(PlanKind.Deploy, "s", "ns", [Step("a", "missing"), Step("b"), Step("b")]);

        Assert.Equal(2, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.Path == "steps.a" && e.Message.Contains("'missing'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Path == "steps.b" && e.Message.Contains("unique", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_OrdersByWaveThenIdAndFillsWaitsFor()
    {
        var plan = Plan.Create(PlanKind.Deploy, "s", "ns", [Step("z"), Step("m", "z"), Step("b", "z"), Step("a", "m", "b")]).Value;

        Assert.Equal(["z", "b", "m", "a"], plan.Steps.Select(s => s.Id));
        Assert.Equal("", plan["z"].WaitsFor);
        Assert.Equal("waits for: b applied, m applied", plan["a"].WaitsFor);
        Assert.Equal(3, plan.Waves.Count);
    }

    [Fact]
    public void FindCycle_IsTheSameWhateverTheOrderStepsWereAdded()
    {
        var forward = new PlanGraph().Add("a").Add("b").Add("c");
        forward.AddDependency("a", "b").AddDependency("b", "c").AddDependency("c", "a");
        var backward = new PlanGraph().Add("c").Add("b").Add("a");
        backward.AddDependency("c", "a").AddDependency("b", "c").AddDependency("a", "b");

        Assert.Equal(["a", "b", "c", "a"], forward.FindCycle());
        Assert.Equal(forward.FindCycle(), backward.FindCycle());
    }

    [Fact]
    public void TopologicalOrder_OfACycle_IsAFailureNotAnException()
    {
        var graph = new PlanGraph().Add("a").Add("b");
        graph.AddDependency("a", "b").AddDependency("b", "a");

        Assert.False(graph.TopologicalOrder().IsSuccess);
    }

    [Fact]
    public void WithoutRedundantDependencies_DropsEdgesAnotherPathImplies()
    {
        var graph = new PlanGraph().Add("a").Add("b").Add("c");
        graph.AddDependency("c", "b").AddDependency("b", "a").AddDependency("c", "a");

        var reduced = graph.WithoutRedundantDependencies();

        Assert.Equal(["b"], reduced.DependenciesOf("c"));
        Assert.True(reduced.Reaches("c", "a"));
    }

    [Fact]
    public void Restrict_KeepsTheOrderThroughStepsLeftOut()
    {
        var graph = new PlanGraph().Add("a").Add("b").Add("c").Add("d");
        graph.AddDependency("c", "b").AddDependency("b", "a").AddDependency("d", "a");

        var restricted = graph.Restrict(["a", "c", "d"]);

        Assert.Equal(["a"], restricted.DependenciesOf("c"));
        Assert.Equal(["a"], restricted.DependenciesOf("d"));
        Assert.False(restricted.Contains("b"));
    }

    [Fact]
    public void AddDependency_OnAnUnknownStep_IsABug()
    {
        var graph = new PlanGraph().Add("a");

        Assert.Throws<ArgumentException>(() => graph.AddDependency("a", "nowhere"));
        Assert.Empty(graph.DependenciesOf("a"));
    }

    [Fact]
    public void Deploy_RelationsThatMakeComponentsWaitForEachOther_AreRefusedWithTheCycleNamed()
    {
        // Two components that each read the other's relation at start (an interface the planner does not know is read
        // at start): neither can ever be applied first.
        var spec = TestStacks.CharmedAirbyte()
            .WithComponent("left", "minio")
            .WithComponent("right", "minio")
            .WithRelation("left:peer", "right:peer", "custom-peer")
            .WithRelation("right:peer", "left:peer", "custom-peer");

        var result = StackPlanner.Default.Deploy(spec);

        Assert.False(result.IsSuccess);
        var message = Assert.Single(result.Errors).Message;
        Assert.Contains("apply:left → relate:left:peer--right:peer → await:right → apply:right → relate:right:peer--left:peer → await:left → apply:left", message, StringComparison.Ordinal);
    }
}
