using System.Globalization;
using System.Net;
using k8s.Models;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Infrastructure;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Rendering.Kinds;

namespace Portal.Provisioning.Secrets.Rotation;

/// <summary>Revisions of a dual-validity secret (the webhook signing secret): a rotation stores the new value under its key and the
/// value it replaces under the previous key, so senders may sign with either during the grace period; then the previous key is
/// dropped as one more revision.</summary>
/// <remarks>Both writes are idempotent: the rotation by the writing operation (<see cref="SecretRevisions.OperationAnnotation"/>),
/// the drop by the previous key being gone. The grace period runs from the rotation's <see cref="SecretRevisions.RotatedAtAnnotation"/>,
/// read from the cluster on every run, so a restarted portal waits for the same end.</remarks>
internal static class DualValiditySecrets
{
    /// <summary>On the live Secret: when and by whom its generated value was revealed (once per revision).</summary>
    public const string RevealedAtAnnotation = "portal.airbyte.io/revealed-at";

    public const string RevealedByAnnotation = "portal.airbyte.io/revealed-by";

    /// <summary>On a revision without the previous value: when the previous value was dropped.</summary>
    public const string PreviousDroppedAtAnnotation = "portal.airbyte.io/previous-dropped-at";

    private const int Attempts = 5;

    /// <summary>A new webhook signing secret, as a deploy makes it (64 characters).</summary>
    public static string NewSigningSecret() => PasswordGenerator.Generate(64);

    /// <summary>The key the previous value is kept under during the grace period.</summary>
    public static string PreviousKey(RotatableSecret secret) => secret.Key == WebhooksRenderer.SigningSecretKey ? WebhooksRenderer.PreviousSigningSecretKey : $"{secret.Key}-previous";

    /// <summary>The grace period of the secret's owner (its <c>signing-secret-grace-period</c> option).</summary>
    public static TimeSpan GraceOf(StackSpec stack, ComponentCatalog catalog, RotatableSecret secret)
    {
        var component = stack.Component(secret.Owner);
        return AirbyteWebhooksKind.GracePeriod(component.Get(catalog.Get(component.Kind), AirbyteWebhooksKind.GracePeriodOption));
    }

    /// <summary>When the grace period of the live revision ends, or null when it holds no previous value or no rotation time.</summary>
    public static DateTimeOffset? GraceEnd(V1Secret live, string previousKey, TimeSpan grace) =>
        live.Data?.ContainsKey(previousKey) == true
        && DateTimeOffset.TryParse(SecretRevisions.Annotation(live, SecretRevisions.RotatedAtAnnotation), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at + grace
            : null;

    /// <summary>Stores <paramref name="value"/> under the secret's key as the next revision, with the value it replaces under the
    /// previous key (a value still kept from an earlier rotation is replaced: only the last one stays valid).</summary>
    public static Task<InstalledRevision> InstallAsync(
        IClusterGateway cluster, string @namespace, RotatableSecret secret, string value, string writer, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var previousKey = PreviousKey(secret);
        return SecretRevisions.WriteAsync(cluster, @namespace, secret.SecretName, live =>
        {
            var data = new Dictionary<string, byte[]>(live.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal);
            if (data.TryGetValue(secret.Key, out var current))
            {
                data[previousKey] = current;
            }

            data[secret.Key] = System.Text.Encoding.UTF8.GetBytes(value);
            return (data, [(secret.Name, [secret.Key])]);
        }, writer, actor, now, cancellationToken);
    }

    /// <summary>Removes the previous key from the live Secret as its next revision (the rotation's date and author stay: the value did
    /// not change). Returns the live revision and whether this call wrote it; nothing is written when the previous key is gone.</summary>
    public static async Task<InstalledRevision> DropPreviousAsync(
        IClusterGateway cluster, string @namespace, RotatableSecret secret, string writer, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var previousKey = PreviousKey(secret);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var live = await SecretRevisions.ReadAsync(cluster, @namespace, secret.SecretName, cancellationToken).ConfigureAwait(false)
                ?? throw new ClusterException($"Secret {@namespace}/{secret.SecretName} does not exist on cluster {cluster.Name}.", HttpStatusCode.NotFound, transient: false);
            var current = ManagedSecrets.RevisionOf(live);
            if (live.Data?.ContainsKey(previousKey) != true)
            {
                return new InstalledRevision(current, false);
            }

            var labels = SecretRevisions.LabelsOf(live);
            ManagedSecrets.EnsureOurs(cluster, live, new SecretRecipe(@namespace, secret.SecretName, labels, new Dictionary<string, string>(), new Dictionary<string, Func<string>>()));
            await SecretRevisions.KeepAsync(cluster, live, current, labels, now, cancellationToken).ConfigureAwait(false);
            live.Data = new Dictionary<string, byte[]>(live.Data.Where(d => d.Key != previousKey), StringComparer.Ordinal);
            // Every annotation stays (the rotation's date and author, the policy, the per-secret revision): the value did not change.
            var annotations = new Dictionary<string, string>(live.Metadata.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                [PortalLabels.RevisionAnnotation] = (current + 1).ToString(CultureInfo.InvariantCulture),
                [SecretRevisions.OperationAnnotation] = writer,
                [PreviousDroppedAtAnnotation] = now.ToString("O", CultureInfo.InvariantCulture),
            };
            annotations.Remove(SecretRevisions.RolledBackByAnnotation);
            annotations.Remove(SecretRevisions.RollbackReasonAnnotation);
            live.Metadata.Annotations = annotations;
            if (await ManagedSecrets.ReplaceAsync(cluster, live, cancellationToken).ConfigureAwait(false) is not null)
            {
                foreach (var old in (await TlsSecretRevisions.KeptAsync(cluster, @namespace, secret.SecretName, cancellationToken).ConfigureAwait(false)).Skip(TlsSecretRevisions.Kept))
                {
                    await cluster.DeleteAsync("v1", "Secret", @namespace, old.Metadata.Name, cancellationToken).ConfigureAwait(false);
                }

                return new InstalledRevision(current + 1, true);
            }
        }

        throw new ClusterException(
            $"Cluster {cluster.Name} kept changing Secret {@namespace}/{secret.SecretName} while the portal dropped its previous value; the step tries again.",
            HttpStatusCode.Conflict, transient: true);
    }
}

/// <summary>Drops the previous value of a dual-validity secret as a new revision, in the operation the scheduler starts once the grace
/// period is over. Should it run earlier (a clock moved back), it waits for the end, persisted with the step (looked at again then,
/// no attempt spent), so the wait survives a restart; a redelivery after the drop writes nothing.</summary>
internal sealed class DropPreviousSecretHandler(SecretRotationSteps steps) : IStepHandler
{
    public StepKind Kind => StepKind.DropPreviousSecret;

    public async Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var (secret, failure) = steps.SecretOf(execution);
        if (secret is null)
        {
            return failure!;
        }

        if (secret.Method != RotationMethod.DualValidity)
        {
            return StepOutcome.Fail($"{secret.Id} has no previous value to drop: only a dual-validity secret keeps one", permanent: true);
        }

        var stack = execution.Target;
        var cluster = steps.Cluster(execution);
        var writer = SecretRotationSteps.Writer(execution);
        var previousKey = DualValiditySecrets.PreviousKey(secret);
        var live = await SecretRevisions.ReadAsync(cluster, stack.Namespace, secret.SecretName, cancellationToken).ConfigureAwait(false);
        if (live is null)
        {
            return StepOutcome.Fail($"Secret {secret.SecretName} does not exist any more", permanent: true);
        }

        if (live.Data?.ContainsKey(previousKey) != true)
        {
            return StepOutcome.Ok($"Secret {secret.SecretName} holds no previous value (revision {ManagedSecrets.RevisionOf(live)}): only the new one is accepted");
        }

        var grace = DualValiditySecrets.GraceOf(stack, steps.Tools.Catalog, secret);
        var now = steps.Tools.Time.GetUtcNow();
        var end = DualValiditySecrets.GraceEnd(live, previousKey, grace) ?? now;
        if (now < end)
        {
            return StepOutcome.Wait(
                $"the grace period ({Domain.Secrets.SecretRotationPlans.GraceText(grace)}) to end at {end.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC; "
                + "until then both signing secrets are accepted", end);
        }

        var dropped = await DualValiditySecrets.DropPreviousAsync(cluster, stack.Namespace, secret, writer, now, cancellationToken).ConfigureAwait(false);
        return StepOutcome.Ok($"removed {previousKey} from Secret {secret.SecretName} as revision {dropped.Revision}: only the new signing secret is accepted");
    }
}
