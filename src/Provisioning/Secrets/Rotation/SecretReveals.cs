using System.Globalization;
using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Common;
using Portal.Domain.Values;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Secrets.Rotation;

/// <summary>The one exception to "values never leave the cluster": right after a rotation of a generated dual-validity secret (the
/// webhook signing secret), an Operator may see the new value once, to give it to the senders. Audited without the value.</summary>
/// <remarks>
/// The reveal is allowed while the live revision was written by a rotation and still holds the previous value (that is, within
/// the grace period: the scheduler drops it when the period is over), was not rolled back, and was not revealed yet. The mark
/// (<see cref="DualValiditySecrets.RevealedAtAnnotation"/>) is written on the live Secret with its resourceVersion as precondition
/// before the value is returned, so of two concurrent reveals exactly one wins; a new revision starts without the mark.
/// </remarks>
internal sealed class SecretReveals(PortalDatabase database, ClusterRegistry clusters, RotatableSecrets secrets, TimeProvider time)
{
    /// <summary>The audit action of a reveal (accepted or refused).</summary>
    public const string Action = "reveal-secret";

    private const int Attempts = 5;

    /// <summary>Whether the live Secret's value may be revealed now, its previous value kept under <paramref name="previousKey"/> (see the remarks).</summary>
    public static bool Revealable(V1Secret? live, string previousKey) =>
        live?.Data?.ContainsKey(previousKey) == true
        && SecretRevisions.WrittenBy(live) is not null
        && SecretRevisions.Annotation(live, SecretRevisions.RolledBackByAnnotation) is null
        && SecretRevisions.Annotation(live, DualValiditySecrets.RevealedAtAnnotation) is null;

    public async Task<ServiceResult<RevealedSecret>> RevealAsync(string stack, string secret, string? reason, string actor, CancellationToken cancellationToken)
    {
        StackRecord? record;
        await using (var context = database.CreateContext())
        {
            record = await context.Stacks.AsNoTracking().FirstOrDefaultAsync(s => s.Name == stack, cancellationToken).ConfigureAwait(false);
        }

        if (record is null)
        {
            return ServiceResult<RevealedSecret>.NotFound($"There is no stack named {stack}.");
        }

        if (record.Applied is null)
        {
            return await RefuseAsync(ServiceResult<RevealedSecret>.Conflict($"Stack {stack} has not been deployed yet, so it has no secret to reveal."),
                actor, stack, secret, reason, cancellationToken).ConfigureAwait(false);
        }

        // Every problem of the request at once: the secret asked for and the reason given.
        var errors = new ErrorList();
        var found = secrets.Find(record.Applied, secret);
        if (found.Secret is null)
        {
            errors.Add("secret", found.Problem!);
        }
        else if (found.Secret.Method != RotationMethod.DualValidity)
        {
            errors.Add("secret", $"The portal never shows the value of {found.Secret.Id}; only a newly generated webhook signing secret can be revealed, once, right after its rotation.");
        }

        ReasonText.Check(reason, errors);
        if (errors.Count > 0)
        {
            return await RefuseAsync(ServiceResult<RevealedSecret>.Invalid(errors), actor, stack, secret, reason, cancellationToken).ConfigureAwait(false);
        }

        var target = found.Secret!;

        var previousKey = DualValiditySecrets.PreviousKey(target);
        try
        {
            var cluster = clusters.Gateway(record.Cluster);
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                var live = await SecretRevisions.ReadAsync(cluster, record.Applied.Namespace, target.SecretName, cancellationToken).ConfigureAwait(false);
                if (Refusal(live, target, previousKey, time.GetUtcNow()) is { } refused)
                {
                    return await RefuseAsync(ServiceResult<RevealedSecret>.Conflict(refused), actor, stack, secret, reason, cancellationToken).ConfigureAwait(false);
                }

                var now = time.GetUtcNow();
                live!.Metadata.Annotations[DualValiditySecrets.RevealedAtAnnotation] = now.ToString("O", CultureInfo.InvariantCulture);
                live.Metadata.Annotations[DualValiditySecrets.RevealedByAnnotation] = actor;
                if (await ManagedSecrets.ReplaceAsync(cluster, live, cancellationToken).ConfigureAwait(false) is null)
                {
                    // Changed since it was read (another reveal, a new revision): read again and judge again.
                    continue;
                }

                var revision = ManagedSecrets.RevisionOf(live);
                await using (var context = database.CreateContext())
                {
                    context.Audit.Add(Audit(actor, stack, secret, reason, $"accepted: revealed revision {revision} of {target.Id} once (the value is not recorded)"));
                    await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                }

                return ServiceResult<RevealedSecret>.Ok(new RevealedSecret(target.Id, revision, ManagedSecrets.Value(live, target.Key) ?? ""));
            }

            return await RefuseAsync(
                ServiceResult<RevealedSecret>.Conflict($"Secret {target.SecretName} kept changing while the portal marked it revealed; nothing was revealed. Try again."),
                actor, stack, secret, reason, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterException e)
        {
            return await RefuseAsync(
                ServiceResult<RevealedSecret>.Unavailable($"Secret {target.SecretName} could not be read in cluster {record.Cluster}, so nothing was revealed: {e.Message}"),
                actor, stack, secret, reason, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string? Refusal(V1Secret? live, RotatableSecret target, string previousKey, DateTimeOffset now)
    {
        if (live is null)
        {
            return $"Secret {target.SecretName} does not exist in the cluster; deploy the stack first.";
        }

        var revision = ManagedSecrets.RevisionOf(live);
        if (SecretRevisions.Annotation(live, DualValiditySecrets.RevealedAtAnnotation) is { } at)
        {
            var by = SecretRevisions.Annotation(live, DualValiditySecrets.RevealedByAnnotation) ?? "someone";
            return $"Revision {revision} of {target.Id} was already revealed, by {by} at {at}; a value is shown only once. Rotate {target.Id} again for a new one.";
        }

        if (SecretRevisions.Annotation(live, SecretRevisions.RolledBackByAnnotation) is not null)
        {
            return $"The last rotation of {target.Id} was rolled back, so there is no new value to reveal. Rotate it again.";
        }

        var rotatedAt = SecretRevisions.Annotation(live, SecretRevisions.RotatedAtAnnotation);
        var stale = DateTimeOffset.TryParse(rotatedAt, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var when)
            && when + AirbyteWebhooksKind.MaxGracePeriod < now;
        return Revealable(live, previousKey) && !stale
            ? null
            : $"Revision {revision} of {target.Id} was not written by a rotation still in its grace period, so it cannot be revealed; only a newly generated value can, once, until its grace period ends. Rotate {target.Id} to get one.";
    }

    private async Task<ServiceResult<RevealedSecret>> RefuseAsync(
        ServiceResult<RevealedSecret> refusal, string actor, string stack, string secret, string? reason, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var result = refusal.Status == ServiceStatus.Invalid ? $"refused: {string.Join("; ", refusal.Errors)}" : $"refused: {refusal.Message}";
        context.Audit.Add(Audit(actor, stack, secret, reason, result));
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return refusal;
    }

    private AuditRecord Audit(string actor, string stack, string secret, string? reason, string result) => new()
    {
        At = time.GetUtcNow(),
        Actor = actor,
        Action = Action,
        Stack = stack,
        Target = $"{stack}/{secret}",
        Reason = reason,
        Result = result,
    };
}
