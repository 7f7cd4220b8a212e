using System.Globalization;
using System.Net;
using System.Text;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Secrets.Inventory;

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
/// <para>Every write also counts the revision of the secret it changed (<see cref="SecretAnnotations"/>: <c>revision.&lt;secret&gt;</c>,
/// <c>rotated-at.&lt;secret&gt;</c>, <c>rotated-by.&lt;secret&gt;</c>), so a Secret that holds several secrets (the OAuth2 Proxy's
/// cookie and client secret) says which one changed; the overloads without a secret name use the key as its name. Other
/// annotations of the live Secret (its rotation policies) stay.</para>
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
        InstallAsync(cluster, @namespace, name, key, value, key, writer, actor, now, cancellationToken);

    /// <summary>As <see cref="InstallAsync(IClusterGateway, string, string, string, string, string, string, DateTimeOffset, CancellationToken)"/>,
    /// counting the new revision for the secret <paramref name="secret"/> (its inventory name, e.g. <c>airbyte-db</c> for the
    /// password in <c>airbyte-db-relation</c>).</summary>
    public static Task<InstalledRevision> InstallAsync(
        IClusterGateway cluster, string @namespace, string name, string key, string value, string secret, string writer, string actor, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        WriteAsync(cluster, @namespace, name, live =>
        {
            var data = new Dictionary<string, byte[]>(live.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal) { [key] = Encoding.UTF8.GetBytes(value) };
            return (data, [(secret, [key])]);
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

        return await WriteAsync(
            cluster, @namespace, name,
            current => (new Dictionary<string, byte[]>(kept.Data, StringComparer.Ordinal), Changed(current.Data, kept.Data).Select(k => (k, (IReadOnlyList<string>)[k])).ToList()),
            writer, actor, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Installs the values of <paramref name="keys"/> from kept revision <paramref name="revision"/> as the next revision of
    /// the Secret, leaving its other keys as they are live (a roll-back of one secret of a shared Secret), and counts a new revision
    /// of <paramref name="secret"/>. Null when that revision is not kept (any more) or holds none of the keys.</summary>
    public static async Task<InstalledRevision?> RestoreAsync(
        IClusterGateway cluster, string @namespace, string name, int revision, IReadOnlyList<string> keys, string secret, string writer, string actor,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var live = await ReadAsync(cluster, @namespace, name, cancellationToken).ConfigureAwait(false);
        if (live is not null && WrittenBy(live) == writer)
        {
            return new InstalledRevision(ManagedSecrets.RevisionOf(live), false);
        }

        var kept = await ReadAsync(cluster, @namespace, ObjectNames.SecretRevision(name, revision), cancellationToken).ConfigureAwait(false);
        if (kept?.Data is null || !keys.Any(kept.Data.ContainsKey))
        {
            return null;
        }

        return await WriteAsync(cluster, @namespace, name, current =>
        {
            var data = new Dictionary<string, byte[]>(current.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal);
            foreach (var key in keys.Where(kept.Data.ContainsKey))
            {
                data[key] = kept.Data[key];
            }

            return (data, [(secret, keys)]);
        }, writer, actor, now, cancellationToken).ConfigureAwait(false);
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
            var annotations = Others(live);
            foreach (var (key, value) in kept.Metadata.Annotations ?? new Dictionary<string, string>())
            {
                if (IsRevisionState(key))
                {
                    annotations[key] = value;
                }
            }

            annotations[PortalLabels.RevisionAnnotation] = previous.ToString(CultureInfo.InvariantCulture);
            annotations[RolledBackByAnnotation] = writer;
            annotations[RollbackReasonAnnotation] = reason.Length > 500 ? reason[..500] + "…" : reason;
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
        IClusterGateway cluster, string @namespace, string name, Func<V1Secret, (Dictionary<string, byte[]> Data, IReadOnlyList<(string Secret, IReadOnlyList<string> Keys)> Secrets)> change, string writer,
        string actor, DateTimeOffset now, CancellationToken cancellationToken)
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
            var (data, secrets) = change(live);
            var annotations = Others(live);
            foreach (var (key, value) in live.Metadata.Annotations ?? new Dictionary<string, string>())
            {
                if (IsRevisionState(key) && key is not RolledBackByAnnotation and not RollbackReasonAnnotation)
                {
                    annotations[key] = value;
                }
            }

            var at = now.ToString("O", CultureInfo.InvariantCulture);
            if (secrets.Count > 0 && !annotations.ContainsKey(SecretAnnotations.RevisionBase))
            {
                annotations[SecretAnnotations.RevisionBase] = current.ToString(CultureInfo.InvariantCulture);
            }

            foreach (var (secret, keys) in secrets)
            {
                var own = SecretAnnotations.SecretRevision(live, secret, keys);
                annotations[SecretAnnotations.PerSecret(SecretAnnotations.Revision, secret)] = (own + 1).ToString(CultureInfo.InvariantCulture);
                annotations[SecretAnnotations.PerSecret(RotatedAtAnnotation, secret)] = at;
                annotations[SecretAnnotations.PerSecret(RotatedByAnnotation, secret)] = actor;
            }

            annotations[PortalLabels.RevisionAnnotation] = (current + 1).ToString(CultureInfo.InvariantCulture);
            annotations[RotatedAtAnnotation] = at;
            annotations[RotatedByAnnotation] = actor;
            annotations[OperationAnnotation] = writer;
            live.Data = data;
            live.Metadata.Annotations = annotations;
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
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in live.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (IsRevisionState(key) && key is not RolledBackByAnnotation and not RollbackReasonAnnotation)
            {
                annotations[key] = value;
            }
        }

        annotations[PortalLabels.RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture);
        annotations[TlsSecretRevisions.ReplacedAtAnnotation] = now.ToString("O", CultureInfo.InvariantCulture);

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

    // The annotations that describe a revision (who wrote it, when, its per-secret counters), which a write replaces and a kept copy
    // carries; the others (rotation policies, anything else on the Secret) stay as they are live.
    private static bool IsRevisionState(string key) =>
        key is PortalLabels.RevisionAnnotation or SecretAnnotations.RevisionBase or RotatedAtAnnotation or RotatedByAnnotation or OperationAnnotation
            or RolledBackByAnnotation or RollbackReasonAnnotation
        || key.StartsWith(SecretAnnotations.Revision + ".", StringComparison.Ordinal)
        || key.StartsWith(RotatedAtAnnotation + ".", StringComparison.Ordinal)
        || key.StartsWith(RotatedByAnnotation + ".", StringComparison.Ordinal);

    private static Dictionary<string, string> Others(V1Secret live) =>
        (live.Metadata.Annotations ?? new Dictionary<string, string>()).Where(a => !IsRevisionState(a.Key))
        .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);

    // The keys whose values differ between two revisions' data (a whole-Secret restore counts a new revision for each).
    private static List<string> Changed(IDictionary<string, byte[]>? before, IDictionary<string, byte[]> after)
    {
        var from = before ?? new Dictionary<string, byte[]>();
        return after.Keys.Union(from.Keys, StringComparer.Ordinal)
            .Where(k => !(from.TryGetValue(k, out var a) && after.TryGetValue(k, out var b) && a.AsSpan().SequenceEqual(b)))
            .Order(StringComparer.Ordinal).ToList();
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
