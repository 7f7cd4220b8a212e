using System.Globalization;
using k8s.Models;
using Portal.Provisioning.Certificates;

namespace Portal.Provisioning.Secrets.Inventory;

/// <summary>The annotations on a portal-managed Kubernetes Secret that the secret inventory reads and rotations write.</summary>
/// <remarks>A Kubernetes Secret that holds more than one secret of the inventory (<c>oauth2-proxy-secrets</c> holds the client and
/// the cookie secret) carries per-secret annotations, the annotation name followed by <c>.&lt;secret&gt;</c>
/// (<c>portal.airbyte.io/rotation-policy.cookie-secret</c>); <see cref="Read"/> prefers the per-secret one and falls back to the
/// plain one, so a rotation may write either. Times are ISO 8601 (round-trip, UTC). Kept revisions are Secrets named
/// <c>&lt;name&gt;-rev-&lt;n&gt;</c> labelled <see cref="RevisionOfLabel"/> = the live Secret's name, as for TLS Secrets.</remarks>
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
}
