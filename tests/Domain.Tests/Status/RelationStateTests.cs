using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;

namespace Portal.Domain.Tests.Status;

public sealed class RelationStateTests
{
    private static StatusWorld NotWired()
    {
        var world = StatusWorld.Healthy();
        world.Facts = world.Facts with { WiredRelations = new HashSet<string>() };
        return world;
    }

    [Fact]
    public void Healthy_database_relation_passes_provider_credentials_and_consumer_checks()
    {
        var state = StatusWorld.Healthy().Relation("airbyte:db", "postgresql:database");

        Assert.Equal(RelationStatus.Healthy, state.Status);
        Assert.Equal(
            [
                (RelationChecks.Provider, "postgresql is active"),
                (RelationChecks.Credentials, "relation secret airbyte-db-relation has every key (revision 1)"),
                (RelationChecks.Consumers, "7 airbyte pods run revision 1 of airbyte-db-relation"),
            ],
            state.Checks.Select(c => (c.Name, c.Message)));
        Assert.Equal("3 checks passed", state.Message);
    }

    [Theory]
    [InlineData("oauth2-proxy:upstream", "airbyte:upstream", RelationChecks.Upstream, "upstream service airbyte-webapp exists (10.96.0.10)")]
    [InlineData("temporal:admin", "temporal-admin:admin", RelationChecks.Schema, "schema ready")]
    [InlineData("airbyte:nginx-route", "ingress:nginx-route", RelationChecks.Route, "Ingress ingress-airbyte has address 203.0.113.10")]
    [InlineData("ingress:certificates", "lego:certificates", RelationChecks.Certificates, "1/1 certificates issued")]
    [InlineData("airbyte:temporal", "temporal:temporal-host-info", RelationChecks.Credentials, "relation secret airbyte-temporal-relation has every key (revision 1)")]
    public void Each_interface_checks_its_own_promise(string requirer, string provider, string check, string message)
    {
        var state = StatusWorld.Healthy().Relation(requirer, provider);

        Assert.Equal(RelationStatus.Healthy, state.Status);
        Assert.Equal(message, state.Check(check)!.Message);
    }

    [Fact]
    public void Secret_not_written_yet_is_pending()
    {
        var world = NotWired().Remove<ObservedSecret>("airbyte-db-relation");

        var state = world.Relation("airbyte:db", "postgresql:database");

        Assert.Equal(RelationStatus.Pending, state.Status);
        Assert.Equal((CheckResult.Pending, "relation secret airbyte-db-relation has not been written yet"),
            (state.Check(RelationChecks.Credentials)!.Result, state.Check(RelationChecks.Credentials)!.Message));
        Assert.Null(state.Check(RelationChecks.Consumers));
    }

    [Fact]
    public void Secret_missing_after_the_relation_was_wired_is_broken()
    {
        var world = StatusWorld.Healthy().Remove<ObservedSecret>("airbyte-object-storage-relation");

        var state = world.Relation("airbyte:object-storage", "minio:object-storage");

        Assert.Equal(RelationStatus.Broken, state.Status);
        Assert.Equal("relation secret airbyte-object-storage-relation is missing", state.Message);
        Assert.Equal("Re-run the wiring of airbyte:object-storage → minio:object-storage (object-storage)", state.FirstProblem!.Action);
    }

    [Fact]
    public void Secret_without_an_expected_key_is_broken_and_names_the_key()
    {
        var world = StatusWorld.Healthy().Update<ObservedSecret>("airbyte-db-relation", s => s with { KeyNames = ["host", "port", "database", "username", "sslmode"] });

        var state = world.Relation("airbyte:db", "postgresql:database");

        Assert.Equal((RelationStatus.Broken, "relation secret airbyte-db-relation lacks key password"), (state.Status, state.Message));
    }

    [Fact]
    public void Consumers_still_on_an_old_revision_keep_the_relation_pending()
    {
        var world = StatusWorld.Healthy()
            .Update<ObservedSecret>("airbyte-db-relation", s => s with
            {
                Annotations = new Dictionary<string, string> { [Naming.PortalLabels.RevisionAnnotation] = "2" },
            });
        // Three pods load the database secret: one restarted on revision 2, two still run revision 1; the others do not use it.
        var consumers = new[] { "airbyte-server", "airbyte-worker", "airbyte-cron" };
        world.UpdateAll<ObservedPod>(p => p.Component == "airbyte", p => Ledger(p, consumers.Any(c => p.Name.StartsWith(c, StringComparison.Ordinal)) ? 1 : null));
        world.Update<ObservedPod>(StatusWorld.PodOf("airbyte-server"), p => Ledger(p, 2));

        var state = world.Relation("airbyte:db", "postgresql:database");

        Assert.Equal(RelationStatus.Pending, state.Status);
        Assert.Equal("2 of 3 airbyte pods still run revision 1 of airbyte-db-relation", state.Message);
        Assert.Equal("Restart airbyte so that every pod loads revision 2 of airbyte-db-relation", state.FirstProblem!.Action);
        Assert.Equal((ComponentStatus.Waiting, "database relation not ready: 2 of 3 airbyte pods still run revision 1 of airbyte-db-relation"),
            (world.Component("airbyte").Status, world.Component("airbyte").Message));
    }

    private static ObservedPod Ledger(ObservedPod pod, int? revision) => pod with
    {
        Annotations = new Dictionary<string, string>
        {
            [Naming.PortalLabels.SecretRevisionsAnnotation] = SecretRevisionLedger.Format(
                pod.SecretRevisions.Where(p => p.Key != "airbyte-db-relation")
                    .Concat(revision is { } r ? [new KeyValuePair<string, int>("airbyte-db-relation", r)] : [])),
        },
    };

    [Fact]
    public void Consumers_that_never_loaded_the_secret_keep_the_relation_pending()
    {
        var world = StatusWorld.Healthy().UpdateAll<ObservedPod>(p => p.Component == "airbyte", p => Ledger(p, null));

        Assert.Equal("no airbyte pod has loaded airbyte-db-relation yet", world.Relation("airbyte:db", "postgresql:database").Message);
    }

    [Fact]
    public void Schema_job_that_failed_breaks_the_temporal_relation()
    {
        var world = StatusWorld.Healthy().Update<ObservedJob>("temporal-admin-schema", j => j with
        {
            Succeeded = 0, Failed = 6,
            Conditions = [new ObservedCondition(ObservedJob.FailedCondition, ConditionStatus.True, "BackoffLimitExceeded", "Job has reached the specified backoff limit")],
        });

        var state = world.Relation("temporal:admin", "temporal-admin:admin");

        Assert.Equal(RelationStatus.Broken, state.Status);
        Assert.Equal("schema job temporal-admin-schema failed: Job has reached the specified backoff limit", state.Check(RelationChecks.Schema)!.Message);
        Assert.Equal(ComponentStatus.Blocked, world.Component("temporal").Status);
    }

    [Fact]
    public void Schema_job_cleaned_up_after_wiring_still_counts_as_ready()
    {
        var world = StatusWorld.Healthy().Remove<ObservedJob>("temporal-admin-schema");
        Assert.Equal(RelationStatus.Healthy, world.Relation("temporal:admin", "temporal-admin:admin").Status);

        world.Facts = world.Facts with { WiredRelations = new HashSet<string>() };
        Assert.Equal("schema setup has not started yet", world.Relation("temporal:admin", "temporal-admin:admin").Check(RelationChecks.Schema)!.Message);
    }

    [Theory]
    [InlineData(false, 1, RelationStatus.Pending, "Ingress ingress-airbyte has not been created yet")]
    [InlineData(true, 1, RelationStatus.Pending, "Ingress ingress-airbyte is waiting for ingress address")]
    [InlineData(true, 6, RelationStatus.Broken, "Ingress ingress-airbyte: no load-balancer address after 5 minutes: is an ingress controller running for class nginx?")]
    public void Route_needs_its_ingress_with_an_address(bool exists, double minutes, RelationStatus status, string message)
    {
        var world = NotWired();
        if (exists)
        {
            world.Update<ObservedIngress>("ingress-airbyte", i => i with { LoadBalancerAddresses = [], CreatedAt = StatusWorld.Now.AddMinutes(-minutes) });
        }
        else
        {
            world.Remove<ObservedIngress>("ingress-airbyte");
        }

        var state = world.Relation("airbyte:nginx-route", "ingress:nginx-route");

        Assert.Equal(status, state.Status);
        Assert.Equal(message, state.Check(RelationChecks.Route)!.Message);
    }

    [Fact]
    public void Certificates_wait_for_each_hostname_s_tls_secret()
    {
        var world = StatusWorld.Healthy().Remove<ObservedSecret>("tls-airbyte-example-com");

        var check = world.Relation("ingress:certificates", "lego:certificates").Check(RelationChecks.Certificates)!;

        Assert.Equal((CheckResult.Pending, "0/1 certificates issued; waiting for tls-airbyte-example-com"), (check.Result, check.Message));
        Assert.Equal("lego", check.WaitingOn);
    }

    [Fact]
    public void Tls_secret_without_its_private_key_is_broken()
    {
        var world = StatusWorld.Healthy().Update<ObservedSecret>("tls-airbyte-example-com", s => s with { KeyNames = ["tls.crt"] });

        var state = world.Relation("ingress:certificates", "lego:certificates");

        Assert.Equal((RelationStatus.Broken, "TLS secret tls-airbyte-example-com lacks tls.key"), (state.Status, state.Message));
    }

    [Fact]
    public void Upstream_service_missing_after_wiring_is_broken()
    {
        var world = StatusWorld.Healthy().Remove<ObservedService>("airbyte-webapp");

        var state = world.Relation("oauth2-proxy:upstream", "airbyte:upstream");

        Assert.Equal((RelationStatus.Broken, "upstream service airbyte-webapp is missing"), (state.Status, state.Message));
        Assert.Equal("missing upstream: upstream service airbyte-webapp is missing", world.Component("oauth2-proxy").Message);
    }

    [Fact]
    public void Setup_job_labelled_with_the_relation_is_checked()
    {
        var relation = RelationSpec.Of("airbyte:object-storage", "minio:object-storage", Interfaces.ObjectStorage);
        var job = StatusWorld.CompletedJob("airbyte-object-storage-buckets", "minio", "buckets", relation.LabelValue) with
        {
            Succeeded = 0, Active = 1, Conditions = [], StartedAt = StatusWorld.Now.AddMinutes(-1),
        };
        var world = StatusWorld.Healthy().Add(job);

        var state = world.Relation("airbyte:object-storage", "minio:object-storage");

        Assert.Equal((RelationStatus.Pending, "minio is in maintenance: creating buckets"), (state.Status, state.Message));
        Assert.Equal((CheckResult.Pending, "job airbyte-object-storage-buckets is running (1 active)"),
            (state.Check(RelationChecks.SetupJob)!.Result, state.Check(RelationChecks.SetupJob)!.Message));
        Assert.Equal((ComponentStatus.Maintenance, "creating buckets"), (world.Component("minio").Status, world.Component("minio").Message));
    }

    [Theory]
    [InlineData(true, RelationStatus.Healthy)]
    [InlineData(false, RelationStatus.Broken)]
    public void End_to_end_check_the_portal_ran_counts(bool passed, RelationStatus status)
    {
        var world = StatusWorld.Healthy();
        world.Facts = world.Facts with
        {
            EndToEndChecks = new Dictionary<string, EndToEndCheck>
            {
                ["airbyte:db--postgresql:database"] = new(passed, passed ? "logged in as prod_airbyte" : "password authentication failed for user prod_airbyte", StatusWorld.Now),
            },
        };

        var state = world.Relation("airbyte:db", "postgresql:database");

        Assert.Equal(status, state.Status);
        Assert.Equal(passed ? CheckResult.Passed : CheckResult.Failed, state.Check(RelationChecks.EndToEnd)!.Result);
    }

    [Fact]
    public void Relation_being_wired_is_pending_and_its_requirer_in_maintenance()
    {
        var world = NotWired().Remove<ObservedSecret>("airbyte-db-relation");
        world.Facts = world.Facts with { Wiring = new Dictionary<string, string> { ["airbyte:db--postgresql:database"] = "creating database prod_airbyte" } };

        var state = world.Relation("airbyte:db", "postgresql:database");

        Assert.Equal(RelationStatus.Pending, state.Status);
        Assert.Equal(CheckResult.Pending, state.Check(RelationChecks.Wiring)!.Result);
        Assert.Equal("creating database prod_airbyte", state.Message);
        Assert.Equal((ComponentStatus.Maintenance, "database relation not ready: creating database prod_airbyte"),
            (world.Component("airbyte").Status, world.Component("airbyte").Message));
        Assert.Equal(ComponentStatus.Maintenance, world.Component("postgresql").Status);
    }

    [Fact]
    public void Relation_between_undeployed_components_is_unknown()
    {
        var world = StatusWorld.Empty();
        world.Facts = new PortalFacts { Queued = new HashSet<string> { "minio", "airbyte" } };

        var state = world.Relation("airbyte:object-storage", "minio:object-storage");

        Assert.Equal((RelationStatus.Unknown, "neither side is deployed yet"), (state.Status, state.Message));
    }

    [Fact]
    public void Provider_that_is_not_active_keeps_the_relation_pending_and_is_named()
    {
        var world = StatusWorld.Healthy().BreakPod("temporal", "ImagePullBackOff");

        var check = world.Relation("airbyte:temporal", "temporal:temporal-host-info").Check(RelationChecks.Provider)!;

        Assert.Equal(CheckResult.Pending, check.Result);
        Assert.Equal("temporal", check.WaitingOn);
        Assert.Equal("temporal is in error: temporal: cannot pull image temporalio/server:1.23.1 (ImagePullBackOff)", check.Message);
    }
}
