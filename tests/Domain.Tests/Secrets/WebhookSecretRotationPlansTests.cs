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

    [Fact]
    public void A_dual_validity_rotation_stores_both_values_rolls_verifies_then_drops_the_previous_after_the_grace_period_rolls_and_verifies_again()
    {
        var plan = DualPlan(["airbyte-webhooks"]);

        Assert.Equal(
            [
                "rotate-secret:" + Id, "apply:airbyte-webhooks", "verify-secret:" + Id,
                "drop-previous:" + Id, "reapply:airbyte-webhooks", "verify-dropped:" + Id,
            ],
            plan.Steps.Select(s => s.Id));
        Assert.Equal(
            [StepKind.RotateSecret, StepKind.ApplyComponent, StepKind.VerifySecret, StepKind.DropPreviousSecret, StepKind.ApplyComponent, StepKind.VerifySecret],
            plan.Steps.Select(s => s.Kind));
        Assert.Equal(["verify-secret:" + Id], plan.Steps[3].DependsOn);
        Assert.Equal(["drop-previous:" + Id], plan.Steps[4].DependsOn);
        Assert.Equal(["drop-previous:" + Id, "reapply:airbyte-webhooks"], plan.Steps[5].DependsOn);
        Assert.All(plan.Steps.Where(s => s.Kind != StepKind.ApplyComponent), s => Assert.Equal(new StepSubject(Id), s.Subject));
        Assert.Equal(
            "Generate a new signing secret, and store it as revision 3 of Secret airbyte-webhooks-secrets under signing-secret, with the current value kept under "
            + "signing-secret-previous so that both are accepted for the grace period (24 h); revision 2 is kept",
            plan.Steps[0].Description);
        Assert.Equal(
            "Wait for the grace period to end (24 h after the rotation; senders switch to the new secret meanwhile), then remove signing-secret-previous "
            + "from Secret airbyte-webhooks-secrets as revision 4, so that only the new value is accepted",
            plan.Steps[3].Description);
        Assert.Equal("Re-apply airbyte-webhooks so that its pods load revision 4 of Secret airbyte-webhooks-secrets, without the previous value (they restart)",
            plan.Steps[4].Description);
        Assert.Equal("Wait until airbyte-webhooks is healthy on revision 4; if not, put revision 3 (both values) back and re-apply it", plan.Steps[5].Description);
    }

    [Fact]
    public void Without_consumers_the_drop_is_checked_on_the_secret_alone()
    {
        var plan = DualPlan([]);
        Assert.Equal(["rotate-secret:" + Id, "verify-secret:" + Id, "drop-previous:" + Id, "verify-dropped:" + Id], plan.Steps.Select(s => s.Id));
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
        var plan = DualPlan(["airbyte-webhooks"]);
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
