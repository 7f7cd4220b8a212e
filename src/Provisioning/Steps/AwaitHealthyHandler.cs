using k8s;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Observation;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Relations.Postgresql;
using Portal.Provisioning.Steps.Relations;

namespace Portal.Provisioning.Steps;

/// <summary>Waits until a component is healthy, judged by the Domain's health rules over its workloads, pods, volumes and
/// Ingresses; an external PostgreSQL is healthy when the admin login works.</summary>
/// <remarks>A degraded object is a transient failure: the runner retries until the step's deadline, so a pod that recovers
/// on its own is not fatal, and one that keeps crashing ends the step with the reason.</remarks>
internal sealed class AwaitHealthyHandler(StepTools tools, ResourceHealthEvaluator evaluator, IDatabaseAdmin databases) : IStepHandler
{
    public StepKind Kind => StepKind.AwaitHealthy;

    public Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken) =>
        CheckAsync(execution.Target, execution.Step.Component!, cancellationToken);

    /// <summary>How <paramref name="component"/> is doing now: Done when healthy, NotReady while it gets there, Failed (transient) when
    /// something is degraded. Used by the step and by the checks of other steps (a secret rotation's consumers).</summary>
    public async Task<StepOutcome> CheckAsync(StackSpec stack, string component, CancellationToken cancellationToken)
    {
        var kind = tools.KindOf(stack, component);
        var cluster = tools.Cluster(stack);
        if (kind.Name == PostgresqlKind.Name && stack.Component(component).Get(kind, "mode") == PostgresqlKind.External)
        {
            return await ExternalDatabaseAsync(cluster, stack, component, cancellationToken).ConfigureAwait(false);
        }

        var observed = await ObserveAsync(cluster, stack, component, cancellationToken).ConfigureAwait(false);
        var expected = tools.Renderer.RenderComponent(stack, component)
            .Where(o => o.Kind is "Deployment" or "StatefulSet" or "Ingress" && o.Object.Metadata.Labels?.ContainsKey(PortalLabels.Relation) != true)
            .Select(o => new ObjectRef(o.Kind, o.Name))
            .ToList();
        var missing = expected.Where(e => !observed.Any(o => o.Ref == e)).ToList();
        if (missing.Count > 0)
        {
            return StepOutcome.Wait($"waiting for {string.Join(", ", missing)} to be created");
        }

        var now = tools.Time.GetUtcNow();
        var health = observed.Select(o => evaluator.Evaluate(o, now)).ToList();
        if (health.FirstOrDefault(h => h.Status == HealthStatus.Degraded) is { } degraded)
        {
            var reason = degraded.Reason.Length > 0 ? $" ({degraded.Reason})" : "";
            return StepOutcome.Fail($"{degraded.Resource.Kind} {degraded.Resource.Name} is degraded{reason}: {degraded.Message}");
        }

        if (health.FirstOrDefault(h => !h.IsHealthy && h.Status != HealthStatus.Suspended) is { } pending)
        {
            var message = pending.Message.Length > 0 ? pending.Message : pending.Status.ToString().ToLowerInvariant();
            return StepOutcome.Wait($"waiting for {pending.Resource.Kind} {pending.Resource.Name}: {message}");
        }

        return StepOutcome.Ok(observed.Count == 0 ? $"{component} runs nothing to wait for" : $"{component} healthy");
    }

    // The component's workloads, their service pods, volumes and (for an ingress) the Ingresses it publishes.
    private static async Task<List<ObservedObject>> ObserveAsync(IClusterGateway cluster, StackSpec stack, string component, CancellationToken cancellationToken)
    {
        var selector = StepTools.ComponentSelector(stack, component);
        var observed = new List<ObservedObject>();
        foreach (var (apiVersion, kind) in new[]
                 {
                     ("apps/v1", "Deployment"), ("apps/v1", "StatefulSet"), ("v1", "PersistentVolumeClaim"), ("networking.k8s.io/v1", "Ingress"),
                 })
        {
            foreach (var obj in await cluster.ListAsync(apiVersion, kind, stack.Namespace, selector, cancellationToken).ConfigureAwait(false))
            {
                if (KubeObservations.From(obj) is { } o)
                {
                    observed.Add(o);
                }
            }
        }

        // Pods are read-only here and not a kind the portal writes, so they come through the typed client. Job pods
        // belong to relation steps, which judge their Jobs themselves.
        var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync(stack.Namespace, labelSelector: selector, cancellationToken: cancellationToken).ConfigureAwait(false);
        observed.AddRange(pods.Items.Select(KubeObservations.Pod).Where(p => p.RestartPolicy == PodRestartPolicy.Always && p.DeletionRequestedAt is null));
        return observed;
    }

    private async Task<StepOutcome> ExternalDatabaseAsync(IClusterGateway cluster, StackSpec stack, string component, CancellationToken cancellationToken)
    {
        var login = await PostgresqlClientWiring.AdminLoginAsync(tools, cluster, stack, component, cancellationToken).ConfigureAwait(false);
        if (!login.IsSuccess)
        {
            return StepOutcome.Fail(login.Error!, permanent: true);
        }

        var check = await databases.TestAdminLoginAsync(login.Login!, cancellationToken).ConfigureAwait(false);
        if (check.IsReady)
        {
            return StepOutcome.Ok($"{component} accepts the admin login ({login.Login})");
        }

        return check.Failure is DatabaseFailure.Unreachable or DatabaseFailure.Timeout
            ? StepOutcome.Wait($"waiting for {login.Login!.Server} to accept connections: {check.Message}")
            : StepOutcome.Fail(check.Message, permanent: check.Failure is DatabaseFailure.AuthenticationFailed or DatabaseFailure.InsufficientPrivilege or DatabaseFailure.Ssl);
    }
}
