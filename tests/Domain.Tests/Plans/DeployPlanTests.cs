using System.Text.RegularExpressions;
using Portal.Domain.Catalog;
using Portal.Domain.Plans;

namespace Portal.Domain.Tests.Plans;

public sealed partial class DeployPlanTests
{
    private const string Ns = "namespace:airbyte-prod";
    private const string AirbyteDb = "relate:airbyte:db--postgresql:database";
    private const string AirbyteStorage = "relate:airbyte:object-storage--minio:object-storage";
    private const string AirbyteTemporal = "relate:airbyte:temporal--temporal:temporal-host-info";
    private const string AirbyteRoute = "relate:airbyte:nginx-route--ingress:nginx-route";
    private const string ProxyUpstream = "relate:oauth2-proxy:upstream--airbyte:upstream";
    private const string ProxyRoute = "relate:oauth2-proxy:nginx-route--ingress:nginx-route";
    private const string Certificates = "relate:ingress:certificates--lego:certificates";
    private const string TemporalDb = "relate:temporal:db--postgresql:database";
    private const string TemporalVisibility = "relate:temporal:visibility--postgresql:database";
    private const string TemporalAdmin = "relate:temporal:admin--temporal-admin:admin";
    private const string TemporalNamespace = "complete:temporal:admin--temporal-admin:admin";
    private const string WebhooksTemporal = "relate:airbyte-webhooks:temporal--temporal:temporal-host-info";
    private const string WebhooksRoute = "relate:airbyte-webhooks:nginx-route--ingress-webhooks:nginx-route";

    private static Plan Deploy() => StackPlanner.Default.Deploy(TestStacks.CharmedAirbyte()).Value;

    [Fact]
    public void Deploy_CharmedAirbyte_HasOneApplyAndAwaitPerComponentOneStepPerRelationAndTheTemporalNamespace()
    {
        var plan = Deploy();

        Assert.Equal(PlanKind.Deploy, plan.Kind);
        Assert.Equal(1, plan.Steps.Count(s => s.Kind == StepKind.EnsureNamespace));
        Assert.Equal(10, plan.Steps.Count(s => s.Kind == StepKind.ApplyComponent));
        Assert.Equal(10, plan.Steps.Count(s => s.Kind == StepKind.AwaitHealthy));
        Assert.Equal(12, plan.Steps.Count(s => s.Kind == StepKind.ProvisionRelation));
        Assert.Equal([TemporalNamespace], plan.Steps.Where(s => s.Kind == StepKind.CompleteRelation).Select(s => s.Id));
        Assert.Equal(34, plan.Steps.Count);
        Assert.Empty(plan.Keeps);
    }

    [Fact]
    public void Deploy_TheNamespaceIsTheOnlyRootAndEveryOtherStepWaitsForIt()
    {
        var plan = Deploy();

        Assert.Equal([Ns], plan.Roots.Select(s => s.Id));
        Assert.Equal(Ns, plan.Steps[0].Id);
        Assert.All(plan.Steps.Skip(1), step => Assert.True(plan.WaitsFor(step.Id, Ns), step.Id));
    }

    [Fact]
    public void Deploy_StepsAreInTopologicalOrder()
    {
        var plan = Deploy();
        var seen = new HashSet<string>();

        foreach (var step in plan.Steps)
        {
            Assert.All(step.DependsOn, dependency => Assert.Contains(dependency, seen));
            seen.Add(step.Id);
        }
    }

    [Fact]
    public void Deploy_StepIdsAreUniqueAndUrlSafe()
    {
        var ids = Deploy().Steps.Select(s => s.Id).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches(UrlSafeId(), id));
        Assert.All(ids, id => Assert.Equal(id, Uri.EscapeDataString(id).Replace("%3A", ":", StringComparison.Ordinal)));
    }

    [Fact]
    public void Deploy_NoStepListsADependencyThatAnotherOfItsDependenciesAlreadyImplies()
    {
        var plan = Deploy();

        foreach (var step in plan.Steps)
        {
            foreach (var dependency in step.DependsOn)
            {
                Assert.DoesNotContain(step.DependsOn, other => other != dependency && plan.WaitsFor(other, dependency));
            }
        }
    }

    /// <summary>For every relation of the blueprint: the step that must not start before the relation is provisioned.</summary>
    [Theory]
    [InlineData(AirbyteDb, "apply:airbyte")] // Airbyte's pods read the database credentials at start.
    [InlineData(AirbyteStorage, "apply:airbyte")]
    [InlineData(AirbyteTemporal, "apply:airbyte")]
    [InlineData(AirbyteRoute, "await:ingress")] // The Ingress is the ingress component's object: it is healthy once addressed.
    [InlineData(ProxyUpstream, "apply:oauth2-proxy")] // The upstream URL is a flag of the proxy.
    [InlineData(ProxyRoute, "await:ingress")]
    [InlineData(TemporalDb, "apply:temporal")]
    [InlineData(TemporalVisibility, "apply:temporal")]
    [InlineData(TemporalAdmin, "apply:temporal")] // Temporal is blocked until the schemas exist.
    [InlineData(WebhooksTemporal, "apply:airbyte-webhooks")]
    [InlineData(WebhooksRoute, "await:ingress-webhooks")]
    public void Deploy_EveryRelationIsProvisionedBeforeTheStepThatUsesIt(string relation, string user)
    {
        Assert.True(Deploy().WaitsFor(user, relation), $"{user} should wait for {relation}");
    }

    [Fact]
    public void Deploy_EveryRelationOfTheBlueprintIsCoveredByTheOrderingTable()
    {
        var covered = typeof(DeployPlanTests).GetMethod(nameof(Deploy_EveryRelationIsProvisionedBeforeTheStepThatUsesIt))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (string)a.Data[0]!)
            .Append(Certificates) // Nothing waits for the certificates: nginx picks the TLS Secret up when it appears.
            .ToHashSet();

        var relations = TestStacks.CharmedAirbyte().Relations.Select(StepIds.Provision).ToHashSet();

        Assert.Equal(relations.Order(), covered.Order());
    }

    [Fact]
    public void Deploy_ForEveryRelationTheRequirerReadsTheRequirersAwaitComesAfterTheProviderIsHealthy()
    {
        var plan = Deploy();
        var readAtStart = new[] { Interfaces.PostgresqlClient, Interfaces.ObjectStorage, Interfaces.TemporalHostInfo };

        foreach (var relation in TestStacks.CharmedAirbyte().Relations.Where(r => readAtStart.Contains(r.Interface)))
        {
            Assert.True(plan.WaitsFor(StepIds.Provision(relation), StepIds.Await(relation.Provider.Component)), relation.ToString());
            Assert.True(plan.WaitsFor(StepIds.Await(relation.Requirer.Component), StepIds.Provision(relation)), relation.ToString());
        }
    }

    [Theory]
    [InlineData(AirbyteDb, "await:postgresql")] // Roles are created once PostgreSQL accepts the admin login.
    [InlineData(TemporalDb, "await:postgresql")]
    [InlineData(TemporalVisibility, "await:postgresql")]
    [InlineData(AirbyteStorage, "await:minio")] // The bucket Job needs the MinIO API.
    [InlineData(TemporalAdmin, TemporalDb)] // The schema Jobs use Temporal's database credentials.
    [InlineData(TemporalAdmin, TemporalVisibility)]
    [InlineData(TemporalAdmin, "apply:temporal-admin")]
    [InlineData("await:temporal", TemporalAdmin)] // Schemas ready before Temporal is awaited healthy.
    [InlineData(TemporalNamespace, "await:temporal")] // The namespace is created through the running frontend.
    [InlineData(AirbyteTemporal, TemporalNamespace)] // Airbyte starts workflows in that namespace.
    [InlineData(WebhooksTemporal, TemporalNamespace)]
    [InlineData("apply:airbyte", "await:temporal")] // Temporal is ready before Airbyte and the webhooks use it.
    [InlineData("apply:airbyte-webhooks", "await:temporal")]
    [InlineData(AirbyteRoute, "apply:ingress")]
    [InlineData(Certificates, "await:lego")] // The ACME account exists.
    [InlineData(Certificates, "await:ingress")] // http-01 challenges travel through the served routes.
    [InlineData("await:airbyte", "await:postgresql")]
    [InlineData("await:airbyte", "await:minio")]
    public void Deploy_OrderFollowsTheBlueprint(string step, string prerequisite)
    {
        Assert.True(Deploy().WaitsFor(step, prerequisite), $"{step} should wait for {prerequisite}");
    }

    [Theory]
    [InlineData("apply:minio", "apply:postgresql")]
    [InlineData("await:minio", "await:postgresql")]
    [InlineData(AirbyteStorage, AirbyteDb)]
    [InlineData(AirbyteStorage, TemporalDb)]
    [InlineData(AirbyteDb, TemporalDb)]
    [InlineData(TemporalDb, TemporalVisibility)]
    [InlineData("apply:lego", "apply:ingress")]
    [InlineData("apply:ingress", "apply:ingress-webhooks")]
    [InlineData("apply:temporal-admin", "await:postgresql")]
    [InlineData("apply:oauth2-proxy", "apply:airbyte")] // The proxy need not wait for Airbyte's long start.
    [InlineData(AirbyteRoute, "await:airbyte")]
    [InlineData(Certificates, "apply:airbyte")]
    [InlineData("apply:airbyte", "apply:airbyte-webhooks")]
    [InlineData("await:airbyte", "await:airbyte-webhooks")]
    public void Deploy_IndependentStepsDoNotWaitForEachOther(string one, string other)
    {
        var plan = Deploy();

        Assert.False(plan.WaitsFor(one, other), $"{one} should not wait for {other}");
        Assert.False(plan.WaitsFor(other, one), $"{other} should not wait for {one}");
    }

    [Fact]
    public void Deploy_EverythingThatOnlyNeedsTheNamespaceStartsInTheSecondWave()
    {
        var secondWave = Deploy().Waves[1].Select(s => s.Id);

        Assert.Equal(
            ["apply:ingress", "apply:ingress-webhooks", "apply:lego", "apply:minio", "apply:postgresql", "apply:temporal-admin", ProxyUpstream],
            secondWave);
    }

    [Fact]
    public void Deploy_TheRequirersApplyWaitsExactlyForTheRelationsItReads()
    {
        var plan = Deploy();

        Assert.Equal([AirbyteDb, AirbyteStorage, AirbyteTemporal], plan["apply:airbyte"].DependsOn.Order(StringComparer.Ordinal));
        Assert.Equal([TemporalAdmin], plan["apply:temporal"].DependsOn);
        Assert.Equal([TemporalNamespace], plan[AirbyteTemporal].DependsOn);
    }

    [Fact]
    public void Deploy_WithDns01_CertificatesDoNotWaitForTheRoutes()
    {
        var plan = StackPlanner.Default.Deploy(TestStacks.CharmedAirbyte().With("lego", "plugin", "route53")).Value;

        Assert.False(plan.WaitsFor(Certificates, "await:ingress"));
        Assert.True(plan.WaitsFor(Certificates, "await:lego"));
    }

    [Fact]
    public void Deploy_IsDeterministicAndIndependentOfTheOrderOfComponentsAndRelations()
    {
        var first = Deploy();
        var again = Deploy();
        var shuffled = StackPlanner.Default.Deploy(TestStacks.CharmedAirbyte().Shuffled()).Value;

        Assert.Equal(Fingerprint(first), Fingerprint(again));
        Assert.Equal(Fingerprint(first), Fingerprint(shuffled));
    }

    [Fact]
    public void Deploy_DependentsOfAStepAreTheStepsThatWaitDirectlyForIt()
    {
        var plan = Deploy();

        Assert.Equal([AirbyteDb, TemporalDb, TemporalVisibility], plan.DependentsOf("await:postgresql").Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.Empty(plan.DependentsOf("await:airbyte"));
    }

    [Fact]
    public void Deploy_WavesCoverEveryStepOnceAndRespectDependencies()
    {
        var plan = Deploy();
        var waveOf = plan.Waves.SelectMany((wave, index) => wave.Select(s => (s.Id, index))).ToDictionary(p => p.Id, p => p.index);

        Assert.Equal(plan.Steps.Count, waveOf.Count);
        Assert.All(plan.Steps, step => Assert.All(step.DependsOn, d => Assert.True(waveOf[d] < waveOf[step.Id])));
    }

    internal static IReadOnlyList<string> Fingerprint(Plan plan) =>
        plan.Steps.Select(s => $"{s.Id} <- {string.Join(",", s.DependsOn)} | {s.Description} | {s.WaitsFor} | {s.DeleteData}").ToList();

    [GeneratedRegex("^[a-z0-9][a-z0-9:-]*$")]
    private static partial Regex UrlSafeId();
}
