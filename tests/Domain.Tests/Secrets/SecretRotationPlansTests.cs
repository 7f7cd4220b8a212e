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
    public void Minio_is_re_applied_and_healthy_before_any_consumer_restarts_and_the_last_verification_waits_for_everyone()
    {
        var plan = SecretRotationPlans.Rotate(
            "prod", "airbyte-prod", "minio.root-credentials", "minio-secrets", "Generate a new root password", 1, ["minio", "airbyte", "airbyte-webhooks"], null, first: "minio");

        Assert.Equal(
            ["rotate-secret:minio.root-credentials", "apply:minio", "verify-secret:minio.root-credentials:minio", "apply:airbyte", "apply:airbyte-webhooks",
             "verify-secret:minio.root-credentials"],
            plan.Steps.Select(s => s.Id));
        var steps = plan.Steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
        Assert.Equal(["rotate-secret:minio.root-credentials"], steps["apply:minio"].DependsOn);
        var owner = steps["verify-secret:minio.root-credentials:minio"];
        Assert.Equal(StepKind.VerifySecret, owner.Kind);
        Assert.Equal("minio", owner.Component);
        Assert.Equal(new StepSubject("minio.root-credentials"), owner.Subject);
        Assert.Equal(["apply:minio"], owner.DependsOn);
        Assert.Equal("waits for: minio re-applied", owner.WaitsFor);
        Assert.Equal(["verify-secret:minio.root-credentials:minio"], steps["apply:airbyte"].DependsOn);
        Assert.Equal(["verify-secret:minio.root-credentials:minio"], steps["apply:airbyte-webhooks"].DependsOn);
        Assert.Equal("waits for: minio healthy on revision 2", steps["apply:airbyte"].WaitsFor);
        Assert.Null(plan.Steps[^1].Component);
        Assert.Equal(plan.Steps.Take(plan.Steps.Count - 1).Select(s => s.Id), plan.Steps[^1].DependsOn);
        Assert.Equal(
            "Wait until minio is healthy on revision 2 before the others restart; if not, put revision 1 back and re-apply it", owner.Description);

        // The waves say the same: MinIO's apply, then its health, then the consumers.
        var waves = plan.Waves.Select(w => w.Select(s => s.Id).ToList()).ToList();
        Assert.True(
            waves.FindIndex(w => w.Contains("verify-secret:minio.root-credentials:minio")) < waves.FindIndex(w => w.Contains("apply:airbyte")),
            string.Join(" | ", waves.Select(w => string.Join(",", w))));
    }

    [Fact]
    public void A_minio_roll_back_keeps_the_same_order_and_a_first_that_is_no_consumer_changes_nothing()
    {
        var back = SecretRotationPlans.Rollback("prod", "airbyte-prod", "minio.root-credentials", "minio-secrets", 1, 2, false, ["minio", "airbyte"], null, first: "minio");
        Assert.Equal(
            ["restore-secret:minio.root-credentials", "apply:minio", "verify-secret:minio.root-credentials:minio", "apply:airbyte", "verify-secret:minio.root-credentials"],
            back.Steps.Select(s => s.Id));
        Assert.Equal(["verify-secret:minio.root-credentials:minio"], back.Steps.Single(s => s.Id == "apply:airbyte").DependsOn);

        var plain = SecretRotationPlans.Rotate("prod", "airbyte-prod", "oauth2-proxy.cookie-secret", "oauth2-proxy-secrets", "Generate", 1, ["oauth2-proxy"], null, first: "minio");
        Assert.Equal(["rotate-secret:oauth2-proxy.cookie-secret", "apply:oauth2-proxy", "verify-secret:oauth2-proxy.cookie-secret"], plain.Steps.Select(s => s.Id));
    }

    [Fact]
    public void The_verification_waits_as_long_as_a_health_check()
    {
        var policy = StepPolicy.Default;
        Assert.Equal(policy.DeadlineFor(StepKind.AwaitHealthy), policy.DeadlineFor(StepKind.VerifySecret));
    }
}
