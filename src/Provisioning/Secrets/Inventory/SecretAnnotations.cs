using System.Globalization;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Provisioning.Certificates;

namespace Portal.Provisioning.Secrets.Inventory;

/// <summary>The annotations on a portal-managed Kubernetes Secret that the secret inventory reads and rotations write.</summary>
/// <remarks>A Kubernetes Secret that holds more than one secret of the inventory (<c>oauth2-proxy-secrets</c> holds the client and
/// the cookie secret) carries per-secret annotations, the annotation name followed by <c>.&lt;secret&gt;</c>
/// (<c>portal.airbyte.io/rotation-policy.cookie-secret</c>); <see cref="Read"/> prefers the per-secret one and falls back to the
/// plain one, so a rotation may write either. Times are ISO 8601 (round-trip, UTC). Kept revisions are Secrets named
/// <c>&lt;name&gt;-rev-&lt;n&gt;</c> labelled <see cref="RevisionOfLabel"/> = the live Secret's name, as for TLS Secrets.
/// <para>Revisions are per secret too: the Kubernetes Secret's own revision (<see cref="PortalLabels.RevisionAnnotation"/>, which the
/// consumers' pod templates name so that they roll) goes up with every write, while <c>portal.airbyte.io/revision.&lt;secret&gt;</c>
/// goes up only when that secret's value is written. A secret without its own counter has been at <see cref="RevisionBase"/> since
/// the first per-secret write, or at the Secret's revision when there was none yet. Rotations and roll-backs write
/// <c>rotated-at.&lt;secret&gt;</c> and <c>rotated-by.&lt;secret&gt;</c> next to the plain ones (which say who wrote the Secret last).</para></remarks>
internal static class SecretAnnotations
{
    /// <summary>When the live revision was written by a rotation or roll-back.</summary>
    public const string RotatedAt = "portal.airbyte.io/rotated-at";

    /// <summary>Who rotated it: the operator's name, or the scheduler's actor for a rotation by policy.</summary>
    public const string RotatedBy = "portal.airbyte.io/rotated-by";

    /// <summary>The rotation policy: never, daily, weekly, monthly, quarterly or yearly (never when absent).</summary>
    public const string RotationPolicy = "portal.airbyte.io/rotation-policy";

    /// <summary>Label of a kept revision: the live Secret's name (the scheme of <see cref="TlsSecretRevisions"/>).</summary>
    public const string RevisionOfLabel = TlsSecretRevisions.RevisionOfLabel;

    /// <summary>How many earlier revisions are kept.</summary>
    public const int Kept = TlsSecretRevisions.Kept;

    /// <summary>The Kubernetes Secret's revision; its per-secret form (<see cref="PerSecret"/>) counts one secret's values.</summary>
    public const string Revision = PortalLabels.RevisionAnnotation;

    /// <summary>The Secret's revision when its first per-secret revision was written: the revision of every secret in it that has no
    /// counter of its own.</summary>
    public const string RevisionBase = "portal.airbyte.io/revision-base";

    /// <summary>The per-secret form of an annotation, for a Kubernetes Secret shared by several secrets.</summary>
    public static string PerSecret(string annotation, string secretName) => $"{annotation}.{secretName}";

    /// <summary>The annotation for <paramref name="secretName"/>: its per-secret form, else the plain one; null when neither is there.</summary>
    public static string? Read(V1Secret secret, string annotation, string secretName)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var annotations = secret.Metadata?.Annotations;
        if (annotations is null)
        {
            return null;
        }

        return annotations.TryGetValue(PerSecret(annotation, secretName), out var own) ? own
            : annotations.TryGetValue(annotation, out var shared) ? shared
            : null;
    }

    /// <summary>A time annotation, or null when absent or unreadable.</summary>
    public static DateTimeOffset? Time(V1Secret secret, string annotation, string secretName) =>
        Read(secret, annotation, secretName) is { } text
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : null;

    /// <summary>The revision of the secret <paramref name="secretName"/> (held under <paramref name="keys"/>) in <paramref name="secret"/>:
    /// the highest of its own counter and its keys' (a writer that knew only the key), else <see cref="RevisionBase"/>, else
    /// the Secret's revision.</summary>
    public static int SecretRevision(V1Secret secret, string secretName, IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return OwnName(secret, secretName, keys) is { } own ? Number(secret, PerSecret(Revision, own))!.Value
            : Number(secret, RevisionBase) ?? Number(secret, Revision) ?? 1;
    }

    /// <summary>Who last rotated (or rolled back) the secret and when: its own annotations; the Secret's plain ones only while the
    /// Secret has no per-secret revisions at all (written before they existed). Nulls when never rotated.</summary>
    public static (DateTimeOffset? At, string? By) Rotated(V1Secret secret, string secretName, IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var own = OwnName(secret, secretName, keys);
        if (own is null && Number(secret, RevisionBase) is not null)
        {
            return (null, null);
        }

        var at = own is null ? RotatedAt : PerSecret(RotatedAt, own);
        var by = own is null ? RotatedBy : PerSecret(RotatedBy, own);
        var annotations = secret.Metadata?.Annotations;
        var text = annotations?.TryGetValue(at, out var a) == true ? a : null;
        var time = text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : (DateTimeOffset?)null;
        return (time, annotations?.TryGetValue(by, out var b) == true ? b : null);
    }

    /// <summary>The earlier revisions of one secret an operator can roll back to, newest first: for each kept copy of its Secret
    /// (<paramref name="kept"/>, newest first) the secret's revision in it, once per revision and never the live one, with the
    /// copy's Secret revision to restore the value from.</summary>
    public static IReadOnlyList<SecretChoice> Choices(V1Secret live, IEnumerable<V1Secret> kept, string secretName, IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(kept);
        var current = SecretRevision(live, secretName, keys);
        var choices = new List<SecretChoice>();
        foreach (var copy in kept)
        {
            var revision = SecretRevision(copy, secretName, keys);
            var hasValue = keys.Count == 0 ? copy.Data is { Count: > 0 } : keys.Any(k => copy.Data?.ContainsKey(k) == true);
            if (revision != current && hasValue && choices.All(c => c.Revision != revision))
            {
                choices.Add(new SecretChoice(revision, ManagedSecrets.RevisionOf(copy)));
            }
        }

        return choices;
    }

    // The suffix under which the secret's own counter is written: its name or one of its keys, the highest counter; null when none.
    private static string? OwnName(V1Secret secret, string secretName, IReadOnlyList<string> keys) =>
        keys.Prepend(secretName).Where(n => Number(secret, PerSecret(Revision, n)) is not null)
            .OrderByDescending(n => Number(secret, PerSecret(Revision, n))).FirstOrDefault();

    private static int? Number(V1Secret secret, string annotation) =>
        secret.Metadata?.Annotations?.TryGetValue(annotation, out var text) == true
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
}

/// <summary>A revision of one secret an operator can roll back to.</summary>
/// <param name="Revision">The secret's own revision (what the inventory shows).</param>
/// <param name="SecretRevision">The kept copy of its Kubernetes Secret that holds it (<c>&lt;name&gt;-rev-&lt;n&gt;</c>).</param>
internal sealed record SecretChoice(int Revision, int SecretRevision);
