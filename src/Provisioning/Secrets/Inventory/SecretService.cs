using System.Globalization;
using System.Security.Cryptography;
using k8s;
using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Catalog;
using Portal.Domain.Certificates;
using Portal.Domain.Naming;
using Portal.Domain.Secrets;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Secrets.Inventory;

/// <summary>The secrets of the stacks, read from their applied spec (which secrets they own, <see cref="SecretInventory"/>) and their
/// clusters (revisions, fingerprints, dates, policies, kept revisions, and the ledger of what each workload's pods loaded). Values
/// are read only to fingerprint them and never leave this class.</summary>
/// <remarks>Rotation and roll-back are operations: they are delegated to <see cref="ISecretRotations"/>; a build without it
/// answers Conflict.</remarks>
internal sealed class SecretService(
    PortalDatabase database,
    ClusterRegistry clusters,
    ComponentCatalog catalog,
    ISecretRotations rotations,
    Rotation.SecretReveals reveals,
    TimeProvider time) : ISecretService
{
    /// <summary>The audit action of a policy change.</summary>
    public const string SetPolicyAction = "set-secret-policy";

    private const int MaxAttempts = 5;


    public async Task<ServiceResult<StackSecretInventory>> ListAsync(string stack, CancellationToken cancellationToken)
    {
        var record = await FindAsync(stack, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return ServiceResult<StackSecretInventory>.NotFound(NoStack(stack));
        }

        try
        {
            var facts = await FactsAsync(record, cancellationToken).ConfigureAwait(false);
            var views = new List<SecretView>();
            foreach (var secret in facts.Inventory)
            {
                views.Add(await ViewAsync(facts, secret, cancellationToken).ConfigureAwait(false));
            }

            return ServiceResult<StackSecretInventory>.Ok(
                new StackSecretInventory(record.Name, record.Cluster, record.Namespace, SecretInventory.WindowText(facts.Window), views));
        }
        catch (ClusterException e)
        {
            return ServiceResult<StackSecretInventory>.Unavailable($"The secrets of stack {stack} could not be read: {e.Message}");
        }
    }

    public async Task<ServiceResult<SecretRotationPreview>> PreviewRotationAsync(string stack, string secret, CancellationToken cancellationToken)
    {
        var (record, found, refusal) = await LookUpAsync<SecretRotationPreview>(stack, secret, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        try
        {
            var facts = await FactsAsync(record!, cancellationToken).ConfigureAwait(false);
            var view = await ViewAsync(facts, found!, cancellationToken).ConfigureAwait(false);
            if (view.NotRotatable is { } why)
            {
                return ServiceResult<SecretRotationPreview>.Invalid("secret", $"{found!.Id} cannot be rotated by the portal. {why}");
            }

            var restarts = BlastRadius.Restarts(found!, facts.Uses);
            return ServiceResult<SecretRotationPreview>.Ok(new SecretRotationPreview(
                view,
                BlastRadius.Steps(found!, view.Revision, restarts),
                restarts.Select(r => new RestartingWorkload(r.Order, r.Workload, r.Why)).ToList(),
                found!.Definition.UserImpact,
                found.Definition.Rotation == RotationStrategy.OperatorSupplied));
        }
        catch (ClusterException e)
        {
            return ServiceResult<SecretRotationPreview>.Unavailable($"The secret {secret} of stack {stack} could not be read: {e.Message}");
        }
    }

    public Task<ServiceResult<StackChange>> RotateAsync(string stack, string secret, SecretRotationRequest request, string actor, CancellationToken cancellationToken) =>
        rotations.RotateAsync(stack, secret, request, actor, cancellationToken);

    public Task<ServiceResult<StackChange>> RollbackAsync(string stack, string secret, int? revision, string? reason, string actor, CancellationToken cancellationToken) =>
        rotations.RollbackAsync(stack, secret, revision, reason, actor, cancellationToken);

    public Task<ServiceResult<RevealedSecret>> RevealAsync(string stack, string secret, string? reason, string actor, CancellationToken cancellationToken) =>
        reveals.RevealAsync(stack, secret, reason, actor, cancellationToken);

    public async Task<ServiceResult<SecretView>> SetPolicyAsync(string stack, string secret, string? policy, string actor, CancellationToken cancellationToken)
    {
        var (record, found, refusal) = await LookUpAsync<SecretView>(stack, secret, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal.Status == ServiceStatus.Invalid ? await RefuseAsync(refusal, stack, secret, actor, cancellationToken).ConfigureAwait(false) : refusal;
        }

        var errors = new List<Domain.Common.ValidationError>();
        var parsed = RotationSchedule.Parse(policy);
        errors.AddRange(parsed.Errors);
        try
        {
            var facts = await FactsAsync(record!, cancellationToken).ConfigureAwait(false);
            var before = await ViewAsync(facts, found!, cancellationToken).ConfigureAwait(false);
            if (before.NotRotatable is { } why && !(parsed.IsSuccess && parsed.Value == RotationPeriod.Never))
            {
                errors.Add(new("secret", $"{found!.Id} cannot be rotated by the portal, so it has no rotation policy. {why}"));
            }

            if (errors.Count > 0)
            {
                return await RefuseAsync(ServiceResult<SecretView>.Invalid(errors), stack, secret, actor, cancellationToken).ConfigureAwait(false);
            }

            var word = RotationSchedule.Word(parsed.Value);
            var shared = facts.Inventory.Count(s => s.KubernetesSecret == found!.KubernetesSecret) > 1;
            var annotation = shared ? SecretAnnotations.PerSecret(SecretAnnotations.RotationPolicy, found!.Name) : SecretAnnotations.RotationPolicy;
            await AnnotateAsync(facts.Cluster, record!.Namespace, found!.KubernetesSecret, annotation, word, cancellationToken).ConfigureAwait(false);

            facts.Secrets.Remove(found.KubernetesSecret);
            var after = await ViewAsync(facts, found, cancellationToken).ConfigureAwait(false);
            await using var context = database.CreateContext();
            context.Audit.Add(Audit(actor, stack, found.Id.ToString(), $"accepted: rotation policy of {found.Id} set to {word} (was {Word(before.Policy)})"));
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return ServiceResult<SecretView>.Ok(after);
        }
        catch (ClusterException e)
        {
            return await RefuseAsync(
                ServiceResult<SecretView>.Unavailable($"The policy of {secret} on stack {stack} could not be set, so nothing changed: {e.Message}"),
                stack, secret, actor, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The first 12 hex digits of the SHA-256 of the value: the named keys' bytes in order (all keys by name when none
    /// are named), separated by a zero byte; null when none of them is there.</summary>
    public static string? Fingerprint(V1Secret? secret, IReadOnlyList<string> keys)
    {
        if (secret?.Data is not { Count: > 0 } data)
        {
            return null;
        }

        var parts = (keys.Count == 0 ? data.Keys.Order(StringComparer.Ordinal).ToList() : keys)
            .Select(k => data.TryGetValue(k, out var bytes) ? bytes : null)
            .OfType<byte[]>()
            .ToList();
        if (parts.Count == 0)
        {
            return null;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < parts.Count; i++)
        {
            if (i > 0)
            {
                hash.AppendData([0]);
            }

            hash.AppendData(parts[i]);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }

    private async Task<SecretView> ViewAsync(Facts facts, StackSecret secret, CancellationToken cancellationToken)
    {
        var live = await SecretAsync(facts, secret.KubernetesSecret, cancellationToken).ConfigureAwait(false);

        // Revisions, dates and roll-back choices are the secret's own: a Secret holding several secrets counts each separately.
        var kept = live is null
            ? []
            : SecretAnnotations.Choices(
                    live, await TlsSecretRevisions.KeptAsync(facts.Cluster, facts.Namespace, secret.KubernetesSecret, cancellationToken).ConfigureAwait(false),
                    secret.Name, secret.Keys)
                .Select(c => c.Revision).ToList();
        var revision = live is null ? 0 : SecretAnnotations.SecretRevision(live, secret.Name, secret.Keys);
        var created = live?.Metadata.CreationTimestamp is { } c ? new DateTimeOffset(DateTime.SpecifyKind(c, DateTimeKind.Utc)) : (DateTimeOffset?)null;
        var (rotatedAt, rotatedBy) = live is null ? (null, null) : SecretAnnotations.Rotated(live, secret.Name, secret.Keys);
        var policy = live is not null && RotationSchedule.Parse(SecretAnnotations.Read(live, SecretAnnotations.RotationPolicy, secret.Name)) is { IsSuccess: true } p
            ? p.Value
            : RotationPeriod.Never;
        var fingerprint = Fingerprint(live, secret.Keys);

        var notRotatable = secret.NotRotatable;
        if (notRotatable is null && fingerprint is null && secret.Definition.Rotation != RotationStrategy.OperatorSupplied)
        {
            notRotatable = live is null
                ? $"Secret {secret.KubernetesSecret} does not exist yet: it is written when the stack is deployed."
                : $"Secret {secret.KubernetesSecret} holds no value for it yet.";
        }

        var last = rotatedAt ?? created;
        DateTimeOffset? next = null;
        var overdue = false;
        if (notRotatable is null && last is { } since)
        {
            next = RotationSchedule.Next(policy, since, facts.Window);
            overdue = RotationSchedule.Overdue(policy, since, facts.Window, time.GetUtcNow());
        }

        var liveRevisions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in secret.LoadedAs)
        {
            if (await SecretAsync(facts, name, cancellationToken).ConfigureAwait(false) is { } loaded)
            {
                liveRevisions[name] = ManagedSecrets.RevisionOf(loaded);
            }
        }

        var stale = SecretLedger.Stale(liveRevisions, facts.Pods).Select(s => new StaleWorkload(s.Workload, s.LoadedRevision, s.Pods)).ToList();
        return new SecretView(
            secret.Id.ToString(),
            secret.Name,
            secret.Description,
            secret.Owner,
            BlastRadius.Consumers(secret, facts.Uses),
            secret.Location,
            Kebab(secret.Definition.Source.ToString()),
            Kebab(secret.Definition.Rotation.ToString()),
            notRotatable,
            revision,
            fingerprint,
            created,
            rotatedAt,
            rotatedBy,
            (RotationPolicy)(int)policy,
            next,
            overdue,
            secret.Definition.UserImpact,
            kept,
            stale,
            PolicyNote(secret, notRotatable, policy, facts.Window, overdue),
            secret.Definition.Rotation == RotationStrategy.DualValidity && secret.Keys.Count == 1
            && Rotation.SecretReveals.Revealable(live, $"{secret.Keys[0]}-previous"));
    }

    // Whether the policy rotates the secret by itself, or only says when the operator should.
    private static string? PolicyNote(StackSecret secret, string? notRotatable, RotationPeriod policy, MaintenanceWindow? window, bool overdue)
    {
        if (notRotatable is not null || policy == RotationPeriod.Never)
        {
            return null;
        }

        if (secret.Definition.Rotation == RotationStrategy.OperatorSupplied || secret.Definition.Source == SecretSource.OperatorSupplied)
        {
            return overdue
                ? "Overdue, and not rotated automatically: its value comes from outside the portal, so the operator rotates it with the new value."
                : "Not rotated automatically: its value comes from outside the portal, so the policy only says when the operator should rotate it.";
        }

        return $"Rotated automatically by the scheduler when due, in the maintenance window ({SecretInventory.WindowText(window)}), when no other operation runs on the stack.";
    }

    private async Task<Facts> FactsAsync(StackRecord record, CancellationToken cancellationToken)
    {
        var spec = record.Applied ?? record.Spec;
        var cluster = clusters.Gateway(record.Cluster);
        var selector = PortalLabels.StackSelector(record.Name);
        var workloads = new List<(string Name, string Component, IDictionary<string, string> Selector, V1PodTemplateSpec Template)>();
        foreach (var listed in await cluster.ListAsync("apps/v1", "Deployment", record.Namespace, selector, cancellationToken).ConfigureAwait(false))
        {
            var deployment = (V1Deployment)listed;
            workloads.Add((deployment.Metadata.Name, ComponentOf(deployment.Metadata), deployment.Spec.Selector?.MatchLabels ?? new Dictionary<string, string>(), deployment.Spec.Template));
        }

        foreach (var listed in await cluster.ListAsync("apps/v1", "StatefulSet", record.Namespace, selector, cancellationToken).ConfigureAwait(false))
        {
            var set = (V1StatefulSet)listed;
            workloads.Add((set.Metadata.Name, ComponentOf(set.Metadata), set.Spec.Selector?.MatchLabels ?? new Dictionary<string, string>(), set.Spec.Template));
        }

        var uses = workloads.Select(w => new WorkloadSecretUse(w.Name, w.Component, SecretsOf(w.Template))).ToList();
        var pods = new List<PodSecretLoad>();
        var listedPods = await cluster.QueryAsync(
            $"the pods of stack {record.Name}",
            (client, ct) => client.CoreV1.ListNamespacedPodAsync(record.Namespace, labelSelector: selector, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        foreach (var pod in listedPods.Items)
        {
            if (pod.Metadata.DeletionTimestamp is not null || pod.Status?.Phase is "Succeeded" or "Failed")
            {
                continue;
            }

            var labels = pod.Metadata.Labels ?? new Dictionary<string, string>();
            var owner = workloads.FirstOrDefault(w => w.Selector.Count > 0 && w.Selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value));
            if (owner.Name is null)
            {
                continue;
            }

            pods.Add(new PodSecretLoad(
                owner.Name, pod.Metadata.Name,
                SecretRevisionLedger.Parse(pod.Metadata.Annotations?.TryGetValue(PortalLabels.SecretRevisionsAnnotation, out var ledger) == true ? ledger : null)));
        }

        return new Facts(cluster, record.Namespace, SecretInventory.Of(spec, catalog), SecretInventory.WindowOf(spec, catalog), uses, pods);
    }

    // The Secrets a pod template loads: its ledger annotation, env secretKeyRefs, envFrom and Secret volumes.
    private static List<string> SecretsOf(V1PodTemplateSpec template)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (template.Metadata?.Annotations?.TryGetValue(PortalLabels.SecretRevisionsAnnotation, out var ledger) == true)
        {
            names.UnionWith(SecretRevisionLedger.Parse(ledger).Keys);
        }

        foreach (var container in template.Spec?.Containers ?? [])
        {
            names.UnionWith((container.Env ?? []).Select(e => e.ValueFrom?.SecretKeyRef?.Name).OfType<string>());
            names.UnionWith((container.EnvFrom ?? []).Select(e => e.SecretRef?.Name).OfType<string>());
        }

        names.UnionWith((template.Spec?.Volumes ?? []).Select(v => v.Secret?.SecretName).OfType<string>());
        return [.. names];
    }

    private static string ComponentOf(V1ObjectMeta metadata) =>
        metadata.Labels?.TryGetValue(PortalLabels.Component, out var component) == true ? component : metadata.Name;

    private static async Task<V1Secret?> SecretAsync(Facts facts, string name, CancellationToken cancellationToken)
    {
        if (!facts.Secrets.TryGetValue(name, out var secret))
        {
            secret = await facts.Cluster.ReadAsync<V1Secret>("v1", "Secret", facts.Namespace, name, cancellationToken).ConfigureAwait(false);
            facts.Secrets[name] = secret;
        }

        return secret;
    }

    private async Task<(StackRecord? Record, StackSecret? Secret, ServiceResult<T>? Refusal)> LookUpAsync<T>(string stack, string secret, CancellationToken cancellationToken)
    {
        var record = await FindAsync(stack, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return (null, null, ServiceResult<T>.NotFound(NoStack(stack)));
        }

        var id = SecretId.Parse(secret);
        if (!id.IsSuccess)
        {
            return (null, null, ServiceResult<T>.Invalid(id.Errors));
        }

        var inventory = SecretInventory.Of(record.Applied ?? record.Spec, catalog);
        var found = inventory.FirstOrDefault(s => s.Id == id.Value);
        return found is null
            ? (null, null, ServiceResult<T>.NotFound($"Stack {stack} has no secret {secret}; its secrets are {string.Join(", ", inventory.Select(s => s.Id))}."))
            : (record, found, null);
    }

    private async Task<StackRecord?> FindAsync(string stack, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        return await context.Stacks.AsNoTracking().FirstOrDefaultAsync(s => s.Name == stack, cancellationToken).ConfigureAwait(false);
    }

    // Read-modify-write of one annotation, with the resourceVersion as precondition; a lost race reads again.
    private static async Task AnnotateAsync(IClusterGateway cluster, string @namespace, string name, string annotation, string value, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var live = await cluster.ReadAsync<V1Secret>("v1", "Secret", @namespace, name, cancellationToken).ConfigureAwait(false)
                ?? throw new ClusterException($"Secret {@namespace}/{name} is gone from cluster {cluster.Name}.", System.Net.HttpStatusCode.NotFound, transient: false);
            live.Metadata.Annotations ??= new Dictionary<string, string>(StringComparer.Ordinal);
            if (live.Metadata.Annotations.TryGetValue(annotation, out var current) && current == value)
            {
                return;
            }

            live.Metadata.Annotations[annotation] = value;
            if (await ManagedSecrets.ReplaceAsync(cluster, live, cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }
        }

        throw new ClusterException($"Cluster {cluster.Name} kept changing Secret {@namespace}/{name} while the portal set its rotation policy.", System.Net.HttpStatusCode.Conflict, transient: true);
    }

    private async Task<ServiceResult<T>> RefuseAsync<T>(ServiceResult<T> refusal, string stack, string secret, string actor, CancellationToken cancellationToken)
    {
        var result = refusal.Status == ServiceStatus.Invalid ? $"refused: {string.Join("; ", refusal.Errors)}" : $"refused: {refusal.Message}";
        await using var context = database.CreateContext();
        context.Audit.Add(Audit(actor, stack, secret, result));
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return refusal;
    }

    private AuditRecord Audit(string actor, string stack, string secret, string result) => new()
    {
        At = time.GetUtcNow(),
        Actor = actor,
        Action = SetPolicyAction,
        Stack = stack,
        Target = $"{stack}/{secret}",
        Result = result,
    };

    private static string Word(RotationPolicy policy) => RotationSchedule.Word((RotationPeriod)(int)policy);

    private static string Kebab(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c).ToString() : c.ToString(CultureInfo.InvariantCulture)));

    private static string NoStack(string name) => $"There is no stack named {name}.";

    private sealed record Facts(
        IClusterGateway Cluster, string Namespace, IReadOnlyList<StackSecret> Inventory, MaintenanceWindow? Window,
        IReadOnlyList<WorkloadSecretUse> Uses, IReadOnlyList<PodSecretLoad> Pods)
    {
        /// <summary>Secrets read so far, by name (null: not there).</summary>
        public Dictionary<string, V1Secret?> Secrets { get; } = new(StringComparer.Ordinal);
    }
}
