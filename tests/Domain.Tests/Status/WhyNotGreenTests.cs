using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;

namespace Portal.Domain.Tests.Status;

public sealed class WhyNotGreenTests
{
    [Fact]
    public void Active_component_needs_nothing()
    {
        var diagnosis = WhyNotGreen.Explain(StatusWorld.Healthy().Evaluate(), "airbyte");

        Assert.True(diagnosis.IsGreen);
        Assert.Null(diagnosis.RootCause);
        Assert.Equal("Nothing to do: airbyte is active", diagnosis.Action);
    }

    [Fact]
    public void Walk_follows_a_relation_to_the_provider_s_broken_pod()
    {
        var world = StatusWorld.Healthy().BreakPod("temporal", "ImagePullBackOff");
        world.Update<ObservedPod>(StatusWorld.PodOf("temporal"), p => p with
        {
            Containers = [p.Containers[0] with { Image = "temporalio/server:1.23.x" }],
        });

        var diagnosis = WhyNotGreen.Explain(world.Evaluate(), "airbyte");

        Assert.Equal(
            [
                (DiagnosisSubject.Component, "airbyte", "waiting"),
                (DiagnosisSubject.Relation, "airbyte:temporal → temporal:temporal-host-info", "pending"),
                (DiagnosisSubject.Component, "temporal", "error"),
                (DiagnosisSubject.Resource, $"Pod/{StatusWorld.PodOf("temporal")}", "degraded"),
            ],
            diagnosis.Steps.Select(s => (s.Subject, s.Name, s.Status)));
        Assert.Equal("Fix the image name of temporal: ImagePullBackOff for temporalio/server:1.23.x", diagnosis.Action);
        Assert.Equal(ComponentStatus.Error, diagnosis.RootCause!.Severity);
    }

    [Fact]
    public void Walk_goes_two_hops_deep_to_the_failed_schema_job()
    {
        var world = StatusWorld.Healthy().Update<ObservedJob>("temporal-admin-schema", j => j with
        {
            Succeeded = 0, Failed = 6,
            Conditions = [new ObservedCondition(ObservedJob.FailedCondition, ConditionStatus.True, "BackoffLimitExceeded", "Job has reached the specified backoff limit")],
        });

        var diagnosis = WhyNotGreen.Explain(world.Evaluate(), "airbyte");

        Assert.Equal(
            ["airbyte", "airbyte:temporal → temporal:temporal-host-info", "temporal", "temporal:admin → temporal-admin:admin", "temporal-admin", "Job/temporal-admin-schema"],
            diagnosis.Steps.Select(s => s.Name));
        Assert.Equal("Read the logs of job temporal-admin-schema", diagnosis.Action);
        Assert.Equal("failed: Job has reached the specified backoff limit", diagnosis.RootCause!.Message);
    }

    [Fact]
    public void Missing_relation_is_its_own_root_cause_with_the_relate_action()
    {
        var world = StatusWorld.Healthy().WithoutRelation("airbyte:db", "postgresql:database");

        var diagnosis = WhyNotGreen.Explain(world.Evaluate(), "airbyte");

        Assert.Equal([("airbyte", "blocked"), ("airbyte:db", "missing")], diagnosis.Steps.Select(s => (s.Name, s.Status)));
        Assert.Equal("Relate airbyte:db to postgresql:database", diagnosis.Action);
    }

    [Fact]
    public void Route_without_an_address_leads_to_the_ingress_and_its_controller()
    {
        var world = StatusWorld.Healthy().Update<ObservedIngress>("ingress-airbyte", i => i with
        {
            LoadBalancerAddresses = [], CreatedAt = StatusWorld.Now.AddMinutes(-6),
        });

        var diagnosis = WhyNotGreen.Explain(world.Evaluate(), "oauth2-proxy");

        Assert.Equal("Ingress/ingress-airbyte", diagnosis.RootCause!.Name);
        Assert.Equal("Check that an ingress controller serves class nginx", diagnosis.Action);
        Assert.Contains(diagnosis.Steps, s => s.Name == "ingress");
    }

    [Fact]
    public void Walk_prefers_the_cause_that_ends_worst()
    {
        // airbyte waits on the database (postgresql not checked yet: unknown) and on temporal (a broken pod: error).
        var world = StatusWorld.Healthy().BreakPod("temporal", "CrashLoopBackOff", restarts: 4, lastExitCode: 1);
        world.Facts = world.Facts with { ExternalDatabases = new Dictionary<string, ExternalDatabaseCheck>() };

        var status = world.Evaluate();
        var diagnosis = WhyNotGreen.Explain(status, "airbyte");

        Assert.Equal("database relation not ready (waiting for postgresql)", status.Component("airbyte").Message);
        Assert.Equal($"Pod/{StatusWorld.PodOf("temporal")}", diagnosis.RootCause!.Name);
    }

    [Fact]
    public void Provider_lagging_on_the_relation_itself_ends_at_the_provider_with_its_action()
    {
        var world = StatusWorld.Healthy();
        world.Facts = world.Facts with { WiredRelations = new HashSet<string>() };
        world.Remove<ObservedSecret>("temporal-visibility-relation");

        var diagnosis = WhyNotGreen.Explain(world.Evaluate(), "airbyte-webhooks");

        // temporal waits on its visibility database directly and through temporal-admin: either way the chain ends at postgresql.
        Assert.Equal(["airbyte-webhooks", "airbyte-webhooks:temporal → temporal:temporal-host-info", "temporal"], diagnosis.Steps.Take(3).Select(s => s.Name));
        Assert.Equal(["temporal:visibility → postgresql:database", "postgresql"], diagnosis.Steps.TakeLast(2).Select(s => s.Name));
        Assert.Equal("Wait for the portal to create the database and role of temporal:visibility → postgresql:database (postgresql_client)", diagnosis.Action);
    }

    [Fact]
    public void Cycles_of_relations_end()
    {
        // Not a valid stack, but the evaluator and the walk must not loop: airbyte needs temporal and temporal needs airbyte.
        var world = StatusWorld.Healthy()
            .WithoutRelation("temporal:admin", "temporal-admin:admin")
            .WithStack(s => s with { Relations = [.. s.Relations, RelationSpec.Of("temporal:admin", "airbyte:upstream", Interfaces.Temporal)] })
            .BreakPod("airbyte-server", "CrashLoopBackOff", restarts: 9, lastExitCode: 1);

        var status = world.Evaluate();
        var diagnosis = WhyNotGreen.Explain(status, "airbyte-webhooks");

        Assert.Equal(diagnosis.Steps.Count, diagnosis.Steps.Select(s => s.Name).Distinct().Count());
        Assert.Equal($"Pod/{StatusWorld.PodOf("airbyte-server")}", diagnosis.RootCause!.Name);
        Assert.All(status.Components.Select(c => c.Component), c => WhyNotGreen.Explain(status, c));
    }

    [Fact]
    public void Root_causes_of_a_stack_are_listed_once_worst_first()
    {
        var world = StatusWorld.Healthy().BreakPod("temporal", "ImagePullBackOff");
        world.Update<ObservedSecret>("oauth2-proxy-secrets", s => s with { KeyNames = ["client-secret"] });

        var causes = WhyNotGreen.RootCauses(world.Evaluate());

        // airbyte, airbyte-webhooks and temporal itself all come down to temporal's pod: one root cause.
        Assert.Equal(2, causes.Count);
        Assert.Equal($"Pod/{StatusWorld.PodOf("temporal")}", causes[0].RootCause!.Name);
        // oauth2-proxy also waits on airbyte, but its own blocker is what its message says and what the walk says.
        Assert.Equal(["oauth2-proxy"], causes[1].Steps.Select(s => s.Name));
        Assert.Equal("Redeploy oauth2-proxy so that the portal generates its cookie secret, or set option 'cookie-secret'", causes[1].Action);
    }

    [Fact]
    public void Summary_reads_as_a_chain()
    {
        var world = StatusWorld.Healthy().BreakPod("temporal", "ImagePullBackOff");

        var diagnosis = WhyNotGreen.Explain(world.Evaluate(), "airbyte-webhooks");

        Assert.Equal(
            $"airbyte-webhooks waiting ← airbyte-webhooks:temporal → temporal:temporal-host-info pending ← temporal error ← Pod/{StatusWorld.PodOf("temporal")} degraded",
            diagnosis.Summary);
    }
}
