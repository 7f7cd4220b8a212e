using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Domain.Catalog;
using Portal.Domain.Common;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Secrets;
using Portal.Domain.Values;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Secrets.Inventory;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Secrets.Rotation;

/// <summary>Starts secret rotations and roll-backs as operations on a stack, validated (every problem at once with its field),
/// audited, one at a time per stack. An operator's new value goes to the cluster (a pending Secret keyed by the operation) before
/// the operation starts, never to the portal's database or a job's arguments.</summary>
internal sealed class SecretRotations(
    PortalDatabase database, ClusterRegistry clusters, ComponentCatalog catalog, RotatableSecrets secrets, IStepScheduler scheduler, TimeProvider time,
    ILogger<SecretRotations> logger) : ISecretRotations
{
    /// <summary>The longest operator-supplied value accepted.</summary>
    public const int MaxValueLength = 4096;

    private readonly OperationStarter _starter = new(database, scheduler, time, logger);

    public async Task<ServiceResult<StackChange>> RotateAsync(
        string stack, string secret, SecretRotationRequest request, string actor, CancellationToken cancellationToken)
    {
        const string Action = "rotate-secret";
        ArgumentNullException.ThrowIfNull(request);

        // An operator's value waits in the cluster under this operation's id: an attempt that runs again writes the same one.
        var id = Guid.NewGuid();
        (IClusterGateway Cluster, string Namespace, string Name)? pending = null;
        var started = await _starter.StartWithRetriesAsync(Request(actor, Action, stack, secret, request.Reason), async context =>
        {
            var errors = new ErrorList();
            var (record, target, refusal) = await PrepareAsync(context, stack, secret, request.Reason, Action, actor, errors, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            if (target is not null)
            {
                ValidateValue(target, request.Value, errors);
            }

            if (errors.Count > 0)
            {
                return await RefuseAsync(ServiceResult<StackChange>.Invalid(errors.ToList()), actor, Action, stack, secret, request.Reason, cancellationToken).ConfigureAwait(false);
            }

            var spec = record!.Applied!;
            V1Secret? live;
            try
            {
                var cluster = clusters.Gateway(record.Cluster);
                live = await SecretRevisions.ReadAsync(cluster, spec.Namespace, target!.SecretName, cancellationToken).ConfigureAwait(false);
                if (live is not null && target.Method == RotationMethod.OperatorSupplied)
                {
                    // The value waits in the cluster for the operation's first step; the portal keeps only the operation's id.
                    await SecretRevisions.PendingAsync(
                        cluster, spec.Namespace, target.PendingName, target.Key, id.ToString(), SecretRevisions.LabelsOf(live), () => request.Value!, cancellationToken)
                        .ConfigureAwait(false);
                    pending = (cluster, spec.Namespace, target.PendingName);
                }
            }
            catch (ClusterException e)
            {
                return await RefuseAsync(
                    ServiceResult<StackChange>.Unavailable($"Secret {target!.SecretName} could not be read in cluster {record.Cluster}, so nothing changed: {e.Message}"),
                    actor, Action, stack, secret, request.Reason, cancellationToken).ConfigureAwait(false);
            }

            if (live is null)
            {
                return await RefuseAsync(
                    ServiceResult<StackChange>.Conflict($"Secret {target.SecretName} of {target.Id} does not exist in the cluster yet; deploy stack {stack} first."),
                    actor, Action, stack, secret, request.Reason, cancellationToken).ConfigureAwait(false);
            }

            var revision = ManagedSecrets.RevisionOf(live);
            var plan = target.Method == RotationMethod.DualValidity
                ? SecretRotationPlans.RotateDualValidity(
                    spec.Name, spec.Namespace, target.Id, target.SecretName, NewValue(spec, target), target.Key, DualValiditySecrets.PreviousKey(target),
                    DualValiditySecrets.GraceOf(spec, catalog, target), revision, target.Consumers)
                : SecretRotationPlans.Rotate(spec.Name, spec.Namespace, target.Id, target.SecretName, NewValue(spec, target), revision, target.Consumers, Checks(spec, target), target.First);
            return await StartAsync(
                context, record, OperationKind.RotateSecret, plan, Action, actor, target.Id, ReasonText.Normalize(request.Reason), $"rotate {target.Id} (revision {revision} → {revision + 1})", id,
                cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        // Nothing started: the value waiting for this operation would wait for nothing. (Unless another rotation of the secret,
        // the one that took the stack meanwhile, has replaced it with its own.)
        if (!started.IsSuccess && pending is var (cluster, @namespace, name)
            && SecretRevisions.WrittenBy(await SecretRevisions.ReadAsync(cluster, @namespace, name, cancellationToken).ConfigureAwait(false)) == id.ToString())
        {
            await cluster.DeleteAsync("v1", "Secret", @namespace, name, cancellationToken).ConfigureAwait(false);
        }

        return started;
    }

    public async Task<ServiceResult<StackChange>> RollbackAsync(
        string stack, string secret, int? revision, string? reason, string actor, CancellationToken cancellationToken)
    {
        const string Action = "rollback-secret";
        return await _starter.StartWithRetriesAsync(Request(actor, Action, stack, secret, reason), async context =>
        {
            var errors = new ErrorList();
            var (record, target, refusal) = await PrepareAsync(context, stack, secret, reason, Action, actor, errors, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            IReadOnlyList<SecretChoice> choices = [];
            SecretChoice? choice = null;
            V1Secret? live = null;
            if (target is not null)
            {
                try
                {
                    var cluster = clusters.Gateway(record!.Cluster);
                    live = await SecretRevisions.ReadAsync(cluster, record.Applied!.Namespace, target.SecretName, cancellationToken).ConfigureAwait(false);
                    if (live is not null)
                    {
                        // The operator chooses among the secret's own revisions (a shared Secret's copies also hold the other secrets' values).
                        var kept = await TlsSecretRevisions.KeptAsync(cluster, record.Applied!.Namespace, target.SecretName, cancellationToken).ConfigureAwait(false);
                        choices = SecretAnnotations.Choices(live, kept, target.Name, [target.Key]);
                    }
                }
                catch (ClusterException e)
                {
                    return await RefuseAsync(
                        ServiceResult<StackChange>.Unavailable($"Secret {target.SecretName} could not be read in cluster {record!.Cluster}, so nothing changed: {e.Message}"),
                        actor, Action, stack, secret, reason, cancellationToken).ConfigureAwait(false);
                }

                choice = revision is { } wanted ? choices.FirstOrDefault(c => c.Revision == wanted) : choices.Count > 0 ? choices[0] : null;
                if (live is null || choices.Count == 0)
                {
                    errors.Add("revision", $"There is no earlier revision of {target.Id} to roll back to.");
                }
                else if (choice is null)
                {
                    errors.Add("revision", $"Revision {revision} of {target.Id} is not kept; the kept revisions are {string.Join(", ", choices.Select(c => c.Revision))} (revision {SecretAnnotations.SecretRevision(live, target.Name, [target.Key])} is live).");
                }
            }

            if (errors.Count > 0)
            {
                return await RefuseAsync(ServiceResult<StackChange>.Invalid(errors.ToList()), actor, Action, stack, secret, reason, cancellationToken).ConfigureAwait(false);
            }

            var spec = record!.Applied!;
            var current = ManagedSecrets.RevisionOf(live!);
            var own = SecretAnnotations.SecretRevision(live!, target!.Name, [target.Key]);
            var plan = SecretRotationPlans.Rollback(
                spec.Name, spec.Namespace, target.Id, target.Name, choice!.Revision, own, target.SecretName, choice.SecretRevision, current,
                target.Method is RotationMethod.DatabasePassword or RotationMethod.InClusterDatabasePassword, target.Consumers,
                target.Method == RotationMethod.DatabasePassword ? $"the password of revision {choice.Revision} logs in as role {target.Role(spec)} and the replaced one is refused" : null,
                target.First);
            return await StartAsync(
                context, record, OperationKind.RollbackSecret, plan, Action, actor, target.Id, ReasonText.Normalize(reason), $"roll back {target.Id} from revision {own} to revision {choice.Revision}", null,
                cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ServiceResult<StackChange>> DropPreviousAsync(string stack, string secret, string actor, CancellationToken cancellationToken)
    {
        const string Action = "drop-previous-secret";
        return await _starter.StartWithRetriesAsync(Request(actor, Action, stack, secret, GraceOver), async context =>
        {
            var errors = new ErrorList();
            var (record, target, refusal) = await PrepareAsync(context, stack, secret, GraceOver, Action, actor, errors, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            if (target is not null && target.Method != RotationMethod.DualValidity)
            {
                errors.Add("secret", $"{target.Id} is not accepted together with a previous value, so it has none to drop.");
            }

            if (errors.Count > 0)
            {
                return await RefuseAsync(ServiceResult<StackChange>.Invalid(errors.ToList()), actor, Action, stack, secret, GraceOver, cancellationToken).ConfigureAwait(false);
            }

            var spec = record!.Applied!;
            V1Secret? live;
            try
            {
                live = await SecretRevisions.ReadAsync(clusters.Gateway(record.Cluster), spec.Namespace, target!.SecretName, cancellationToken).ConfigureAwait(false);
            }
            catch (ClusterException e)
            {
                return await RefuseAsync(
                    ServiceResult<StackChange>.Unavailable($"Secret {target!.SecretName} could not be read in cluster {record.Cluster}, so nothing changed: {e.Message}"),
                    actor, Action, stack, secret, GraceOver, cancellationToken).ConfigureAwait(false);
            }

            var previousKey = DualValiditySecrets.PreviousKey(target);
            var grace = DualValiditySecrets.GraceOf(spec, catalog, target);
            if (live?.Data?.ContainsKey(previousKey) != true)
            {
                return await RefuseAsync(
                    ServiceResult<StackChange>.Conflict($"Secret {target.SecretName} holds no previous value of {target.Id}: only the live one is accepted already."),
                    actor, Action, stack, secret, GraceOver, cancellationToken).ConfigureAwait(false);
            }

            if (DualValiditySecrets.GraceEnd(live, previousKey, grace) is { } end && end > time.GetUtcNow())
            {
                return await RefuseAsync(
                    ServiceResult<StackChange>.Conflict(
                        $"The grace period of {target.Id} ({SecretRotationPlans.GraceText(grace)}) ends at {end.ToUniversalTime():yyyy-MM-dd HH:mm} UTC; "
                        + "until then senders may still sign with the previous value."),
                    actor, Action, stack, secret, GraceOver, cancellationToken).ConfigureAwait(false);
            }

            var revision = ManagedSecrets.RevisionOf(live);
            var plan = SecretRotationPlans.DropPrevious(spec.Name, spec.Namespace, target.Id, target.SecretName, previousKey, revision, target.Consumers);
            return await StartAsync(
                context, record, OperationKind.RotateSecret, plan, Action, actor, target.Id, GraceOver,
                $"drop the previous value of {target.Id} (revision {revision} → {revision + 1})", null, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    // The reason of a drop: the portal's, not an operator's.
    private const string GraceOver = "its grace period is over";

    private static void ValidateValue(RotatableSecret target, string? value, ErrorList errors)
    {
        if (target.Method != RotationMethod.OperatorSupplied)
        {
            if (value is not null)
            {
                errors.Add("value", $"{target.Id} is generated by the portal: leave the value out, the rotation makes a new one.");
            }

            return;
        }

        if (string.IsNullOrEmpty(value))
        {
            errors.Add("value", $"{target.Id} comes from the identity provider: give the new value it issued.");
        }
        else if (value.Length > MaxValueLength)
        {
            errors.Add("value", $"The new value of {target.Id} is longer than {MaxValueLength} characters; check what was pasted.");
        }
        else if (value.Trim().Length != value.Length || value.Any(char.IsControl))
        {
            errors.Add("value", $"The new value of {target.Id} starts or ends with blanks or holds line breaks or control characters; paste the value alone.");
        }
    }

    private static string NewValue(Domain.Stacks.StackSpec spec, RotatableSecret target) => target.Method switch
    {
        RotationMethod.DatabasePassword => $"Generate a new password for role {target.Role(spec)} and set it through the admin connection of {target.Owner}",
        RotationMethod.Generated => "Generate a new cookie secret (32 random bytes)",
        RotationMethod.GeneratedWithCopies => GeneratedWithCopies(target),
        RotationMethod.InClusterDatabasePassword => InClusterPassword(spec, target),
        RotationMethod.DualValidity => "Generate a new signing secret (64 characters; an Operator may reveal it once, to give it to the senders)",
        _ => "Take the new value the operator supplied (it waits in the cluster, never in the portal)",
    };

    private static string GeneratedWithCopies(RotatableSecret target) =>
        $"Generate a new root password for {target.Owner} (the root user stays){(target.Copies.Count == 0 ? "" : $", to be copied into {string.Join(", ", target.Copies.Select(c => c.SecretName))} as the consumers' secret key")}";

    private static string InClusterPassword(Domain.Stacks.StackSpec spec, RotatableSecret target) =>
        $"Generate a new password for role {target.Role(spec)} and set it with a Job running ALTER ROLE … PASSWORD on the in-cluster server {target.Owner}";

    private static string? Checks(Domain.Stacks.StackSpec spec, RotatableSecret target) => target.Method == RotationMethod.DatabasePassword
        ? $"the new password logs in as role {target.Role(spec)} and the previous one is refused"
        : null;

    // The checks shared by rotate and roll back: reason, secret (every problem at once with the caller's), stack deployed and free.
    private async Task<(StackRecord? Record, RotatableSecret? Secret, ServiceResult<StackChange>? Refusal)> PrepareAsync(
        PortalDbContext context, string stack, string secret, string? reason, string action, string actor, ErrorList errors, CancellationToken cancellationToken)
    {
        var record = await context.Stacks.FirstOrDefaultAsync(s => s.Name == stack, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return (null, null, ServiceResult<StackChange>.NotFound($"There is no stack named {stack}."));
        }

        ReasonText.Check(reason, errors, "Say why: a reason is required for a secret change and goes into the audit log.");

        if (record.Applied is null)
        {
            return (null, null, await RefuseAsync(
                ServiceResult<StackChange>.Conflict($"Stack {stack} has not been deployed yet, so it has no secrets to rotate."), actor, action, stack, secret, reason, cancellationToken)
                .ConfigureAwait(false));
        }

        var found = secrets.Find(record.Applied, secret);
        if (found.Secret is null)
        {
            errors.Add("secret", found.Problem!);
        }

        if (await OperationStarter.BusyMessageAsync(context, record, cancellationToken).ConfigureAwait(false) is { } busy && errors.Count == 0)
        {
            return (null, null, await RefuseAsync(ServiceResult<StackChange>.Conflict(busy), actor, action, stack, secret, reason, cancellationToken).ConfigureAwait(false));
        }

        return (record, found.Secret, null);
    }

    private async Task<ServiceResult<StackChange>> StartAsync(
        PortalDbContext context, StackRecord record, OperationKind kind, Plan plan, string action, string actor, string secret, string? reason, string diff, Guid? id,
        CancellationToken cancellationToken)
    {
        var operation = await _starter.StartAsync(
            context, record, kind, plan, record.Applied!, actor, action, reason, diff, cancellationToken, id, Target(record.Name, secret)).ConfigureAwait(false);
        var view = StackViews.View(record, catalog, new Dictionary<Guid, OperationSummary> { [operation.Id] = StackViews.Summary(operation) });
        return ServiceResult<StackChange>.Ok(new StackChange(view, operation.Id, plan.Summary));
    }

    private static StartRequest Request(string actor, string action, string stack, string secret, string? reason) =>
        new(actor, action, stack, reason, AuditTarget: Target(stack, secret));

    private Task<ServiceResult<StackChange>> RefuseAsync(
        ServiceResult<StackChange> refusal, string actor, string action, string stack, string secret, string? reason, CancellationToken cancellationToken) =>
        _starter.RefuseAsync(refusal, actor, action, stack, reason, cancellationToken, auditTarget: Target(stack, secret));

    private static string Target(string stack, string secret) => $"{stack}/{secret}";
}

/// <summary>Registers the secret rotation steps and <see cref="ISecretRotations"/>; called from <c>AddStepHandlers()</c>.</summary>
internal static class SecretRotationServiceCollectionExtensions
{
    public static IServiceCollection AddSecretRotations(this IServiceCollection services)
    {
        services.AddSingleton<RotatableSecrets>();
        services.AddSingleton<SecretRotationSteps>();
        services.AddSingleton<InClusterPasswordJobs>();
        services.AddSingleton<IStepHandler, RotateSecretHandler>();
        services.AddSingleton<IStepHandler, RestoreSecretHandler>();
        services.AddSingleton<IStepHandler, VerifySecretHandler>();
        services.AddSingleton<IStepHandler, DropPreviousSecretHandler>();
        services.AddSingleton<SecretReveals>();
        services.AddSingleton<ISecretRotations, SecretRotations>();
        return services;
    }
}
