using System.Net;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Domain.Plans;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Steps;

/// <summary>Creates the stack's namespace with the portal's labels; refuses one that belongs to another stack.</summary>
internal sealed class EnsureNamespaceHandler(StepTools tools) : IStepHandler
{
    public StepKind Kind => StepKind.EnsureNamespace;

    public async Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var stack = execution.Target;
        var wrote = await StackNamespace.EnsureAsync(tools.Cluster(stack), stack, cancellationToken).ConfigureAwait(false);
        return StepOutcome.Ok(wrote ? $"namespace {stack.Namespace} ready" : $"namespace {stack.Namespace} already there");
    }
}

/// <summary>Deletes the stack's namespace (and with it everything left in it), only if it is the stack's own.</summary>
internal sealed class RemoveNamespaceHandler(StepTools tools) : IStepHandler
{
    public StepKind Kind => StepKind.RemoveNamespace;

    public async Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var stack = execution.Target;
        var cluster = tools.Cluster(stack);
        var existing = await cluster.ReadAsync<V1Namespace>("v1", "Namespace", null, stack.Namespace, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return StepOutcome.Ok($"namespace {stack.Namespace} already gone");
        }

        if (existing.Metadata.Labels?.TryGetValue(PortalLabels.Stack, out var owner) != true || owner != stack.Name)
        {
            throw new ClusterException(
                $"Namespace {stack.Namespace} was not created by the portal for stack {stack.Name}; the portal leaves it in place.",
                HttpStatusCode.Conflict, transient: false);
        }

        await cluster.DeleteAsync("v1", "Namespace", null, stack.Namespace, cancellationToken).ConfigureAwait(false);
        return StepOutcome.Ok($"namespace {stack.Namespace} deleted");
    }
}
