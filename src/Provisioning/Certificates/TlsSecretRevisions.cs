using System.Globalization;
using System.Net;
using System.Text;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Certificates;

/// <summary>A certificate chain, its key and the issuing CA: what a <c>kubernetes.io/tls</c> Secret holds. Holds a private key.</summary>
internal sealed record TlsMaterial(string CertificateChainPem, string PrivateKeyPem, string? CaCertificatePem)
{
    public static TlsMaterial From(IssuedCertificate issued) => new(issued.CertificateChainPem, issued.PrivateKeyPem, issued.CaCertificatePem);

    /// <summary>The material of a TLS Secret, or null when it lacks <c>tls.crt</c> or <c>tls.key</c>.</summary>
    public static TlsMaterial? Of(V1Secret secret) =>
        ManagedSecrets.Value(secret, TlsSecretRevisions.CertificateKey) is { } certificate && ManagedSecrets.Value(secret, TlsSecretRevisions.KeyKey) is { } key
            ? new TlsMaterial(certificate, key, ManagedSecrets.Value(secret, TlsSecretRevisions.CaKey))
            : null;

    public override string ToString() => "TlsMaterial { key redacted }";
}

/// <summary>What an install did: the revision now live, and whether this call wrote it (false when a repeated step found its
/// own revision already installed).</summary>
internal sealed record InstalledRevision(int Revision, bool Wrote);

/// <summary>Revisions of a hostname's TLS Secret (<see cref="ObjectNames.TlsSecret"/>): installing new material copies the live
/// data to <c>&lt;name&gt;-rev-&lt;n&gt;</c> and replaces the live Secret with revision n+1; the last <see cref="Kept"/> earlier
/// revisions are kept, so a certificate can be rolled back.</summary>
/// <remarks>
/// The live Secret's annotations say where its certificate came from, which operation wrote it, and how the last issuance
/// attempt went (time, failures in a row, error: a sentence, never key material). An install is idempotent: when the live Secret
/// already carries the writer's id, a redelivered step writes nothing. Writes are read-modify-write with the resourceVersion as
/// precondition (<see cref="ManagedSecrets.ReplaceAsync"/>); a lost race reads again. The revision copy is written before the
/// live Secret, so a crash in between leaves the old certificate live and the copy ready for the retry.
/// </remarks>
internal static class TlsSecretRevisions
{
    public const string CertificateKey = "tls.crt";
    public const string KeyKey = "tls.key";
    public const string CaKey = "ca.crt";
    public const string TlsType = "kubernetes.io/tls";

    /// <summary>How many earlier revisions are kept.</summary>
    public const int Kept = 3;

    /// <summary>Label of a kept revision: the live Secret's name.</summary>
    public const string RevisionOfLabel = "portal.airbyte.io/revision-of";

    public const string SourceAnnotation = "portal.airbyte.io/certificate-source";
    public const string OperationAnnotation = "portal.airbyte.io/certificate-operation";
    public const string AttemptAtAnnotation = "portal.airbyte.io/certificate-attempt-at";
    public const string FailuresAnnotation = "portal.airbyte.io/certificate-failures";
    public const string ErrorAnnotation = "portal.airbyte.io/certificate-error";

    /// <summary>On a kept revision: when it stopped being live.</summary>
    public const string ReplacedAtAnnotation = "portal.airbyte.io/replaced-at";

    private const int Attempts = 5;

    /// <summary>Where an uploaded certificate waits for its operation: <c>&lt;tls secret&gt;-upload-&lt;first 8 of the operation id&gt;</c>.</summary>
    public static string UploadSecretName(string host, Guid operationId) =>
        $"{ObjectNames.TlsSecret(host)}-upload-{operationId.ToString("N", CultureInfo.InvariantCulture)[..8]}";
    private const int MaxErrorLength = 500;

    /// <summary>Installs <paramref name="material"/> as the next revision of the hostname's TLS Secret (revision 1 when there is none).</summary>
    /// <param name="writer">The id of what writes it (the operation): a live Secret already written by it is left as it is.</param>
    /// <param name="labels">The labels of the live Secret (stack, component, relation); kept revisions get them too.</param>
    public static async Task<InstalledRevision> InstallAsync(
        IClusterGateway cluster, string @namespace, string host, TlsMaterial material, CertificateSource source, string writer,
        IReadOnlyDictionary<string, string> labels, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var name = ObjectNames.TlsSecret(host);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var live = await ReadAsync(cluster, @namespace, name, cancellationToken).ConfigureAwait(false);
            if (live is null)
            {
                var fresh = Live(@namespace, name, labels, material, source, writer, 1, now);
                var created = await cluster.CreateSecretIfAbsentAsync(fresh, cancellationToken).ConfigureAwait(false);
                if (WrittenBy(created) == writer)
                {
                    return new InstalledRevision(1, true);
                }

                // Someone else created it between the read and the create: install over theirs on the next round.
                continue;
            }

            EnsureOurs(cluster, live, labels);
            var current = ManagedSecrets.RevisionOf(live);
            if (WrittenBy(live) == writer)
            {
                return new InstalledRevision(current, false);
            }

            await KeepAsync(cluster, live, current, labels, now, cancellationToken).ConfigureAwait(false);
            var next = Live(@namespace, name, labels, material, source, writer, current + 1, now);
            live.Type = TlsType;
            live.Data = next.Data;
            live.Metadata.Annotations = next.Metadata.Annotations;
            foreach (var (key, value) in labels)
            {
                live.Metadata.Labels[key] = value;
            }

            if (await ManagedSecrets.ReplaceAsync(cluster, live, cancellationToken).ConfigureAwait(false) is not null)
            {
                await PruneAsync(cluster, @namespace, name, cancellationToken).ConfigureAwait(false);
                return new InstalledRevision(current + 1, true);
            }
        }

        throw Busy(cluster, @namespace, name);
    }

    /// <summary>Installs the material of kept revision <paramref name="revision"/> as the next revision (a roll-back, which can
    /// itself be rolled back). Null when that revision is not kept (any more).</summary>
    public static async Task<InstalledRevision?> RestoreAsync(
        IClusterGateway cluster, string @namespace, string host, int revision, string writer, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var name = ObjectNames.TlsSecret(host);
        var live = await ReadAsync(cluster, @namespace, name, cancellationToken).ConfigureAwait(false);
        if (live is not null && WrittenBy(live) == writer)
        {
            return new InstalledRevision(ManagedSecrets.RevisionOf(live), false);
        }

        var kept = await ReadAsync(cluster, @namespace, ObjectNames.SecretRevision(name, revision), cancellationToken).ConfigureAwait(false);
        if (kept is null || TlsMaterial.Of(kept) is not { } material)
        {
            return null;
        }

        var labels = (live ?? kept).Metadata.Labels.Where(l => l.Key != RevisionOfLabel).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
        return await InstallAsync(cluster, @namespace, host, material, SourceOf(kept) ?? CertificateSource.Manual, writer, labels, now, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Records a failed issuance on the live Secret (time, one more failure in a row, the error); the certificate stays.
    /// Does nothing when there is no live Secret yet.</summary>
    public static async Task RecordFailureAsync(
        IClusterGateway cluster, string @namespace, string host, string error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var name = ObjectNames.TlsSecret(host);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var live = await ReadAsync(cluster, @namespace, name, cancellationToken).ConfigureAwait(false);
            if (live is null)
            {
                return;
            }

            live.Metadata.Annotations ??= new Dictionary<string, string>(StringComparer.Ordinal);
            live.Metadata.Annotations[AttemptAtAnnotation] = now.ToString("O", CultureInfo.InvariantCulture);
            live.Metadata.Annotations[FailuresAnnotation] = (FailuresOf(live) + 1).ToString(CultureInfo.InvariantCulture);
            live.Metadata.Annotations[ErrorAnnotation] = error.Length > MaxErrorLength ? error[..MaxErrorLength] + "…" : error;
            if (await ManagedSecrets.ReplaceAsync(cluster, live, cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }
        }

        throw Busy(cluster, @namespace, name);
    }

    /// <summary>The kept revisions of a TLS Secret, newest first.</summary>
    public static async Task<IReadOnlyList<V1Secret>> KeptAsync(IClusterGateway cluster, string @namespace, string name, CancellationToken cancellationToken)
    {
        var listed = await cluster.ListAsync("v1", "Secret", @namespace, $"{RevisionOfLabel}={name}", cancellationToken).ConfigureAwait(false);
        return listed.OfType<V1Secret>().Where(s => s.Metadata.DeletionTimestamp is null).OrderByDescending(ManagedSecrets.RevisionOf).ToList();
    }

    public static Task<V1Secret?> ReadAsync(IClusterGateway cluster, string @namespace, string name, CancellationToken cancellationToken) =>
        cluster.ReadAsync<V1Secret>("v1", "Secret", @namespace, name, cancellationToken);

    public static string? WrittenBy(V1Secret secret) => Annotation(secret, OperationAnnotation);

    public static CertificateSource? SourceOf(V1Secret secret) =>
        Enum.TryParse<CertificateSource>(Annotation(secret, SourceAnnotation), ignoreCase: false, out var source) ? source : null;

    public static int FailuresOf(V1Secret secret) =>
        int.TryParse(Annotation(secret, FailuresAnnotation), NumberStyles.None, CultureInfo.InvariantCulture, out var failures) ? failures : 0;

    public static DateTimeOffset? Time(V1Secret secret, string annotation) =>
        DateTimeOffset.TryParse(Annotation(secret, annotation), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) ? at : null;

    public static string? Annotation(V1Secret secret, string annotation) =>
        secret.Metadata.Annotations?.TryGetValue(annotation, out var value) == true ? value : null;

    // Copies the live data to <name>-rev-<n> (again, when a crashed attempt left a copy: the live Secret is still revision n).
    private static async Task KeepAsync(
        IClusterGateway cluster, V1Secret live, int revision, IReadOnlyDictionary<string, string> labels, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ns = live.Metadata.NamespaceProperty;
        var name = ObjectNames.SecretRevision(live.Metadata.Name, revision);
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [PortalLabels.RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture),
            [ReplacedAtAnnotation] = now.ToString("O", CultureInfo.InvariantCulture),
        };
        foreach (var key in new[] { SourceAnnotation, OperationAnnotation })
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
            Type = TlsType,
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal) { [RevisionOfLabel] = live.Metadata.Name },
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
            existing.Type = TlsType;
            existing.Metadata.Labels = copy.Metadata.Labels;
            existing.Metadata.Annotations = annotations;
            if (await ManagedSecrets.ReplaceAsync(cluster, existing, cancellationToken).ConfigureAwait(false) is not null)
            {
                return;
            }
        }

        throw Busy(cluster, ns, name);
    }

    private static async Task PruneAsync(IClusterGateway cluster, string @namespace, string name, CancellationToken cancellationToken)
    {
        foreach (var old in (await KeptAsync(cluster, @namespace, name, cancellationToken).ConfigureAwait(false)).Skip(Kept))
        {
            await cluster.DeleteAsync("v1", "Secret", @namespace, old.Metadata.Name, cancellationToken).ConfigureAwait(false);
        }
    }

    private static V1Secret Live(
        string @namespace, string name, IReadOnlyDictionary<string, string> labels, TlsMaterial material, CertificateSource source, string writer, int revision, DateTimeOffset now)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [CertificateKey] = Encoding.UTF8.GetBytes(material.CertificateChainPem),
            [KeyKey] = Encoding.UTF8.GetBytes(material.PrivateKeyPem),
        };
        if (material.CaCertificatePem is { } ca)
        {
            data[CaKey] = Encoding.UTF8.GetBytes(ca);
        }

        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = TlsType,
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = @namespace,
                Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
                Annotations = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [PortalLabels.RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture),
                    [SourceAnnotation] = source.ToString(),
                    [OperationAnnotation] = writer,
                    [AttemptAtAnnotation] = now.ToString("O", CultureInfo.InvariantCulture),
                    [FailuresAnnotation] = "0",
                },
            },
            Data = data,
        };
    }

    private static bool SameData(V1Secret a, V1Secret b)
    {
        var left = a.Data ?? new Dictionary<string, byte[]>();
        var right = b.Data ?? new Dictionary<string, byte[]>();
        return left.Count == right.Count && left.All(p => right.TryGetValue(p.Key, out var other) && p.Value.AsSpan().SequenceEqual(other));
    }

    private static void EnsureOurs(IClusterGateway cluster, V1Secret existing, IReadOnlyDictionary<string, string> labels) =>
        ManagedSecrets.EnsureOurs(cluster, existing, new SecretRecipe(
            existing.Metadata.NamespaceProperty, existing.Metadata.Name, labels, new Dictionary<string, string>(), new Dictionary<string, Func<string>>()));

    private static ClusterException Busy(IClusterGateway cluster, string @namespace, string name) =>
        new($"Cluster {cluster.Name} kept changing Secret {@namespace}/{name} while the portal installed a certificate; the step tries again.", HttpStatusCode.Conflict, transient: true);
}
