using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Secrets;
using Portal.Domain.Tests.TestData;
using Portal.Domain.Values;

namespace Portal.Domain.Tests.Secrets;

/// <summary>The webhook signing secret's rotation with a grace period (new value and previous one both accepted, then the previous
/// dropped), the grace-period option's bounds, the persisted wait until the grace period ends, and airbyte-auth-secrets' refusal.</summary>
public sealed class WebhookSecretRotationPlansTests
{
    private const string Id = "airbyte-webhooks.signing-secret";

    private static Plan DualPlan(IReadOnlyList<string> consumers) => SecretRotationPlans.RotateDualValidity(
        "prod", "airbyte-prod", Id, "airbyte-webhooks-secrets", "Generate a new signing secret", "signing-secret", "signing-secret-previous",
        TimeSpan.FromHours(24), 2, consumers);

    private static Plan DropPlan(IReadOnlyList<string> consumers) => SecretRotationPlans.DropPrevious(
        "prod", "airbyte-prod", Id, "airbyte-webhooks-secrets", "signing-secret-previous", 3, consumers);

    [Fact]
    public void A_dual_validity_rotation_stores_both_values_rolls_and_verifies_and_leaves_the_drop_to_a_later_operation()
    {
        var plan = DualPlan(["airbyte-webhooks"]);

        Assert.Equal(["rotate-secret:" + Id, "apply:airbyte-webhooks", "verify-secret:" + Id], plan.Steps.Select(s => s.Id));
        Assert.Equal([StepKind.RotateSecret, StepKind.ApplyComponent, StepKind.VerifySecret], plan.Steps.Select(s => s.Kind));
        Assert.DoesNotContain(plan.Steps, s => s.Kind == StepKind.DropPreviousSecret);
        Assert.Equal(
            "Generate a new signing secret, and store it as revision 3 of Secret airbyte-webhooks-secrets under signing-secret, with the current value kept under "
            + "signing-secret-previous so that both are accepted for the grace period (24 h; then the scheduler drops the previous value in the next maintenance "
            + "window); revision 2 is kept",
            plan.Steps[0].Description);
    }

    [Fact]
    public void The_drop_removes_the_previous_value_rolls_the_consumers_and_verifies_them_or_puts_both_values_back()
    {
        var plan = DropPlan(["airbyte-webhooks"]);

        Assert.Equal(["drop-previous:" + Id, "apply:airbyte-webhooks", "verify-secret:" + Id], plan.Steps.Select(s => s.Id));
        Assert.Equal([StepKind.DropPreviousSecret, StepKind.ApplyComponent, StepKind.VerifySecret], plan.Steps.Select(s => s.Kind));
        Assert.Equal(["drop-previous:" + Id], plan.Steps[1].DependsOn);
        Assert.All(plan.Steps.Where(s => s.Kind != StepKind.ApplyComponent), s => Assert.Equal(new StepSubject(Id), s.Subject));
        Assert.Equal(
            "Remove signing-secret-previous from Secret airbyte-webhooks-secrets as revision 4, so that only the new value is accepted (its grace period is over)",
            plan.Steps[0].Description);
        Assert.Equal("Wait until airbyte-webhooks is healthy on revision 4; if not, put revision 3 back and re-apply it", plan.Steps[2].Description);
    }

    [Fact]
    public void Without_consumers_the_drop_is_checked_on_the_secret_alone()
    {
        var plan = DropPlan([]);
        Assert.Equal(["drop-previous:" + Id, "verify-secret:" + Id], plan.Steps.Select(s => s.Id));
        Assert.Equal("Check Secret airbyte-webhooks-secrets; if that fails, put revision 3 back", plan.Steps[^1].Description);
    }

    [Theory]
    [InlineData(24 * 60, "24 h")]
    [InlineData(3 * 24 * 60, "3 days")]
    [InlineData(30, "30 min")]
    [InlineData(90, "90 min")]
    public void Grace_periods_read_as_an_operator_says_them(int minutes, string text) =>
        Assert.Equal(text, SecretRotationPlans.GraceText(TimeSpan.FromMinutes(minutes)));

    [Theory]
    [InlineData("24h", true)]
    [InlineData("5m", true)]
    [InlineData("720h", true)]
    [InlineData("4m", false)]
    [InlineData("721h", false)]
    [InlineData("soon", false)]
    public void The_grace_period_option_is_between_five_minutes_and_thirty_days(string value, bool valid)
    {
        var option = ComponentCatalog.Default.Get(AirbyteWebhooksKind.Name).FindOption(AirbyteWebhooksKind.GracePeriodOption)!;
        var parsed = OptionValueParser.Parse(option, value, StackRequests.Now);
        Assert.Equal(valid, parsed.IsSuccess);
        if (!valid && value != "soon")
        {
            Assert.Contains("must be between 300s and 2592000s", Assert.Single(parsed.Errors).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(null, 24 * 60)]
    [InlineData("2h", 120)]
    [InlineData("1m", 24 * 60)]
    [InlineData("bogus", 24 * 60)]
    public void The_grace_period_of_a_component_falls_back_to_the_default_when_unusable(string? option, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), AirbyteWebhooksKind.GracePeriod(option));

    [Fact]
    public void The_drop_may_wait_out_the_longest_grace_period()
    {
        var policy = StepPolicy.Default;
        Assert.True(policy.DeadlineFor(StepKind.DropPreviousSecret) > AirbyteWebhooksKind.MaxGracePeriod);
        Assert.Equal(policy.StepDeadline, policy.DeadlineFor(StepKind.RotateSecret));
    }

    [Fact]
    public void A_step_that_knows_when_it_can_be_ready_is_looked_at_then_not_polled_and_never_after_its_deadline()
    {
        var t0 = StackRequests.Now;
        var plan = DropPlan(["airbyte-webhooks"]);
        var operation = Operation.Start(Guid.NewGuid(), OperationKind.RotateSecret, plan, StackSpecs.Minimal(), "ops@example.com", null, t0);
        var drop = operation.Steps.Single(s => s.Kind == StepKind.DropPreviousSecret);
        foreach (var step in operation.Steps.Where(s => s.Order < drop.Order))
        {
            operation.Begin(step.Id, t0, StepPolicy.Default);
            operation.Complete(step.Id, t0, null);
        }

        Assert.Equal(StepStart.Run, operation.Begin(drop.Id, t0, StepPolicy.Default));
        operation.NotReady(drop.Id, t0, StepPolicy.Default, "the grace period to end", t0 + TimeSpan.FromHours(24));
        Assert.Equal(StepState.Waiting, drop.State);
        Assert.Equal(0, drop.FailedAttempts);
        Assert.Equal(t0 + TimeSpan.FromHours(24), drop.NotBefore);
        Assert.Equal(StepStart.TooEarly, operation.Begin(drop.Id, t0 + TimeSpan.FromHours(23), StepPolicy.Default));

        Assert.Equal(StepStart.Run, operation.Begin(drop.Id, t0 + TimeSpan.FromHours(24), StepPolicy.Default));
        operation.NotReady(drop.Id, t0 + TimeSpan.FromHours(24), StepPolicy.Default, "the grace period to end", t0 + TimeSpan.FromDays(400));
        Assert.Equal(t0 + StepPolicy.Default.GraceDeadline, drop.NotBefore);
    }

    [Fact]
    public void Airbyte_auth_secrets_is_not_rotatable_and_says_why()
    {
        var secret = SecretInventory.Of(StackSpecs.Minimal(), ComponentCatalog.Default).Single(s => s.Id.ToString() == "airbyte.airbyte-auth-secrets");
        Assert.Equal(SecretInventory.AirbyteAuthSecretsNotRotatable, secret.NotRotatable);
        Assert.Contains("dataplane client credentials", secret.NotRotatable, StringComparison.Ordinal);
        var webhook = SecretInventory.Of(StackSpecs.Minimal(), ComponentCatalog.Default).Single(s => s.Id.ToString() == Id);
        Assert.Null(webhook.NotRotatable);
    }
}
