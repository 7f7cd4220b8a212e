using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Plans;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Telemetry;

namespace Portal.Api.Tests.Observability;

/// <summary>After one real deploy through the API: the portal is ready, <c>/metrics</c> names the operation, its steps, the watch and
/// the stack's certificates and secrets, the deploy is one trace (its span, a child per step run, a grandchild per Kubernetes call),
/// and every line a step logs carries its operation, step and stack.</summary>
[Collection(DeployedPortalCollection.Name)]
public sealed class TelemetryEndToEndTests(DeployedPortal portal)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Readiness_is_200_with_the_sandbox_watched_and_synced()
    {
        using var anonymous = portal.CreateClient();

        var health = await Eventually.GetAsync(() => Health.GetAsync(anonymous, "/readyz"), h => h.Code == HttpStatusCode.OK, "the portal is ready");

        Assert.Equal("Healthy", health.CheckStatus("clusters"));
        Assert.Equal("synced", health.Check("clusters").GetProperty("data").GetProperty("sandbox").GetString());
        Assert.Equal("Healthy", health.CheckStatus("database"));
        Assert.Equal("Healthy", health.CheckStatus("jobs"));
    }

    [Fact]
    public async Task Metrics_name_the_deploy_its_steps_the_watch_and_the_stacks_certificates_and_secrets()
    {
        using var scraper = portal.CreateClient();

        // The first scrape starts the read of the stacks' certificates and secrets in the background; a later one reports them.
        var samples = await Eventually.GetAsync(
            async () => PrometheusText.Parse(await scraper.GetStringAsync("/metrics", Ct)),
            s => s.Any(m => m.Name == "portal_certificate_expiry_days" && m.Label("portal_stack") == portal.Stack)
                && s.Any(m => m.Name == "portal_secret_age_days" && m.Label("portal_stack") == portal.Stack),
            $"the certificate and secret gauges report the stack (telemetry logs: {string.Join("; ", portal.Logs.Entries.Where(e => e.Category.EndsWith("StackReadings", StringComparison.Ordinal)).Select(e => e.Message))})",
            TimeSpan.FromMinutes(1));

        IEnumerable<PrometheusSample> Named(string name) => samples.Where(s => s.Name == name);

        Assert.Contains(Named("portal_operations_total"), s =>
            s.Label("portal_operation_kind") == "Deploy" && s.Label("portal_operation_result") == "Succeeded" && s.Value >= 1);
        Assert.Contains(Named("portal_operation_duration_seconds_count"), s =>
            s.Label("portal_operation_kind") == "Deploy" && s.Label("portal_operation_result") == "Succeeded" && s.Value >= 1);
        foreach (var kind in new[] { StepKind.EnsureNamespace, StepKind.ApplyComponent, StepKind.ProvisionRelation, StepKind.AwaitHealthy })
        {
            Assert.Contains(Named("portal_step_duration_seconds_count"), s =>
                s.Label("portal_step_kind") == kind.ToString() && s.Label("portal_step_result") == "succeeded" && s.Value >= 1);
        }

        Assert.Contains(Named("portal_step_duration_seconds_bucket"), s => s.Label("le") == "+Inf");
        Assert.Contains(Named("portal_watch_lag_seconds"), s => s.Label("portal_cluster") == "sandbox" && s.Value >= 0);
        Assert.Contains(Named("portal_watch_synced"), s => s.Label("portal_cluster") == "sandbox" && s.Value == 1);

        var certificates = Named("portal_certificate_expiry_days").Where(s => s.Label("portal_stack") == portal.Stack).ToList();
        Assert.Contains(certificates, s => s.Label("portal_hostname") == $"airbyte.{portal.Stack}.example.com");
        Assert.All(certificates, s =>
        {
            Assert.Equal("internal-ca", s.Label("portal_certificate_source"));
            Assert.InRange(s.Value, 1, 3650);
        });

        var secrets = Named("portal_secret_age_days").Where(s => s.Label("portal_stack") == portal.Stack).ToList();
        Assert.Contains(secrets, s => s.Label("portal_secret") == "oauth2-proxy.cookie-secret");
        Assert.All(secrets, s => Assert.InRange(s.Value, 0, 1));
        Assert.Contains(Named("portal_secret_rotations_overdue"), s => s.Label("portal_stack") == portal.Stack && s.Value == 0);
    }

    [Fact]
    public async Task The_deploy_is_one_trace_a_span_per_step_run_and_a_child_span_per_kubernetes_call()
    {
        var operation = (await portal.Services.GetRequiredService<OperationStore>().FindAsync(portal.OperationId, Ct))!;
        var spans = portal.Spans.Snapshot();
        var id = operation.Id.ToString();

        var root = Assert.Single(spans, s => s.OperationName == "operation Deploy" && Tag(s, PortalTelemetryTags.OperationId) == id);
        Assert.Equal(default, root.ParentSpanId);
        // A trace of its own, linked to the request that started it.
        var request = Assert.Single(root.Links).Context;
        Assert.NotEqual(root.TraceId, request.TraceId);
        Assert.Contains(spans, s => s.Kind == ActivityKind.Server && s.SpanId == request.SpanId && Tag(s, "http.request.method") == "POST");

        var steps = spans.Where(s => s.OperationName.StartsWith("step ", StringComparison.Ordinal) && Tag(s, PortalTelemetryTags.OperationId) == id).ToList();
        Assert.Equal(
            operation.Steps.Select(s => s.Id.ToString()).Order(StringComparer.Ordinal),
            steps.Select(s => Tag(s, PortalTelemetryTags.StepId)!).Distinct().Order(StringComparer.Ordinal));
        Assert.All(steps, step =>
        {
            Assert.Equal(root.TraceId, step.TraceId);
            Assert.Equal(root.SpanId, step.ParentSpanId);
            Assert.Equal(portal.Stack, Tag(step, PortalTelemetryTags.Stack));
        });

        var stepSpans = steps.Select(s => s.SpanId).ToHashSet();
        var calls = spans.Where(s => s.Kind == ActivityKind.Client && s.TraceId == root.TraceId).ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, call =>
        {
            Assert.Contains(call.ParentSpanId, stepSpans);
            Assert.Equal("sandbox", Tag(call, PortalTelemetryTags.Cluster));
            Assert.DoesNotContain(call.TagObjects, t => t.Key.Contains("header", StringComparison.OrdinalIgnoreCase) || t.Key.Contains("body", StringComparison.OrdinalIgnoreCase));
        });
        Assert.Contains(calls, c => c.OperationName == "PATCH deployments" && Tag(c, "k8s.namespace.name") == operation.Target.Namespace);
    }

    [Fact]
    public async Task Every_line_a_step_logs_carries_its_operation_step_and_stack_in_scope()
    {
        var operation = (await portal.Services.GetRequiredService<OperationStore>().FindAsync(portal.OperationId, Ct))!;

        var lines = portal.Logs.Entries.Where(e => Equals(e.Scope.GetValueOrDefault("OperationId"), operation.Id)).ToList();

        Assert.Equal(
            operation.Steps.Select(s => s.Id).Order(),
            lines.Where(l => l.Message.Contains("started (run", StringComparison.Ordinal)).Select(l => (Guid)l.Scope["StepId"]!).Distinct().Order());
        Assert.All(lines, line =>
        {
            Assert.IsType<Guid>(line.Scope["StepId"]);
            Assert.Equal(operation.Stack, line.Scope["Stack"]);
            Assert.Equal(operation.StepById((Guid)line.Scope["StepId"]!).Key, line.Scope["Step"]);
        });
    }

    private static string? Tag(Activity activity, string key) => activity.GetTagItem(key)?.ToString();
}

/// <summary>Runs alone, after the parallel tests: every portal in this process registers the same Meter, and OpenTelemetry retires
/// a metric once any instrument of that name is disposed, so another test's portal shutting down would hide this portal's metrics.
/// One process hosts one portal in production.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DeployedPortalCollection : ICollectionFixture<DeployedPortal>
{
    public const string Name = "Deployed portal";
}
