using Portal.Domain.Certificates;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Certificates;

/// <summary>The certificates of the stacks: one lane per hostname, rotation, roll-back and manual upload. The one door the REST API
/// and the UI use for certificates.</summary>
/// <remarks>Rotate, roll back and upload are operations on the stack (one at a time, like a reconfigure): the call validates,
/// audits and starts the operation, whose steps issue or restore a revision of the hostname's TLS Secret and verify what the
/// ingress serves. A failed issuance leaves the live certificate as it was. No private key ever leaves the cluster: not in an
/// answer, the portal database, a job argument or a log.</remarks>
public interface ICertificateService
{
    /// <summary>Every hostname the stack's ingresses serve with TLS, with its live certificate read from the cluster, the kept
    /// revisions, the renewal schedule and what the ingress address really serves. NotFound for an unknown stack, Unavailable when
    /// its cluster does not answer.</summary>
    Task<ServiceResult<StackCertificates>> ListAsync(string stack, CancellationToken cancellationToken);

    /// <summary>The live certificate of every hostname of every stack (for the expiry timeline and the overview cards); a stack whose
    /// cluster does not answer is listed with its problem and no certificates.</summary>
    Task<IReadOnlyList<StackCertificateExpiries>> ExpiriesAsync(CancellationToken cancellationToken);

    /// <summary>Starts a rotation: a new key and certificate from the hostname's source (ACME, internal CA; a manual certificate
    /// cannot be rotated here: upload a new one), a new revision of its TLS Secret, then verification. Reason required.</summary>
    Task<ServiceResult<StackChange>> RotateAsync(string stack, string host, string? reason, string actor, CancellationToken cancellationToken);

    /// <summary>Starts a roll-back to a kept revision (the newest previous one when <paramref name="revision"/> is null); the
    /// restored material becomes a new revision, so the roll-back itself can be rolled back. Reason required.</summary>
    Task<ServiceResult<StackChange>> RollbackAsync(string stack, string host, int? revision, string? reason, string actor, CancellationToken cancellationToken);

    /// <summary>Validates a manual certificate for the hostname (every problem at once, on fields <c>certificate</c>, <c>key</c>,
    /// <c>chain</c>, <c>host</c>, <c>reason</c>) and, when valid, installs it as a new revision through an operation. Invalid input
    /// changes nothing.</summary>
    Task<ServiceResult<StackChange>> UploadAsync(string stack, string host, ManualCertificateUpload upload, string actor, CancellationToken cancellationToken);
}

/// <summary>A manual certificate as the operator pastes or uploads it. Holds a private key: never logged, stored or echoed.</summary>
public sealed record ManualCertificateUpload(string? Certificate, string? Key, string? Chain, string? Reason)
{
    public override string ToString() => "ManualCertificateUpload { key redacted }";
}

/// <summary>Where a hostname's certificate comes from.</summary>
public enum CertificateSource
{
    /// <summary>Issued by an ACME server (Let's Encrypt, a private ACME server) with the portal as ACME client, for the lego component.</summary>
    Acme,
    /// <summary>Issued by the stack's internal CA (a self-signed root kept in a Secret).</summary>
    InternalCa,
    /// <summary>Uploaded by an operator; renewed only by uploading a new one.</summary>
    Manual,
    /// <summary>A Secret the operator names with the ingress's <c>tls-secret-name</c>; the portal reads it but never writes it.</summary>
    External,
}

/// <summary>The certificates of one stack and the renewal policy they follow.</summary>
/// <param name="Policy">"renews at 67 % of the lifetime, inside 02:00-04:00 UTC" and the like.</param>
public sealed record StackCertificates(string Stack, string Cluster, string Namespace, string Policy, IReadOnlyList<CertificateLane> Lanes);

/// <summary>One hostname: its live certificate, where it comes from, what uses it, its revisions, renewal and what is served.</summary>
/// <param name="Ingress">The ingress component serving the hostname (e.g. <c>ingress</c>).</param>
/// <param name="IngressObjects">The Kubernetes Ingress objects that reference <paramref name="SecretName"/> for the hostname.</param>
/// <param name="Live">The certificate in the TLS Secret now; null when the Secret is missing or does not parse (see <paramref name="Problem"/>).</param>
/// <param name="Problem">What is wrong with the Secret, in a sentence; null when it is fine.</param>
/// <param name="Revision">The live revision of the TLS Secret (1 for the first), 0 when there is none.</param>
/// <param name="Previous">The kept earlier revisions, newest first (at most 3).</param>
/// <param name="NextRenewal">When auto-renew will renew it; null for manual and external certificates.</param>
/// <param name="LastAttempt">The last issuance attempt (by rotation or auto-renew), or null when none is recorded.</param>
public sealed record CertificateLane(
    string Host,
    string Ingress,
    IReadOnlyList<string> IngressObjects,
    string SecretName,
    CertificateSource Source,
    CertificateDetails? Live,
    string? Problem,
    int Revision,
    IReadOnlyList<CertificateRevision> Previous,
    DateTimeOffset? NextRenewal,
    RenewalAttempt? LastAttempt,
    ServedCertificate Served);

/// <summary>The facts of a certificate an operator reads; never key material.</summary>
/// <param name="KeyType">"ECDSA" or "RSA".</param>
/// <param name="SerialNumber">Upper-case hex.</param>
/// <param name="Sha256Fingerprint">Upper-case hex of the DER's SHA-256.</param>
public sealed record CertificateDetails(
    string Subject,
    IReadOnlyList<string> DnsNames,
    string Issuer,
    string SerialNumber,
    string KeyType,
    int KeySize,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string Sha256Fingerprint,
    ExpiryBand Band,
    string ExpiresText);

/// <summary>A kept revision of a hostname's TLS Secret.</summary>
public sealed record CertificateRevision(int Revision, string SecretName, CertificateDetails? Certificate, DateTimeOffset? ReplacedAt);

/// <summary>The last issuance attempt for a hostname and, when it failed, why; <paramref name="Failures"/> counts failures in a row.</summary>
public sealed record RenewalAttempt(DateTimeOffset At, bool Succeeded, string? Error, int Failures);

/// <summary>What a TLS handshake to the ingress address shows for the hostname.</summary>
public enum ServedState
{
    /// <summary>The served certificate is the one in the Secret.</summary>
    Matches,
    /// <summary>The ingress serves another certificate (an old one, the controller's default…).</summary>
    Differs,
    /// <summary>The Ingress has no load-balancer address yet.</summary>
    NoAddress,
    /// <summary>The address did not answer a TLS handshake from the portal; nothing is guessed.</summary>
    NotReachable,
}

/// <summary>The certificate the ingress serves for the hostname (SNI), compared with the Secret's.</summary>
/// <param name="Address">"203.0.113.7:443" when there is one.</param>
/// <param name="Sha256Fingerprint">Of the served leaf certificate, when a handshake succeeded.</param>
/// <param name="Message">"serves revision 3", "not reachable from the portal: connection refused", and the like.</param>
public sealed record ServedCertificate(ServedState State, string? Address, string? Sha256Fingerprint, DateTimeOffset? NotAfter, string Message);

/// <summary>The live certificates of one stack for the expiry timeline and the overview.</summary>
/// <param name="Problem">Why nothing is listed (the cluster did not answer), or null.</param>
public sealed record StackCertificateExpiries(string Stack, string Cluster, IReadOnlyList<CertificateExpiry> Certificates, string? Problem)
{
    /// <summary>The certificate that expires first, or null.</summary>
    public CertificateExpiry? Soonest => Certificates.MinBy(c => c.NotAfter);
}

/// <summary>One hostname's live certificate on the timeline.</summary>
public sealed record CertificateExpiry(string Host, CertificateSource Source, DateTimeOffset NotBefore, DateTimeOffset NotAfter, ExpiryBand Band, DateTimeOffset? NextRenewal);
