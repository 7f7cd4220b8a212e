using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Secrets;

namespace Portal.Domain.Tests.Secrets;

public sealed class SecretRotationPlansTests
{
    [Fact]
    public void A_rotation_changes_the_secret_then_re_applies_each_consumer_then_verifies_after_all_of_them()
    {
        var plan = SecretRotationPlans.Rotate(
            "prod", "airbyte-prod", "postgresql.airbyte-db", "airbyte-db-relation", "Generate a new password for role prod_airbyte", 2, ["airbyte", "airbyte-webhooks"],
            "the new password logs in and the previous one is refused");

        Assert.Equal(PlanKind.Secret, plan.Kind);
        Assert.StartsWith("Rotate secret postgresql.airbyte-db of ", plan.Summary, StringComparison.Ordinal);
        Assert.Equal(
            ["rotate-secret:postgresql.airbyte-db", "apply:airbyte", "apply:airbyte-webhooks", "verify-secret:postgresql.airbyte-db"],
            plan.Steps.Select(s => s.Id));
        Assert.Equal([StepKind.RotateSecret, StepKind.ApplyComponent, StepKind.ApplyComponent, StepKind.VerifySecret], plan.Steps.Select(s => s.Kind));
        Assert.All(plan.Steps.Where(s => s.Kind == StepKind.ApplyComponent), s => Assert.Equal(["rotate-secret:postgresql.airbyte-db"], s.DependsOn));
        Assert.Equal(["rotate-secret:postgresql.airbyte-db", "apply:airbyte", "apply:airbyte-webhooks"], plan.Steps[^1].DependsOn);
        Assert.Equal(new StepSubject("postgresql.airbyte-db"), plan.Steps[0].Subject);
        Assert.Equal(
            "Generate a new password for role prod_airbyte, and store it as revision 3 of Secret airbyte-db-relation, keeping revision 2",
            plan.Steps[0].Description);
        Assert.Equal("Re-apply airbyte so that its pods load revision 3 of Secret airbyte-db-relation (they restart)", plan.Steps[1].Description);
        Assert.Equal(
            "Wait until airbyte, airbyte-webhooks are healthy on revision 3, check that the new password logs in and the previous one is refused; if not, put revision 2 back and re-apply them",
            plan.Steps[^1].Description);
    }

    [Fact]
    public void A_roll_back_restores_the_kept_revision_as_the_next_one_and_names_it_in_the_subject()
    {
        var plan = SecretRotationPlans.Rollback("prod", "airbyte-prod", "oauth2-proxy.cookie-secret", "oauth2-proxy-secrets", 2, 4, false, ["oauth2-proxy"], null);

        Assert.Equal(["restore-secret:oauth2-proxy.cookie-secret", "apply:oauth2-proxy", "verify-secret:oauth2-proxy.cookie-secret"], plan.Steps.Select(s => s.Id));
        Assert.Equal(new StepSubject("oauth2-proxy.cookie-secret", 2), plan.Steps[0].Subject);
        Assert.Equal("Roll back secret oauth2-proxy.cookie-secret of prod to revision 2 in 3 steps (3 waves).", plan.Summary);
        Assert.Equal(StepSubject.Parse(plan.Steps[0].Subject!.ToString()), plan.Steps[0].Subject);
        Assert.Equal("Install revision 2 of Secret oauth2-proxy-secrets again, as revision 5", plan.Steps[0].Description);
        Assert.Equal("Wait until oauth2-proxy is healthy on revision 5; if not, put revision 4 back and re-apply it", plan.Steps[^1].Description);
    }

    [Fact]
    public void The_verification_waits_as_long_as_a_health_check()
    {
        var policy = StepPolicy.Default;
        Assert.Equal(policy.DeadlineFor(StepKind.AwaitHealthy), policy.DeadlineFor(StepKind.VerifySecret));
    }
}
