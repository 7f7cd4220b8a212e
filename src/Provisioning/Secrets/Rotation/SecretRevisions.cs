using System.Globalization;
using System.Net;
using System.Text;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Clusters;

namespace Portal.Provisioning.Secrets.Rotation;

/// <summary>Revisions of a portal-managed opaque Secret (a relation's credentials, a component's secrets): a new value copies the
/// live data to <c>&lt;name&gt;-rev-&lt;n&gt;</c> and replaces the live Secret with revision n+1, annotated with when and by whom;
/// the last <see cref="TlsSecretRevisions.Kept"/> earlier revisions are kept (labelled like the TLS Secrets' kept revisions).</summary>
/// <remarks>
/// Every write is idempotent by the writing operation's id (<see cref="OperationAnnotation"/>): a redelivered step finds its
/// revision already live and writes nothing. Writes are read-modify-write with the resourceVersion as precondition; a lost race
/// reads again. The copy of the previous revision is written before the live Secret, so a crash in between leaves the old value
/// live and the copy ready for the retry. A value the portal has to make before it can be stored (a generated password that the
/// database gets first, an operator's value) waits in <c>&lt;name&gt;-pending</c>, keyed by the operation, never in the portal.
/// </remarks>
internal static class SecretRevisions
{
    public const string RotatedAtAnnotation = "portal.airbyte.io/rotated-at";
    public const string RotatedByAnnotation = "portal.airbyte.io/rotated-by";

    /// <summary>The operation that wrote the live revision (or the pending value).</summary>
    public const string OperationAnnotation = "portal.airbyte.io/secret-operation";

    /// <summary>On a live Secret an operation put back after its consumers failed: that operation's id, and what happened.</summary>
    public const string RolledBackByAnnotation = "portal.airbyte.io/rolled-back-by";

    public const string RollbackReasonAnnotation = "portal.airbyte.io/rollback-reason";

    private const int Attempts = 5;

    public static Task<V1Secret?> ReadAsync(IClusterGateway cluster, string @namespace, string name, CancellationToken cancellationToken) =>
        cluster.ReadAsync<V1Secret>("v1", "Secret", @namespace, name, cancellationToken);

    public static string? WrittenBy(V1Secret? secret) => Annotation(secret, OperationAnnotation);

    public static string? Annotation(V1Secret? secret, string annotation) =>
        secret?.Metadata.Annotations?.TryGetValue(annotation, out var value) == true ? value : null;

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> as the next revision of Secret <paramref name="name"/>
    /// (its other keys stay). The Secret must exist (a rotation changes what a deploy made).</summary>
    public static Task<InstalledRevision> InstallAsync(
        IClusterGateway cluster, string @namespace, string name, string key, string value, string writer, string actor, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        WriteAsync(cluster, @namespace, name, live =>
        {
            var data = new Dictionary<string, byte[]>(live.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal) { [key] = Encoding.UTF8.GetBytes(value) };
            return data;
        }, writer, actor, now, cancellationToken);

    /// <summary>Installs the data of kept revision <paramref name="revision"/> as the next revision (a roll-back, which can itself
    /// be rolled back). Null when that revision is not kept (any more).</summary>
    public static async Task<InstalledRevision?> RestoreAsync(
        IClusterGateway cluster, string @namespace, string name, int revision, string writer, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var live = await ReadAsync(cluster, @namespace, name, cancellationToken).ConfigureAwait(false);
        if (live is not null && WrittenBy(live) == writer)
        {
            return new InstalledRevision(ManagedSecrets.RevisionOf(live), false);
        }

        var kept = await ReadAsync(cluster, @namespace, ObjectNames.SecretRevision(name, revision), cancellationToken).ConfigureAwait(false);
        if (kept?.Data is null)
        {
            return null;
        }

        return await WriteAsync(cluster, @namespace, name, _ => new Dictionary<string, byte[]>(kept.Data, StringComparer.Ordinal), writer, actor, now, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Puts the revision before the one <paramref name="writer"/> installed back live, under its own number (so the
    /// consumers' pod templates return to what they were), and drops the failed revision. Returns the revision now live, or null
    /// when the live Secret was not written by <paramref name="writer"/> and not put back by it either.</summary>
    public static async Task<int?> PutBackAsync(
        IClusterGateway cluster, string @namespace, string name, string writer, string reason, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var live = await ReadAsync(cluster, @namespace, name, cancellationToken).ConfigureAwait(false);
            if (live is null)
            {
                return null;
            }

            var current = ManagedSecrets.RevisionOf(live);
            var copyName = ObjectNames.SecretRevision(name, current);
            if (Annotation(live, RolledBackByAnnotation) == writer)
            {
                await cluster.DeleteAsync("v1", "Secret", @namespace, copyName, cancellationToken).ConfigureAwait(false);
                return current;
            }

            if (WrittenBy(live) != writer)
            {
                return null;
            }

            var previous = current - 1;
            var kept = await ReadAsync(cluster, @namespace, ObjectNames.SecretRevision(name, previous), cancellationToken).ConfigureAwait(false);
            if (kept?.Data is null)
            {
                return null;
            }

            live.Data = new Dictionary<string, byte[]>(kept.Data, StringComparer.Ordinal);
            var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [PortalLabels.RevisionAnnotation] = previous.ToString(CultureInfo.InvariantCulture),
                [RolledBackByAnnotation] = writer,
                [RollbackReasonAnnotation] = reason.Length > 500 ? reason[..500] + "…" : reason,
            };
            foreach (var key in new[] { RotatedAtAnnotation, RotatedByAnnotation, OperationAnnotation })
            {
                if (Annotation(kept, key) is { } value)
                {
                    annotations[key] = value;
                }
            }

            live.Metadata.Annotations = annotations;
            if (await ManagedSecrets.ReplaceAsync(cluster, live, cancellationToken).ConfigureAwait(false) is not null)
            {
                await cluster.DeleteAsync("v1", "Secret", @namespace, ObjectNames.SecretRevision(name, previous), cancellationToken).ConfigureAwait(false);
                return previous;
            }
        }

        throw Busy(cluster, @namespace, name);
    }

    /// <summary>The value waiting for operation <paramref name="writer"/> in <paramref name="pendingName"/>; made by
    /// <paramref name="make"/> and stored first when there is none for this operation (a value another operation left is replaced).
    /// Null when <paramref name="make"/> is null and nothing waits.</summary>
    public static async Task<string?> PendingAsync(
        IClusterGateway cluster, string @namespace, string pendingName, string key, string writer, IReadOnlyDictionary<string, string> labels,
        Func<string>? make, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var existing = await ReadAsync(cluster, @namespace, pendingName, cancellationToken).ConfigureAwait(false);
            if (existing is not null && WrittenBy(existing) == writer && ManagedSecrets.Value(existing, key) is { Length: > 0 } waiting)
            {
                return waiting;
            }

            if (make is null)
            {
                return null;
            }

            var fresh = new V1Secret
            {
                ApiVersion = "v1",
                Kind = "Secret",
                Type = "Opaque",
                Metadata = new V1ObjectMeta
                {
                    Name = pendingName,
                    NamespaceProperty = @namespace,
                    Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
                    Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [OperationAnnotation] = writer },
                },
                Data = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [key] = Encoding.UTF8.GetBytes(make()) },
            };
            if (existing is null)
            {
                await cluster.CreateSecretIfAbsentAsync(fresh, cancellationToken).ConfigureAwait(false);
                continue;
            }

            existing.Data = fresh.Data;
            existing.Metadata.Annotations = fresh.Metadata.Annotations;
            await ManagedSecrets.ReplaceAsync(cluster, existing, cancellationToken).ConfigureAwait(false);
        }

        throw Busy(cluster, @namespace, pendingName);
    }

    /// <summary>The labels of a Secret without the kept-revision label, for the Secrets made next to it.</summary>
    public static Dictionary<string, string> LabelsOf(V1Secret secret) =>
        (secret.Metadata.Labels ?? new Dictionary<string, string>()).Where(l => l.Key != TlsSecretRevisions.RevisionOfLabel)
        .ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);

    internal static async Task<InstalledRevision> WriteAsync(
        IClusterGateway cluster, string @namespace, string name, Func<V1Secret, Dictionary<string, byte[]>> data, string writer, string actor, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var live = await ReadAsync(cluster, @namespace, name, cancellationToken).ConfigureAwait(false)
                ?? throw new ClusterException($"Secret {@namespace}/{name} does not exist on cluster {cluster.Name}; deploy the stack before rotating it.", HttpStatusCode.NotFound, transient: false);
            var labels = LabelsOf(live);
            ManagedSecrets.EnsureOurs(cluster, live, new SecretRecipe(@namespace, name, labels, new Dictionary<string, string>(), new Dictionary<string, Func<string>>()));
            var current = ManagedSecrets.RevisionOf(live);
            if (WrittenBy(live) == writer)
            {
                return new InstalledRevision(current, false);
            }

            await KeepAsync(cluster, live, current, labels, now, cancellationToken).ConfigureAwait(false);
            live.Data = data(live);
            live.Metadata.Annotations = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [PortalLabels.RevisionAnnotation] = (current + 1).ToString(CultureInfo.InvariantCulture),
                [RotatedAtAnnotation] = now.ToString("O", CultureInfo.InvariantCulture),
                [RotatedByAnnotation] = actor,
                [OperationAnnotation] = writer,
            };
            if (await ManagedSecrets.ReplaceAsync(cluster, live, cancellationToken).ConfigureAwait(false) is not null)
            {
                foreach (var old in (await TlsSecretRevisions.KeptAsync(cluster, @namespace, name, cancellationToken).ConfigureAwait(false)).Skip(TlsSecretRevisions.Kept))
                {
                    await cluster.DeleteAsync("v1", "Secret", @namespace, old.Metadata.Name, cancellationToken).ConfigureAwait(false);
                }

                return new InstalledRevision(current + 1, true);
            }
        }

        throw Busy(cluster, @namespace, name);
    }

    // Copies the live data to <name>-rev-<n> (again, when a crashed attempt left a copy: the live Secret is still revision n).
    internal static async Task KeepAsync(
        IClusterGateway cluster, V1Secret live, int revision, IReadOnlyDictionary<string, string> labels, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ns = live.Metadata.NamespaceProperty;
        var name = ObjectNames.SecretRevision(live.Metadata.Name, revision);
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [PortalLabels.RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture),
            [TlsSecretRevisions.ReplacedAtAnnotation] = now.ToString("O", CultureInfo.InvariantCulture),
        };
        foreach (var key in new[] { RotatedAtAnnotation, RotatedByAnnotation, OperationAnnotation })
        {
            if (Annotation(live, key) is { } value)
            {
                annotations[key] = value;
            }
        }

        var copy = new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = live.Type ?? "Opaque",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal) { [TlsSecretRevisions.RevisionOfLabel] = live.Metadata.Name },
                Annotations = annotations,
            },
            Data = new Dictionary<string, byte[]>(live.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal),
        };
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var existing = await cluster.CreateSecretIfAbsentAsync(copy, cancellationToken).ConfigureAwait(false);
            if (SameData(existing, copy))
            {
                return;
            }

            existing.Data = copy.Data;
            existing.Metadata.Labels = copy.Metadata.Labels;
            existing.Metadata.Annotations = annotations;
            if (await ManagedSecrets.ReplaceAsync(cluster, existing, cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }
        }

        throw Busy(cluster, ns, name);
    }

    private static bool SameData(V1Secret a, V1Secret b)
    {
        var left = a.Data ?? new Dictionary<string, byte[]>();
        var right = b.Data ?? new Dictionary<string, byte[]>();
        return left.Count == right.Count && left.All(p => right.TryGetValue(p.Key, out var other) && p.Value.AsSpan().SequenceEqual(other));
    }

    private static ClusterException Busy(IClusterGateway cluster, string @namespace, string name) =>
        new($"Cluster {cluster.Name} kept changing Secret {@namespace}/{name} while the portal rotated it; the step tries again.", HttpStatusCode.Conflict, transient: true);
}
