using Portal.Domain.Plans;

namespace Portal.Domain.Tests.Plans;

public sealed class PlanDescriptionTests
{
    public static TheoryData<string> AllPlans => new() { "deploy", "teardown", "teardown-all", "reconfigure" };

    private static Plan PlanFor(string which)
    {
        var spec = TestStacks.CharmedAirbyte();
        return which switch
        {
            "deploy" => StackPlanner.Default.Deploy(spec).Value,
            "teardown" => StackPlanner.Default.Teardown(spec, TeardownOptions.KeepData).Value,
            "teardown-all" => StackPlanner.Default.Teardown(spec, TeardownOptions.Create(true, true, true).Value).Value,
            _ => StackPlanner.Default.Reconfigure(
                spec.With("postgresql", "port", "6432").With("airbyte", "external-hostname", "etl.example.com").WithoutComponent("airbyte-webhooks"), spec).Value,
        };
    }

    [Theory]
    [MemberData(nameof(AllPlans))]
    public void EveryDescription_IsOneCapitalisedSentenceWithoutPlaceholders(string which)
    {
        foreach (var step in PlanFor(which).Steps)
        {
            Assert.True(char.IsUpper(step.Description[0]), step.Description);
            Assert.EndsWith(".", step.Description, StringComparison.Ordinal);
            Assert.DoesNotContain(". ", step.Description, StringComparison.Ordinal);
            Assert.DoesNotContain("{", step.Description, StringComparison.Ordinal);
            Assert.DoesNotContain("  ", step.Description, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(step.Outcome), step.Id);
        }
    }

    [Theory]
    [MemberData(nameof(AllPlans))]
    public void WaitsFor_NamesTheOutcomeOfEveryPrerequisite(string which)
    {
        var plan = PlanFor(which);

        foreach (var step in plan.Steps)
        {
            if (step.DependsOn.Count == 0)
            {
                Assert.Equal("", step.WaitsFor);
                continue;
            }

            Assert.StartsWith("waits for: ", step.WaitsFor, StringComparison.Ordinal);
            Assert.All(step.DependsOn, d => Assert.Contains(plan[d].Outcome, step.WaitsFor, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("relate:airbyte:db--postgresql:database",
        "Create the database and login role for airbyte:db on postgresql (prod_airbyte) and write the credentials Secret airbyte-db-relation.",
        "waits for: postgresql healthy")]
    [InlineData("apply:temporal",
        "Render and apply temporal: 1 Deployment with its Services, ConfigMap and Secrets.",
        "waits for: temporal schemas ready")]
    [InlineData("complete:temporal:admin--temporal-admin:admin",
        "Create the Temporal namespace default on temporal with temporal-admin (retention 72h), once its frontend serves.",
        "waits for: temporal healthy")]
    [InlineData("relate:airbyte:object-storage--minio:object-storage",
        "Write the minio credentials for airbyte:object-storage and create the buckets airbyte-dev-logs, airbyte-payload-storage and airbyte-state-storage.",
        "waits for: minio healthy")]
    [InlineData("relate:airbyte:nginx-route--ingress:nginx-route",
        "Render the Ingress for airbyte on ingress: airbyte.example.com/, with oauth2-proxy as its backend so no route bypasses authentication.",
        "waits for: ingress applied")]
    [InlineData("relate:ingress:certificates--lego:certificates",
        "Issue certificates from lego for airbyte.example.com and write their TLS Secrets for ingress (http-01 challenge through the served routes).",
        "waits for: lego healthy, ingress healthy")]
    [InlineData("await:postgresql",
        "Wait until db.example.com:5432 accepts the portal's admin login.",
        "waits for: postgresql applied")]
    [InlineData("apply:airbyte",
        "Render and apply airbyte: 7 Deployments with their Services, ConfigMap and Secrets.",
        "waits for: airbyte:db database ready, airbyte buckets ready, airbyte knows the temporal address")]
    public void Deploy_StepTexts_ReadAsTheOperatorWouldSayThem(string id, string description, string waitsFor)
    {
        var step = StackPlanner.Default.Deploy(TestStacks.CharmedAirbyte()).Value[id];

        Assert.Equal(description, step.Description);
        Assert.Equal(waitsFor, step.WaitsFor);
    }

    [Fact]
    public void Describe_ListsTheSummaryAndEveryStepInOrder()
    {
        var plan = StackPlanner.Default.Deploy(TestStacks.CharmedAirbyte()).Value;

        var lines = plan.Describe().Split('\n');

        Assert.Equal("Deploy prod into namespace airbyte-prod in 34 steps (11 waves).", lines[0]);
        Assert.Equal(plan.Steps.Count + 1, lines.Length);
        Assert.StartsWith("1. Create the namespace airbyte-prod", lines[1], StringComparison.Ordinal);
        Assert.All(plan.Steps.Select((step, index) => (step, index)),
            p => Assert.Contains($"[{p.step.Id}]", lines[p.index + 1], StringComparison.Ordinal));
    }
}
