using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Telemetry;
using Portal.Provisioning.Tests.Steps;
using Portal.Testing;

namespace Portal.Provisioning.Tests.Telemetry;

/// <summary>One operation is one trace: its span (started when it is saved, its traceparent saved with it), a child span per step run
/// and a grandchild per Kubernetes call; and everything a step logs carries its operation, step and stack in scope. Real sandbox, real
/// handlers, the portal's step runner; spans captured with OpenTelemetry's in-memory exporter.</summary>
public sealed class OperationTraceTests
{
    // The namespace and one component that waits only for it: two steps, both calling the cluster.
    private static (StackSpec Spec, Plan Plan) SmallDeploy()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var spec = TestStacks.Minimal($"t{suffix}", $"trace-{suffix}");
        var deploy = StackPlanner.Default.Deploy(spec).Value;
        var ns = deploy.Steps.Single(s => s.Kind == StepKind.EnsureNamespace);
        var component = deploy.Steps.First(s => s.Kind == StepKind.ApplyComponent && s.DependsOn.SequenceEqual([ns.Id]));
        return (spec, Plan.Create(PlanKind.Deploy, spec.Name, spec.Namespace, [ns, component]).Value);
    }

    [Fact]
    public async Task One_operation_is_one_trace_with_a_span_per_step_and_a_child_span_per_kubernetes_call()
    {
        var exported = new SpanList();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(PortalTelemetry.Name).AddInMemoryExporter(exported).Build();
        await using var harness = await StackHarness.StartAsync();
        var (spec, plan) = SmallDeploy();
        await harness.StackSecrets.StoreInputsAsync(spec, TestContext.Current.CancellationToken);

        var operation = await harness.RunAsync(OperationKind.Deploy, plan, spec);
        tracing.ForceFlush();

        Assert.Equal(OperationState.Succeeded, operation.State);
        var spans = exported.Snapshot();

        var id = operation.Id.ToString();
        var root = Assert.Single(spans, s => s.OperationName == "operation Deploy" && Tag(s, PortalTelemetryTags.OperationId) == id);
        Assert.Equal(default, root.ParentSpanId);
        Assert.Equal(spec.Name, Tag(root, PortalTelemetryTags.Stack));
        Assert.Equal(root.Id, await SavedTraceParentAsync(harness, operation.Id));

        var steps = spans.Where(s => s.OperationName.StartsWith("step ", StringComparison.Ordinal) && Tag(s, PortalTelemetryTags.OperationId) == id).ToList();
        Assert.Equal(operation.Steps.Select(s => s.Id.ToString()).Order(), steps.Select(s => Tag(s, PortalTelemetryTags.StepId)!).Distinct().Order());
        Assert.All(steps, step =>
        {
            Assert.Equal(root.TraceId, step.TraceId);
            Assert.Equal(root.SpanId, step.ParentSpanId);
            Assert.Equal(spec.Name, Tag(step, PortalTelemetryTags.Stack));
            Assert.NotNull(Tag(step, PortalTelemetryTags.StepKind));
            Assert.NotNull(step.GetTagItem(PortalTelemetryTags.StepAttempt));
        });
        Assert.Contains(steps, s => Tag(s, PortalTelemetryTags.StepResult) == "succeeded");

        var stepIds = steps.Select(s => s.SpanId).ToHashSet();
        var calls = spans.Where(s => s.Kind == ActivityKind.Client && s.TraceId == root.TraceId).ToList();
        Assert.All(steps, step => Assert.Contains(calls, c => c.ParentSpanId == step.SpanId));
        Assert.All(calls, call =>
        {
            Assert.Contains(call.ParentSpanId, stepIds);
            Assert.Equal(StackHarness.ClusterName, Tag(call, PortalTelemetryTags.Cluster));
            Assert.NotNull(call.GetTagItem("http.response.status_code"));
            // The method, the server, the path and the resource; never a header, a query or a body.
            Assert.All(call.TagObjects, tag => Assert.Contains(tag.Key, AllowedCallTags));
            Assert.DoesNotContain("?", Tag(call, "url.path"), StringComparison.Ordinal);
        });
        Assert.Contains(calls, c => c.OperationName == "PATCH namespaces" || c.OperationName == "GET namespaces");
        Assert.Contains(calls, c => Tag(c, "k8s.namespace.name") == spec.Namespace);
    }

    [Fact]
    public async Task Everything_a_step_logs_carries_its_operation_step_and_stack_in_scope()
    {
        await using var harness = await StackHarness.StartAsync();
        var (spec, plan) = SmallDeploy();
        await harness.StackSecrets.StoreInputsAsync(spec, TestContext.Current.CancellationToken);

        var operation = await harness.RunAsync(OperationKind.Deploy, plan, spec);

        foreach (var step in operation.Steps)
        {
            var lines = harness.Logs.Lines.Where(l => l.Contains($"StepId={step.Id}", StringComparison.Ordinal)).ToList();
            Assert.Contains(lines, l => l.Contains("StepRunner", StringComparison.Ordinal) && l.Contains($"Step {step.Key} started", StringComparison.Ordinal));
            Assert.All(lines, l =>
            {
                Assert.Contains($"OperationId={operation.Id}", l, StringComparison.Ordinal);
                Assert.Contains($"Stack={spec.Name}", l, StringComparison.Ordinal);
            });
        }
    }

    private static readonly HashSet<string> AllowedCallTags =
    [
        "http.request.method", "server.address", "server.port", "url.path", "http.response.status_code", "error.type", "k8s.namespace.name",
        PortalTelemetryTags.Cluster, PortalTelemetryTags.KubernetesResource,
    ];

    private static string? Tag(Activity activity, string key) => activity.GetTagItem(key)?.ToString();

    private static async Task<string?> SavedTraceParentAsync(StackHarness harness, Guid operationId)
    {
        await using var context = harness.Database.CreateContext();
        return await context.Operations.Where(o => o.Id == operationId)
            .Select(o => EF.Property<string?>(o, OperationTracing.TraceParentProperty))
            .SingleAsync(TestContext.Current.CancellationToken);
    }
}
