using k8s.Models;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Domain.Plans;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Steps;

/// <summary>Makes sure the component's Secret holds its keys, renders the component with the live Secret revisions and
/// server-side applies every object. Objects a relation owns (the ingress's routes) are left to the relation's step.</summary>
internal sealed class ApplyComponentHandler(StepTools tools) : IStepHandler
{
    public StepKind Kind => StepKind.ApplyComponent;

    public async Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var stack = execution.Target;
        var component = execution.Step.Component!;
        var cluster = tools.Cluster(stack);
        await tools.Secrets.EnsureAsync(cluster, stack, component, cancellationToken).ConfigureAwait(false);

        var revisions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var secret in await cluster.ListAsync("v1", "Secret", stack.Namespace, PortalLabels.StackSelector(stack.Name), cancellationToken).ConfigureAwait(false))
        {
            revisions[secret.Metadata.Name] = ManagedSecrets.RevisionOf((V1Secret)secret);
        }

        var objects = tools.Renderer.RenderComponent(stack, component, revisions)
            .Where(o => o.Object.Metadata.Labels?.ContainsKey(PortalLabels.Relation) != true)
            .ToList();
        var waiting = new List<string>();
        foreach (var rendered in objects)
        {
            // A Job's pod template is immutable: one whose spec changed (a new image, new env) is deleted and created again.
            if (rendered.Object is V1Job job
                && (await JobRunner.ReplaceOutdatedAsync(cluster, job, cancellationToken).ConfigureAwait(false)).Waiting is { } reason)
            {
                waiting.Add(reason);
                continue;
            }

            await cluster.ApplyAsync(rendered.Object, cancellationToken).ConfigureAwait(false);
        }

        if (waiting.Count > 0)
        {
            return StepOutcome.Wait(string.Join("; ", waiting));
        }

        return StepOutcome.Ok(objects.Count == 0
            ? $"{component} has no objects of its own"
            : $"applied {string.Join(", ", objects.Select(o => o.ToString()))}");
    }
}

/// <summary>Deletes a component's objects by label; its volumes stay unless the step deletes data.</summary>
internal sealed class RemoveComponentHandler(StepTools tools) : IStepHandler
{
    public StepKind Kind => StepKind.RemoveComponent;

    public async Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var stack = execution.Target;
        var component = execution.Step.Component!;
        var deleteData = execution.Step.DeleteData;
        var deleted = await StepTools.DeleteAllAsync(
            tools.Cluster(stack), stack.Namespace, StepTools.ComponentSelector(stack, component),
            kind => deleteData || kind.Kind != "PersistentVolumeClaim", cancellationToken).ConfigureAwait(false);
        var keeps = !deleteData && tools.KindOf(stack, component).Name is MinioKind.Name or PostgresqlKind.Name ? "; its volumes are kept" : "";
        return StepOutcome.Ok($"deleted {deleted} object(s) of {component}{keeps}");
    }
}
