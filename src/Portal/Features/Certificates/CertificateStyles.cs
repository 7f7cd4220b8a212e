using System.Globalization;
using Portal.Domain.Certificates;
using Portal.Provisioning.Certificates;
using Portal.Security;
using Portal.Shared;

namespace Portal.Features.Certificates;

/// <summary>How certificates read across the portal: band words and colours, source names, served states, short fingerprints,
/// and why a write on a lane is not offered.</summary>
/// <remarks>A band word is also a CSS class (<c>band-healthy</c> … <c>band-expired</c>, in portal.css), so a chip, a timeline bar
/// and an overview card show one band in one colour.</remarks>
public static class CertificateStyles
{
    /// <summary>The page of a stack's certificates.</summary>
    public static string StackUrl(string stack) => $"/stacks/{Uri.EscapeDataString(stack)}/certificates";

    /// <summary>The expiry timeline across every stack.</summary>
    public const string TimelineUrl = "/certificates";

    public static string Word(ExpiryBand band) => band switch
    {
        ExpiryBand.Healthy => "healthy",
        ExpiryBand.Warning => "warning",
        ExpiryBand.Critical => "critical",
        _ => "expired",
    };

    /// <summary>What a band means, for a tooltip.</summary>
    public static string Meaning(ExpiryBand band) => band switch
    {
        ExpiryBand.Healthy => "more than 30 days left",
        ExpiryBand.Warning => "30 days or fewer left",
        ExpiryBand.Critical => "fewer than 7 days left",
        _ => "past its not-after date: browsers refuse it",
    };

    public static string Name(CertificateSource source) => source switch
    {
        CertificateSource.Acme => "ACME",
        CertificateSource.InternalCa => "internal CA",
        CertificateSource.Manual => "manual",
        _ => "external",
    };

    /// <summary>Where a certificate of that source comes from, in a sentence.</summary>
    public static string Meaning(CertificateSource source) => source switch
    {
        CertificateSource.Acme => "Issued by an ACME server, with the portal as ACME client; renewed automatically.",
        CertificateSource.InternalCa => "Issued by the stack's internal CA; renewed automatically.",
        CertificateSource.Manual => "Uploaded by an operator; renewed only by uploading a new one.",
        _ => "A Secret named by the ingress's tls-secret-name: the portal reads it but never writes it.",
    };

    public static string Word(ServedState state) => state switch
    {
        ServedState.Matches => "matches",
        ServedState.Differs => "differs",
        ServedState.NoAddress => "no address",
        _ => "not reachable",
    };

    /// <summary>The status tone of a served state: a different certificate is an error, no answer is unknown, never a guess.</summary>
    public static string Tone(ServedState state) => state switch
    {
        ServedState.Matches => "active",
        ServedState.Differs => "error",
        ServedState.NoAddress => "waiting",
        _ => "unknown",
    };

    /// <summary>The first 16 hex digits of a fingerprint in pairs (<c>AB:CD:…</c>), enough to tell two apart at a glance.</summary>
    public static string ShortFingerprint(string? fingerprint)
    {
        if (string.IsNullOrEmpty(fingerprint))
        {
            return "—";
        }

        var hex = fingerprint.Replace(":", "", StringComparison.Ordinal);
        var head = hex[..Math.Min(16, hex.Length)];
        var pairs = Enumerable.Range(0, head.Length / 2).Select(i => head.Substring(i * 2, 2));
        return string.Join(':', pairs) + (hex.Length > head.Length ? "…" : "");
    }

    /// <summary>How far ahead <paramref name="at"/> is ("in 3d"), or how overdue ("due 2h ago").</summary>
    public static string Until(DateTimeOffset at, DateTimeOffset now) =>
        at >= now ? $"in {TimeFormat.Age(now, at)}" : $"due {TimeFormat.Age(at, now)} ago";

    /// <summary>A serial number shortened for a list, the whole one kept for a title.</summary>
    public static string ShortSerial(string serial) => serial.Length <= 16 ? serial : serial[..16] + "…";

    public static string KeyText(CertificateDetails details) =>
        $"{details.KeyType} {details.KeySize.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Why rotating the lane is not offered, or null when it is.</summary>
    public static string? RotateRefusal(CertificateLane lane, bool operates) =>
        WriteRefusal(lane, operates)
        ?? (lane.Source == CertificateSource.Manual ? "A manual certificate is not issued by the portal: upload a new certificate." : null);

    /// <summary>Why rolling the lane back is not offered, or null when it is.</summary>
    public static string? RollbackRefusal(CertificateLane lane, bool operates) =>
        WriteRefusal(lane, operates)
        ?? (lane.Previous.Count == 0 ? "No earlier revision is kept for this hostname yet." : null);

    /// <summary>Why uploading a certificate for the lane is not offered, or null when it is.</summary>
    public static string? UploadRefusal(CertificateLane lane, bool operates) => WriteRefusal(lane, operates);

    private static string? WriteRefusal(CertificateLane lane, bool operates) =>
        !operates ? $"Needs the {PortalPolicies.Operator} role."
        : lane.Source == CertificateSource.External ? $"Managed outside the portal (tls-secret-name {lane.SecretName})."
        : null;
}
