using Portal.Domain.Plans;
using Portal.Domain.Stacks;

namespace Portal.Domain.Tests.Plans;

/// <summary>A reconfigure's steps carry the reasons their descriptions end with, so that a review can say what rolls and why.</summary>
public class PlanStepReasonsTests
{
    private static readonly StackSpec Applied = TestStacks.CharmedAirbyte();

    [Fact]
    public void A_reconfigure_step_lists_why_it_is_in_the_plan_as_its_description_says()
    {
        var plan = StackPlanner.Default.Reconfigure(Applied.With("airbyte", "log-level", "DEBUG").With("airbyte", "logs-ttl", "7"), Applied).Value;

        var apply = plan[StepIds.Apply("airbyte")];
        Assert.Equal(["airbyte log-level and logs-ttl changed"], apply.Reasons);
        Assert.EndsWith(", because airbyte log-level and logs-ttl changed.", apply.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_steps_have_no_reasons_and_a_one_wave_plan_says_one_wave()
    {
        Assert.All(StackPlanner.Default.Deploy(Applied).Value.Steps, step => Assert.Empty(step.Reasons));

        var single = Plan.Create(PlanKind.Reconfigure, "prod", "airbyte-prod",
            [new PlanStep("apply:airbyte", StepKind.ApplyComponent, "airbyte", null, [], "Apply airbyte.", "airbyte applied")]).Value;
        Assert.Equal("Reconfigure prod in 1 step (1 wave).", single.Summary);
    }
}
