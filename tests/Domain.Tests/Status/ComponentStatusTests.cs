using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;

namespace Portal.Domain.Tests.Status;

public sealed class ComponentStatusTests
{
    private static void AssertState(StatusWorld world, string component, ComponentStatus status, string message)
    {
        var state = world.Component(component);
        Assert.Equal((status, message), (state.Status, state.Message));
    }

    [Theory]
    [InlineData("airbyte", "")]
    [InlineData("lego", "1/1 certificate requests are fulfilled")]
    [InlineData("ingress", "Ingress IP(s): 203.0.113.10")]
    [InlineData("postgresql", "external server db.example.com:5432")]
    [InlineData("temporal-admin", "schema ready")]
    public void Active_components_speak_their_kind_s_words(string component, string message) =>
        AssertState(StatusWorld.Healthy(), component, ComponentStatus.Active, message);

    [Fact]
    public void Active_component_lists_the_health_of_its_objects()
    {
        var state = StatusWorld.Healthy().Component("minio");

        Assert.Equal(
            ["StatefulSet/minio", "Pod/minio-0", "PersistentVolumeClaim/data-minio-0", "Service/minio", "Secret/airbyte-object-storage-relation"],
            state.Resources.Select(r => r.Resource.ToString()));
        Assert.All(state.Resources, r => Assert.True(r.IsHealthy));
        Assert.Null(state.Cause);
    }

    [Fact]
    public void Crash_looping_pod_is_an_error_naming_its_workload()
    {
        var world = StatusWorld.Healthy().BreakPod("airbyte-server", "CrashLoopBackOff", restarts: 5, lastExitCode: 1);

        var state = world.Component("airbyte");

        Assert.Equal(ComponentStatus.Error, state.Status);
        Assert.Equal("airbyte-server: back-off restarting failed container (5 restarts, last exit code 1)", state.Message);
        Assert.Equal(CauseKind.Resource, state.Cause!.Kind);
        Assert.Equal("Read the logs of airbyte-server: container server keeps crashing", state.Cause.Action);
    }

    [Fact]
    public void Several_broken_workloads_are_counted_in_the_message()
    {
        var world = StatusWorld.Healthy()
            .BreakPod("airbyte-server", "CrashLoopBackOff", restarts: 5, lastExitCode: 1)
            .BreakPod("airbyte-worker", "ImagePullBackOff");

        Assert.EndsWith("(and 1 more problem)", world.Component("airbyte").Message);
    }

    [Fact]
    public void Missing_required_relation_blocks_with_the_kind_s_message_and_says_what_to_relate()
    {
        var world = StatusWorld.Healthy().WithoutRelation("airbyte:db", "postgresql:database");

        var state = world.Component("airbyte");

        Assert.Equal((ComponentStatus.Blocked, "database relation not ready"), (state.Status, state.Message));
        Assert.Equal(CauseKind.MissingRelation, state.Cause!.Kind);
        Assert.Equal("Relate airbyte:db to postgresql:database", state.Cause.Action);
    }

    [Fact]
    public void Missing_relation_outranks_a_crashing_pod()
    {
        var world = StatusWorld.Healthy()
            .WithoutRelation("airbyte:db", "postgresql:database")
            .BreakPod("airbyte-server", "CrashLoopBackOff", restarts: 2);

        AssertState(world, "airbyte", ComponentStatus.Blocked, "database relation not ready");
    }

    [Fact]
    public void Component_is_never_active_while_a_required_relation_is_not_ready()
    {
        var world = StatusWorld.Healthy();
        world.Facts = world.Facts with { WiredRelations = new HashSet<string>() };
        world.Remove<ObservedSecret>("airbyte-db-relation");

        var state = world.Component("airbyte");

        Assert.Equal((ComponentStatus.Waiting, "database relation not ready (waiting for postgresql)"), (state.Status, state.Message));
        Assert.Equal("postgresql", state.Cause!.WaitingOn);
    }

    [Fact]
    public void Optional_relation_that_exists_must_be_ready_too()
    {
        var world = StatusWorld.Healthy().Update<ObservedIngress>("ingress-airbyte", i => i with { LoadBalancerAddresses = [], CreatedAt = StatusWorld.Now });

        AssertState(world, "airbyte", ComponentStatus.Waiting, "nginx-route relation not ready (waiting for ingress)");
    }

    [Fact]
    public void Temporal_waits_for_the_admin_schema_and_says_on_whom()
    {
        var world = StatusWorld.Healthy().Update<ObservedJob>("temporal-admin-schema", job => job with
        {
            CreatedAt = StatusWorld.Now.AddMinutes(-2), StartedAt = StatusWorld.Now.AddMinutes(-2), Active = 1, Succeeded = 0, Conditions = [],
        });

        AssertState(world, "temporal", ComponentStatus.Waiting, "admin:temporal relation: schema is not ready (waiting for temporal-admin)");
        AssertState(world, "temporal-admin", ComponentStatus.Maintenance, "setting up schemas");
    }

    [Fact]
    public void Temporal_admin_waits_for_the_database_connections_of_temporal()
    {
        var world = StatusWorld.Healthy();
        world.Facts = world.Facts with { WiredRelations = new HashSet<string>() };
        world.Remove<ObservedSecret>("temporal-visibility-relation");

        var state = world.Component("temporal-admin");

        Assert.Equal((ComponentStatus.Waiting, "admin:temporal relation: database connections info not available"), (state.Status, state.Message));
        Assert.Equal("temporal:visibility--postgresql:database", state.Cause!.Relation!.Key);
    }

    [Theory]
    [InlineData(4, ComponentStatus.Waiting, "waiting for ingress address")]
    [InlineData(6, ComponentStatus.Error, "ingress-airbyte: no load-balancer address after 5 minutes: is an ingress controller running for class nginx?")]
    public void Ingress_without_address_waits_until_the_deadline_then_is_an_error(double minutes, ComponentStatus status, string message)
    {
        var world = StatusWorld.Healthy().Update<ObservedIngress>("ingress-airbyte", i => i with
        {
            LoadBalancerAddresses = [],
            CreatedAt = StatusWorld.Now - TimeSpan.FromMinutes(minutes),
        });

        AssertState(world, "ingress", status, message);
    }

    [Fact]
    public void Ingress_without_routes_waits_for_a_relation()
    {
        var world = StatusWorld.Healthy().WithoutRelation("airbyte-webhooks:nginx-route", "ingress-webhooks:nginx-route");
        world.Remove<ObservedIngress>("ingress-webhooks-airbyte-webhooks");

        AssertState(world, "ingress-webhooks", ComponentStatus.Waiting, "waiting for relation");
    }

    [Fact]
    public void Lego_counts_fulfilled_certificates_and_only_the_waiting_ingress_waits()
    {
        // The blueprint certifies the main ingress only; certify the webhooks ingress too, so that lego owes two certificates.
        var world = StatusWorld.Healthy().WithStack(s => s with
        {
            Relations = [.. s.Relations, RelationSpec.Of("ingress-webhooks:certificates", "lego:certificates", Interfaces.TlsCertificates)],
        });
        Assert.Equal("2/2 certificate requests are fulfilled", world.Component("lego").Message);
        world.Remove<ObservedSecret>("tls-hooks-example-com");

        var status = world.Evaluate();

        Assert.Equal((ComponentStatus.Waiting, "1/2 certificate requests are fulfilled"), (status.Component("lego").Status, status.Component("lego").Message));
        Assert.Equal(ComponentStatus.Waiting, status.Component("ingress-webhooks").Status);
        Assert.Equal("certificates relation not ready (waiting for lego)", status.Component("ingress-webhooks").Message);
        Assert.Equal("0/1 certificates issued; waiting for tls-hooks-example-com", status.FindRelation("ingress-webhooks:certificates--lego:certificates")!.Check(RelationChecks.Certificates)!.Message);
        // The other ingress has its certificate: lego lagging on another hostname does not hold it back.
        Assert.True(status.Component("ingress").IsActive, status.Component("ingress").ToString());
    }

    [Fact]
    public void Ingress_serving_a_manual_tls_secret_is_blocked_until_the_secret_exists()
    {
        var world = StatusWorld.Healthy().WithConfig("ingress-webhooks", "tls-secret-name", "hooks-tls");

        var state = world.Component("ingress-webhooks");

        Assert.Equal((ComponentStatus.Blocked, "TLS secret hooks-tls not found"), (state.Status, state.Message));
        world.Add(StatusWorld.Secret("hooks-tls", "ingress-webhooks", ["tls.crt", "tls.key"]));
        Assert.True(world.Component("ingress-webhooks").IsActive);
    }

    [Fact]
    public void Portal_activity_shows_as_maintenance()
    {
        var world = StatusWorld.Healthy();
        world.Facts = world.Facts with { Applying = new Dictionary<string, string> { ["airbyte"] = "applying airbyte" } };

        AssertState(world, "airbyte", ComponentStatus.Maintenance, "applying airbyte");
    }

    [Fact]
    public void Degraded_object_outranks_portal_activity()
    {
        var world = StatusWorld.Healthy().BreakPod("airbyte-server", "ImagePullBackOff");
        world.Facts = world.Facts with { Applying = new Dictionary<string, string> { ["airbyte"] = "applying airbyte" } };

        Assert.Equal(ComponentStatus.Error, world.Component("airbyte").Status);
    }

    [Fact]
    public void Component_not_deployed_is_unknown_or_waiting_when_queued()
    {
        var world = StatusWorld.Empty();
        AssertState(world, "airbyte", ComponentStatus.Unknown, "not deployed yet");

        world.Facts = new PortalFacts { Queued = new HashSet<string> { "airbyte", "lego" } };
        AssertState(world, "airbyte", ComponentStatus.Waiting, "not deployed yet (queued in the running operation)");
        AssertState(world, "lego", ComponentStatus.Waiting, "not deployed yet (queued in the running operation)");
    }

    [Fact]
    public void Missing_workload_of_a_deployed_component_is_an_error()
    {
        var world = StatusWorld.Healthy().Remove<ObservedDeployment>("airbyte-worker");

        var state = world.Component("airbyte");

        Assert.Equal((ComponentStatus.Error, "airbyte-worker: Deployment airbyte-worker is missing"), (state.Status, state.Message));
        Assert.Equal("Redeploy airbyte: Deployment airbyte-worker is missing", state.Cause!.Action);
        Assert.Contains(state.Resources, r => r.Status == HealthStatus.Missing);
    }

    [Fact]
    public void Missing_workload_while_the_portal_applies_it_is_not_an_error()
    {
        var world = StatusWorld.Healthy().Remove<ObservedDeployment>("airbyte-worker");
        world.Facts = world.Facts with { Applying = new Dictionary<string, string> { ["airbyte"] = "applying airbyte" } };

        var state = world.Component("airbyte");

        Assert.Equal(ComponentStatus.Maintenance, state.Status);
        Assert.DoesNotContain(state.Resources, r => r.Status == HealthStatus.Missing);
    }

    [Theory]
    [InlineData("airbyte-server", "airbyte", ComponentStatus.Maintenance, "rolling out new pods")]
    [InlineData("oauth2-proxy", "oauth2-proxy", ComponentStatus.Maintenance, "oauth2-proxy: waiting for rollout: 0 of 1 new replica updated")]
    [InlineData("temporal", "temporal", ComponentStatus.Maintenance, "temporal: waiting for rollout: 0 of 1 new replica updated")]
    public void Rolling_deployment_within_its_deadline_is_maintenance(string deployment, string component, ComponentStatus status, string message)
    {
        var world = StatusWorld.Healthy().Update<ObservedDeployment>(deployment, d => d with
        {
            Generation = 2, ObservedGeneration = 2, UpdatedReplicas = 0, LastChangedAt = StatusWorld.Now.AddMinutes(-1),
        });

        AssertState(world, component, status, message);
    }

    [Fact]
    public void Minio_waits_for_its_volume()
    {
        var world = StatusWorld.Healthy()
            .Update<ObservedPersistentVolumeClaim>("data-minio-0", c => c with { Phase = VolumeClaimPhase.Pending, CreatedAt = StatusWorld.Now.AddMinutes(-1) })
            .Update<ObservedStatefulSet>("minio", s => s with { ReadyReplicas = 0, LastChangedAt = StatusWorld.Now.AddMinutes(-1) });

        AssertState(world, "minio", ComponentStatus.Waiting, "waiting for volume");
    }

    [Theory]
    [InlineData("airbyte-webhooks", "image", "", "image not set")]
    [InlineData("lego", "email", "", "email address was not provided")]
    [InlineData("lego", "server", "http://acme.example.com/directory", "invalid ACME server")]
    [InlineData("oauth2-proxy", "client-id", "", "client-id and client-secret must be set for provider github")]
    [InlineData("oauth2-proxy", "client-secret", "", "client-id and client-secret must be set for provider github")]
    public void Incomplete_config_blocks_with_the_kind_s_message(string component, string option, string value, string message)
    {
        var world = StatusWorld.Healthy().WithConfig(component, option, value);

        var state = world.Component(component);

        Assert.Equal((ComponentStatus.Blocked, message), (state.Status, state.Message));
        Assert.Equal(CauseKind.Configuration, state.Cause!.Kind);
    }

    [Fact]
    public void Lego_on_the_internal_ca_needs_no_acme_server_but_still_an_email()
    {
        var world = StatusWorld.Healthy().WithConfig("lego", "issuer", "internal-ca").WithConfig("lego", "server", "http://acme.example.com/directory");
        Assert.Equal(ComponentStatus.Active, world.Component("lego").Status);

        AssertState(world.WithConfig("lego", "email", ""), "lego", ComponentStatus.Blocked, "email address was not provided");
    }

    [Fact]
    public void OAuth2_proxy_without_a_cookie_secret_is_blocked()
    {
        var world = StatusWorld.Healthy().Update<ObservedSecret>("oauth2-proxy-secrets", s => s with { KeyNames = ["client-secret"] });

        AssertState(world, "oauth2-proxy", ComponentStatus.Blocked, "missing cookie-secret");
    }

    [Fact]
    public void Airbyte_waits_for_the_secrets_its_bootloader_writes()
    {
        var world = StatusWorld.Healthy().Remove<ObservedSecret>("airbyte-auth-secrets");

        AssertState(world, "airbyte", ComponentStatus.Waiting, "waiting for airbyte-auth-secrets");
    }

    [Fact]
    public void Airbyte_running_its_migrations_is_maintenance()
    {
        var world = StatusWorld.Healthy().Update<ObservedJob>("airbyte-bootloader", j => j with
        {
            Active = 1, Succeeded = 0, Conditions = [], StartedAt = StatusWorld.Now.AddMinutes(-1),
        });

        AssertState(world, "airbyte", ComponentStatus.Maintenance, "running database migrations");
    }

    [Fact]
    public void Failed_bootloader_is_an_error()
    {
        var world = StatusWorld.Healthy().Update<ObservedJob>("airbyte-bootloader", j => j with
        {
            Succeeded = 0, Failed = 3,
            Conditions = [new ObservedCondition(ObservedJob.FailedCondition, ConditionStatus.True, "BackoffLimitExceeded", "Job has reached the specified backoff limit")],
        });

        AssertState(world, "airbyte", ComponentStatus.Error, "airbyte-bootloader: failed: Job has reached the specified backoff limit");
    }

    [Theory]
    [InlineData(false, "connection refused", ComponentStatus.Blocked, "connection refused")]
    [InlineData(false, null, ComponentStatus.Blocked, "cannot log in as the admin role")]
    public void External_database_that_the_portal_cannot_reach_is_blocked(bool reachable, string? problem, ComponentStatus status, string message)
    {
        var world = StatusWorld.Healthy();
        world.Facts = world.Facts with { ExternalDatabases = new Dictionary<string, ExternalDatabaseCheck> { ["postgresql"] = new(reachable, problem) } };

        AssertState(world, "postgresql", status, message);
        AssertState(world, "airbyte", ComponentStatus.Waiting, "database relation not ready (waiting for postgresql)");
    }

    [Fact]
    public void External_database_not_checked_yet_is_unknown()
    {
        var world = StatusWorld.Healthy();
        world.Facts = world.Facts with { ExternalDatabases = new Dictionary<string, ExternalDatabaseCheck>() };

        AssertState(world, "postgresql", ComponentStatus.Unknown, "external server db.example.com:5432 not checked yet");
    }

    [Fact]
    public void External_database_waits_for_the_databases_of_its_relations_without_holding_back_the_ready_ones()
    {
        var world = StatusWorld.Healthy();
        world.Facts = world.Facts with { WiredRelations = new HashSet<string>() };
        world.Remove<ObservedSecret>("temporal-visibility-relation");

        var status = world.Evaluate();

        Assert.Equal("2 of 3 relation databases are ready", status.Component("postgresql").Message);
        Assert.Equal(RelationStatus.Healthy, status.FindRelation("airbyte:db--postgresql:database")!.Status);
        Assert.Equal(RelationStatus.Pending, status.FindRelation("temporal:visibility--postgresql:database")!.Status);
        Assert.Equal("visibility database relation not ready (waiting for postgresql)", status.Component("temporal").Message);
    }

    [Fact]
    public void In_cluster_database_is_primary_when_ready_and_waits_while_starting()
    {
        var world = StatusWorld.Healthy("in-cluster");
        AssertState(world, "postgresql", ComponentStatus.Active, "Primary");

        world.Update<ObservedStatefulSet>("postgresql", s => s with { ReadyReplicas = 0, LastChangedAt = StatusWorld.Now.AddMinutes(-1) });
        AssertState(world, "postgresql", ComponentStatus.Waiting, "awaiting for primary endpoint to be ready");
    }

    [Fact]
    public void Portal_reported_problem_blocks_the_component()
    {
        var world = StatusWorld.Healthy();
        world.Facts = world.Facts with
        {
            Blocked = new Dictionary<string, string> { ["temporal"] = "value of 'num-history-shards' config cannot be changed after deployment" },
        };

        AssertState(world, "temporal", ComponentStatus.Blocked, "value of 'num-history-shards' config cannot be changed after deployment");
    }

    [Fact]
    public void Pod_whose_node_stopped_reporting_makes_the_component_unknown()
    {
        var world = StatusWorld.Healthy().Update<ObservedPod>("minio-0", p => p with { Phase = PodPhase.Unknown });

        Assert.Equal(ComponentStatus.Unknown, world.Component("minio").Status);
    }

    [Fact]
    public void Paused_rollout_blocks_until_resumed()
    {
        var world = StatusWorld.Healthy().Update<ObservedDeployment>("temporal", d => d with { Paused = true });

        var state = world.Component("temporal");

        Assert.Equal((ComponentStatus.Blocked, "temporal: rollout is paused"), (state.Status, state.Message));
        Assert.Equal("Resume the rollout of temporal", state.Cause!.Action);
    }

    [Fact]
    public void Finished_job_pods_do_not_count_but_a_running_job_s_image_error_does()
    {
        var job = StatusWorld.Healthy().Get<ObservedJob>("airbyte-bootloader");
        var failedAttempt = StatusWorld.Pod("airbyte-bootloader-a1", "airbyte", "bootloader", job, "airbyte/bootloader:1.7.0", new Dictionary<string, int>()) with
        {
            Phase = PodPhase.Failed, RestartPolicy = PodRestartPolicy.Never,
            Containers = [new ObservedContainer { Name = "bootloader", TerminatedReason = "Error", TerminatedExitCode = 1 }],
        };
        var world = StatusWorld.Healthy().Add(failedAttempt);
        Assert.True(world.Component("airbyte").IsActive);

        world.Update<ObservedJob>("airbyte-bootloader", j => j with { Active = 1, Succeeded = 0, Conditions = [], StartedAt = StatusWorld.Now.AddMinutes(-1) })
            .Update<ObservedPod>("airbyte-bootloader-a1", p => p with
            {
                Phase = PodPhase.Pending,
                Containers = [new ObservedContainer { Name = "bootloader", Image = "airbyte/bootloader:1.7.x", WaitingReason = "ImagePullBackOff" }],
            });
        AssertState(world, "airbyte", ComponentStatus.Error, "airbyte-bootloader: cannot pull image airbyte/bootloader:1.7.x (ImagePullBackOff)");
    }
}
