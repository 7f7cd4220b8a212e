using Portal.Domain.Catalog;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;

namespace Portal.Domain.Tests.Plans;

public sealed class ReconfigurePlanTests
{
    private const string AirbyteDb = "relate:airbyte:db--postgresql:database";
    private const string AirbyteStorage = "relate:airbyte:object-storage--minio:object-storage";
    private const string AirbyteRoute = "relate:airbyte:nginx-route--ingress:nginx-route";
    private const string ProxyRoute = "relate:oauth2-proxy:nginx-route--ingress:nginx-route";
    private const string ProxyUpstream = "relate:oauth2-proxy:upstream--airbyte:upstream";
    private const string Certificates = "relate:ingress:certificates--lego:certificates";
    private const string TemporalDb = "relate:temporal:db--postgresql:database";
    private const string TemporalVisibility = "relate:temporal:visibility--postgresql:database";
    private const string TemporalAdmin = "relate:temporal:admin--temporal-admin:admin";
    private const string TemporalNamespace = "complete:temporal:admin--temporal-admin:admin";
    private const string WebhooksRoute = "relate:airbyte-webhooks:nginx-route--ingress-webhooks:nginx-route";

    private static readonly StackSpec Applied = TestStacks.CharmedAirbyte();

    private static Plan Reconfigure(StackSpec desired) => StackPlanner.Default.Reconfigure(desired, Applied).Value;

    [Fact]
    public void Reconfigure_NothingChanged_IsAnEmptyPlan()
    {
        var plan = Reconfigure(TestStacks.CharmedAirbyte().Shuffled());

        Assert.True(plan.IsEmpty);
        Assert.Equal(PlanKind.Reconfigure, plan.Kind);
        Assert.Equal("Reconfigure prod: nothing changed, nothing to do.", plan.Summary);
    }

    public static TheoryData<string, string, string, string[]> OptionChanges => new()
    {
        // An option that feeds no relation touches its component only.
        { "airbyte", "log-level", "DEBUG", ["apply:airbyte", "await:airbyte"] },
        { "oauth2-proxy", "email-domains", "example.com", ["apply:oauth2-proxy", "await:oauth2-proxy"] },
        { "postgresql", "admin-password", "rotated-elsewhere", ["apply:postgresql", "await:postgresql"] },
        // The server's address is in every database relation: re-provision them, roll their requirers.
        {
            "postgresql", "port", "6432",
            ["apply:postgresql", "await:postgresql", AirbyteDb, TemporalDb, TemporalVisibility, "apply:airbyte", "await:airbyte", "apply:temporal", "await:temporal"]
        },
        // Consumers use MinIO's root credentials as their keys.
        { "minio", "root-user", "storage-admin", ["apply:minio", "await:minio", AirbyteStorage, "apply:airbyte", "await:airbyte"] },
        // The buckets are what Airbyte asks MinIO for: the bucket Job runs again, MinIO itself is untouched.
        { "airbyte", "storage-bucket-logs", "airbyte-logs", ["apply:airbyte", "await:airbyte", AirbyteStorage] },
        // A new Temporal version runs update-schema before the server rolls, then makes sure of its namespace.
        { "temporal", "image-tag", "1.24.0", ["apply:temporal", "await:temporal", TemporalAdmin, TemporalNamespace] },
        // Temporal holds nothing of the admin relation in its pods: a new retention does not roll it.
        { "temporal-admin", "namespace-retention", "168h", ["apply:temporal-admin", "await:temporal-admin", TemporalAdmin, TemporalNamespace] },
        // Ingress settings live in the Ingress objects its routes render; certificates do not depend on them.
        { "ingress", "whitelist-source-range", "10.0.0.0/8", ["apply:ingress", "await:ingress", AirbyteRoute, ProxyRoute] },
        // The hostname moves both routes on it (the proxy serves on Airbyte's host) and the certificate.
        { "airbyte", "external-hostname", "etl.example.com", ["apply:airbyte", "await:airbyte", AirbyteRoute, ProxyRoute, "await:ingress", Certificates] },
        { "airbyte-webhooks", "path-prefix", "/in", ["apply:airbyte-webhooks", "await:airbyte-webhooks", WebhooksRoute, "await:ingress-webhooks"] },
        // Another ACME server issues again; the ingress and its routes stay as they are.
        { "lego", "server", "https://acme-staging-v02.api.letsencrypt.org/directory", ["apply:lego", "await:lego", Certificates] },
        { "lego", "email", "security@example.com", ["apply:lego", "await:lego"] },
        // Another issuer issues again; the maintenance window is the portal's renewal schedule and feeds no relation.
        { "lego", "issuer", "internal-ca", ["apply:lego", "await:lego", Certificates] },
        { "lego", "maintenance-window", "02:00-04:00", ["apply:lego", "await:lego"] },
    };

    [Theory]
    [MemberData(nameof(OptionChanges))]
    public void Reconfigure_AChangedOption_TouchesOnlyWhatDependsOnIt(string component, string option, string value, string[] expected)
    {
        var plan = Reconfigure(Applied.With(component, option, value));

        Assert.Equal(expected.Order(StringComparer.Ordinal), plan.Steps.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.Empty(plan.Keeps);
    }

    [Fact]
    public void Reconfigure_PostgresqlPort_ReprovisionsAfterPostgresqlIsHealthyAndRollsRequirersAfterTheirData()
    {
        var plan = Reconfigure(Applied.With("postgresql", "port", "6432"));

        Assert.Equal(["apply:postgresql"], plan.Roots.Select(s => s.Id));
        Assert.True(plan.WaitsFor(AirbyteDb, "await:postgresql"));
        Assert.True(plan.WaitsFor("apply:airbyte", AirbyteDb));
        Assert.True(plan.WaitsFor("apply:temporal", TemporalDb));
        Assert.True(plan.WaitsFor("apply:temporal", TemporalVisibility));
        Assert.False(plan.WaitsFor(AirbyteDb, TemporalDb));
        Assert.Contains("6432", plan["await:postgresql"].Description, StringComparison.Ordinal);
        Assert.Equal(
            "Render and apply temporal: 1 Deployment with its Services, ConfigMap and Secrets, because its pods read the new data of temporal:db and temporal:visibility.",
            plan["apply:temporal"].Description);
    }

    [Fact]
    public void Reconfigure_TemporalUpgrade_UpdatesTheSchemasBeforeTheServerRolls()
    {
        var plan = Reconfigure(Applied.With("temporal", "image-tag", "1.24.0"));

        Assert.True(plan.WaitsFor("apply:temporal", TemporalAdmin));
        Assert.True(plan.WaitsFor(TemporalNamespace, "await:temporal"));
        Assert.Equal("waits for: temporal schemas ready", plan["apply:temporal"].WaitsFor);
    }

    [Fact]
    public void Reconfigure_RemovingTheProxy_RemovesItInTeardownOrderAndRoutesAirbyteDirectlyWithoutReissuingCertificates()
    {
        var plan = Reconfigure(Applied.WithoutComponent("oauth2-proxy"));

        Assert.Equal(
            ["await:ingress", AirbyteRoute, "remove:oauth2-proxy", "unrelate:oauth2-proxy:nginx-route--ingress:nginx-route", "unrelate:oauth2-proxy:upstream--airbyte:upstream"],
            plan.Steps.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.True(plan.WaitsFor("unrelate:oauth2-proxy:upstream--airbyte:upstream", "remove:oauth2-proxy"));
        Assert.Contains("because the backend of the route of airbyte changed", plan[AirbyteRoute].Description, StringComparison.Ordinal);
        Assert.DoesNotContain("oauth2-proxy as its backend", plan[AirbyteRoute].Description, StringComparison.Ordinal);
        Assert.Contains("it is no longer in the stack", plan["remove:oauth2-proxy"].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Reconfigure_RemovingTheWebhooksPath_TouchesNothingElse()
    {
        var plan = Reconfigure(Applied.WithoutComponent("airbyte-webhooks").WithoutComponent("ingress-webhooks"));

        Assert.Equal(
            ["remove:airbyte-webhooks", "remove:ingress-webhooks", "unrelate:airbyte-webhooks:nginx-route--ingress-webhooks:nginx-route",
                "unrelate:airbyte-webhooks:temporal--temporal:temporal-host-info"],
            plan.Steps.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.True(plan.WaitsFor("remove:ingress-webhooks", "unrelate:airbyte-webhooks:nginx-route--ingress-webhooks:nginx-route"));
        Assert.True(plan.WaitsFor("unrelate:airbyte-webhooks:temporal--temporal:temporal-host-info", "remove:airbyte-webhooks"));
    }

    [Fact]
    public void Reconfigure_AddingACertificateProvider_DeploysItAndIssuesWithoutTouchingTheRest()
    {
        var desired = Applied
            .WithComponent("lego-webhooks", "lego", ("email", "ops@example.com"), ("plugin", "cloudflare"))
            .WithRelation("ingress-webhooks:certificates", "lego-webhooks:certificates", Interfaces.TlsCertificates);

        var plan = Reconfigure(desired);

        var certificates = "relate:ingress-webhooks:certificates--lego-webhooks:certificates";
        Assert.Equal(["apply:lego-webhooks", "await:lego-webhooks", certificates], plan.Steps.Select(s => s.Id));
        Assert.Equal(["await:lego-webhooks"], plan[certificates].DependsOn);
        Assert.EndsWith("because the relation ingress-webhooks:certificates → lego-webhooks:certificates is new.", plan[certificates].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Reconfigure_MovingADatabaseRelation_RemovesTheOldOneBeforeTheNewOneIsProvisionedAndKeepsTheOldDatabase()
    {
        var desired = Applied
            .WithComponent("postgresql-2", "postgresql", ("mode", "in-cluster"))
            .WithoutRelation("airbyte:db", "postgresql:database")
            .WithRelation("airbyte:db", "postgresql-2:database", Interfaces.PostgresqlClient);

        var plan = Reconfigure(desired);

        var newDb = "relate:airbyte:db--postgresql-2:database";
        var oldDb = "unrelate:airbyte:db--postgresql:database";
        Assert.Equal(
            ["apply:airbyte", "apply:postgresql-2", "await:airbyte", "await:postgresql-2", newDb, oldDb],
            plan.Steps.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.True(plan.WaitsFor(newDb, oldDb)); // Both write airbyte-db-relation: the old one must be gone first.
        Assert.True(plan.WaitsFor(newDb, "await:postgresql-2"));
        Assert.True(plan.WaitsFor("apply:airbyte", newDb));
        Assert.False(plan[oldDb].DeleteData);
        Assert.Equal(["the external database prod_airbyte on db.example.com"], plan.Keeps);
    }

    [Fact]
    public void Reconfigure_AComponentWhoseKindChanged_IsRemovedBeforeItsReplacementIsApplied()
    {
        var before = Applied.WithComponent("scratch", "minio");
        var after = Applied.WithComponent("scratch", "postgresql", ("mode", "in-cluster"));

        var plan = StackPlanner.Default.Reconfigure(after, before).Value;

        Assert.Equal(["apply:scratch", "await:scratch", "remove:scratch"], plan.Steps.Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.True(plan.WaitsFor("apply:scratch", "remove:scratch"));
        Assert.Contains("its kind changed to postgresql", plan["apply:scratch"].Description, StringComparison.Ordinal);
        Assert.Equal(["the scratch data volume"], plan.Keeps);
    }

    [Fact]
    public void Reconfigure_NeverTouchesTheNamespace()
    {
        var plan = Reconfigure(Applied.With("postgresql", "port", "6432").WithoutComponent("oauth2-proxy"));

        Assert.DoesNotContain(plan.Steps, s => s.Kind is StepKind.EnsureNamespace or StepKind.RemoveNamespace);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("cluster")]
    [InlineData("namespace")]
    public void Reconfigure_MovingOrRenamingTheStack_IsRefusedWithTheFieldNamed(string field)
    {
        var desired = field switch
        {
            "name" => Applied with { Name = "staging" },
            "cluster" => Applied with { Cluster = "other" },
            _ => Applied with { Namespace = "elsewhere" },
        };

        var result = StackPlanner.Default.Reconfigure(desired, Applied);

        Assert.False(result.IsSuccess);
        Assert.Equal(field, Assert.Single(result.Errors).Path);
    }

    [Fact]
    public void Converge_WithoutALastAppliedSpec_Deploys()
    {
        Assert.Equal(PlanKind.Deploy, StackPlanner.Default.Converge(Applied, null).Value.Kind);
        Assert.True(StackPlanner.Default.Converge(Applied, Applied).Value.IsEmpty);
    }

    [Fact]
    public void Reconfigure_IsDeterministicAndIndependentOfSpecOrder()
    {
        var desired = Applied.With("postgresql", "port", "6432").With("airbyte", "external-hostname", "etl.example.com");

        var first = StackPlanner.Default.Reconfigure(desired, Applied).Value;
        var shuffled = StackPlanner.Default.Reconfigure(desired.Shuffled(), Applied.Shuffled()).Value;

        Assert.Equal(DeployPlanTests.Fingerprint(first), DeployPlanTests.Fingerprint(shuffled));
    }

    [Fact]
    public void Reconfigure_AReconfigureKeepsTheDeployOrderAmongItsSteps()
    {
        var deploy = StackPlanner.Default.Deploy(Applied).Value;
        var plan = Reconfigure(Applied.With("postgresql", "port", "6432").With("minio", "root-user", "storage-admin"));

        foreach (var step in plan.Steps)
        {
            foreach (var other in plan.Steps.Where(o => deploy.WaitsFor(step.Id, o.Id)))
            {
                Assert.True(plan.WaitsFor(step.Id, other.Id), $"{step.Id} should still wait for {other.Id}");
            }
        }
    }
}
