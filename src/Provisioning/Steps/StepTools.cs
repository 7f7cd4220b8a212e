using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Steps;

/// <summary>What every step handler uses: the cluster of the stack, the renderers, the catalog, the component Secrets.</summary>
internal sealed class StepTools(ClusterRegistry clusters, StackRenderer renderer, ComponentCatalog catalog, ComponentSecrets secrets, TimeProvider time)
{
    public StackRenderer Renderer => renderer;

    public ComponentCatalog Catalog => catalog;

    public ComponentSecrets Secrets => secrets;

    public TimeProvider Time => time;

    public IClusterGateway Cluster(StackSpec stack) => clusters.Gateway(stack.Cluster);

    public ComponentKind KindOf(StackSpec stack, string component) => catalog.Get(stack.Component(component).Kind);

    /// <summary>The labels of an object a relation owns, written by the provider side.</summary>
    public static Dictionary<string, string> RelationLabels(StackSpec stack, RelationSpec relation) =>
        new(StackRenderer.Labels(stack, relation.Provider.Component), StringComparer.Ordinal) { [PortalLabels.Relation] = relation.LabelValue };

    /// <summary>Selector of a stack's objects of one component.</summary>
    /// <remarks>Without the managed-by label: the volume claims a StatefulSet makes from its claim templates carry only the
    /// selector labels (stack, component, workload), and they must be found too.</remarks>
    public static string ComponentSelector(StackSpec stack, string component) =>
        $"{PortalLabels.Stack}={stack.Name},{PortalLabels.Component}={component}";

    /// <summary>Selector of a stack's objects of one relation.</summary>
    public static string RelationSelector(StackSpec stack, RelationSpec relation) =>
        $"{PortalLabels.Stack}={stack.Name},{PortalLabels.Relation}={relation.LabelValue}";

    /// <summary>Deletes every object of the stack's kinds matching a selector; returns how many were deleted.</summary>
    public static async Task<int> DeleteAllAsync(
        IClusterGateway cluster, string @namespace, string selector, Func<KubeResource, bool> include, CancellationToken cancellationToken)
    {
        if (await cluster.ReadAsync<V1Namespace>("v1", "Namespace", null, @namespace, cancellationToken).ConfigureAwait(false) is null)
        {
            return 0;
        }

        var deleted = 0;
        foreach (var kind in KubeResources.StackKinds.Where(include))
        {
            foreach (var obj in await cluster.ListAsync(kind.ApiVersion, kind.Kind, @namespace, selector, cancellationToken).ConfigureAwait(false))
            {
                if (obj.Metadata.DeletionTimestamp is null
                    && await cluster.DeleteAsync(kind.ApiVersion, kind.Kind, @namespace, obj.Metadata.Name, cancellationToken).ConfigureAwait(false))
                {
                    deleted++;
                }
            }
        }

        return deleted;
    }
}

/// <summary>Runs a one-off Job to completion across step attempts: applies it, reports NotReady while it runs, Done when it
/// completed, and a failure with the Job's reason when it failed (deleting it, so that the retry starts it afresh).</summary>
/// <remarks>A Job's pod template cannot change once created, so a Job whose rendered spec changed (new buckets, a new
/// image) is replaced; the spec hash annotation tells.</remarks>
internal static class JobRunner
{
    public const string SpecHashAnnotation = "portal.airbyte.io/spec-hash";

    /// <summary>Stamps <paramref name="job"/> with the hash of its spec and makes way for it: a live Job of that name with another
    /// spec is deleted (its template cannot change in place). Returns the live Job when it may stay, and a sentence to wait on
    /// while an outdated or deleting one has to go first; the caller applies the Job once neither stands in the way.</summary>
    public static async Task<(V1Job? Existing, string? Waiting)> ReplaceOutdatedAsync(IClusterGateway cluster, V1Job job, CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(KubernetesJson.Serialize(job.Spec))))[..16];
        job.Metadata.Annotations ??= new Dictionary<string, string>(StringComparer.Ordinal);
        job.Metadata.Annotations[SpecHashAnnotation] = hash;
        var ns = job.Metadata.NamespaceProperty;
        var name = job.Metadata.Name;

        var existing = await cluster.ReadAsync<V1Job>("batch/v1", "Job", ns, name, cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.Metadata.DeletionTimestamp is not null)
        {
            return (existing, $"waiting for the previous Job {name} to go away");
        }

        if (existing is not null
            && (existing.Metadata.Annotations?.TryGetValue(SpecHashAnnotation, out var current) != true || current != hash))
        {
            await cluster.DeleteAsync("batch/v1", "Job", ns, name, cancellationToken).ConfigureAwait(false);
            return (existing, $"waiting for the outdated Job {name} to go away before it runs again");
        }

        return (existing, null);
    }

    public static async Task<StepOutcome> RunAsync(IClusterGateway cluster, V1Job job, string purpose, CancellationToken cancellationToken)
    {
        var (existing, waiting) = await ReplaceOutdatedAsync(cluster, job, cancellationToken).ConfigureAwait(false);
        if (waiting is not null)
        {
            return StepOutcome.Wait(waiting);
        }

        var ns = job.Metadata.NamespaceProperty;
        var name = job.Metadata.Name;
        if (existing is null)
        {
            await cluster.ApplyAsync(job, cancellationToken).ConfigureAwait(false);
            return StepOutcome.Wait($"waiting for Job {name} to {purpose}");
        }

        var conditions = existing.Status?.Conditions ?? [];
        if (conditions.Any(c => c.Type == "Complete" && c.Status == "True"))
        {
            return StepOutcome.Ok($"Job {name} completed");
        }

        if (conditions.FirstOrDefault(c => c.Type == "Failed" && c.Status == "True") is { } failed)
        {
            // Delete it so the next attempt runs it again; the step's attempts and deadline bound the retries.
            await cluster.DeleteAsync("batch/v1", "Job", ns, name, cancellationToken).ConfigureAwait(false);
            var reason = string.Join(": ", new[] { failed.Reason, failed.Message }.Where(t => !string.IsNullOrWhiteSpace(t)));
            return StepOutcome.Fail($"Job {name} failed to {purpose}{(reason.Length > 0 ? $" ({reason})" : "")}");
        }

        // With restartPolicy OnFailure a failing container restarts in its pod; say so rather than wait in silence. The
        // failure is transient: the step's attempts give the Job time to get through, or end the step with the reason.
        var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"job-name={name}", cancellationToken: cancellationToken).ConfigureAwait(false);
        var crashing = pods.Items
            .SelectMany(p => p.Status?.ContainerStatuses ?? [])
            .FirstOrDefault(c => c.RestartCount > 0 && c.State?.Waiting?.Reason == "CrashLoopBackOff");
        if (crashing is not null)
        {
            var last = crashing.LastState?.Terminated;
            var exit = last is null ? "" : $": container {crashing.Name} exited with code {last.ExitCode}{(string.IsNullOrEmpty(last.Reason) ? "" : $" ({last.Reason})")}";
            return StepOutcome.Fail($"Job {name} keeps failing to {purpose}{exit}, restarted {crashing.RestartCount} time(s)");
        }

        return StepOutcome.Wait($"waiting for Job {name} to {purpose}");
    }
}
