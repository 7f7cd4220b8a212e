using Portal.Provisioning.Clusters;

namespace Portal.Provisioning.Certificates;

/// <summary>Makes a new key and certificate for one hostname. Issuers never write the hostname's TLS Secret: the caller installs
/// what they return as a new revision, so a failed issuance changes nothing that is served.</summary>
/// <remarks>Issuers may keep their own state in the stack's namespace (the internal CA's root, the ACME account key), written
/// idempotently. They throw <see cref="CertificateIssuanceException"/> with a sentence an operator understands.</remarks>
internal interface ICertificateIssuer
{
    CertificateSource Source { get; }

    Task<IssuedCertificate> IssueAsync(CertificateRequestContext request, CancellationToken cancellationToken);
}

/// <summary>What an issuer needs: the cluster and namespace to keep its state in, the lego component's options (never secrets:
/// secret options are read by the issuer from the component Secret in the cluster), and the hostname.</summary>
/// <param name="Provider">The lego component's name (its Secrets are <c>&lt;provider&gt;-…</c>).</param>
/// <param name="Options">The lego component's non-secret options (email, server, plugin, eab-kid, acme-ca-certificates…).</param>
/// <param name="Labels">Labels for anything the issuer creates (the portal's stack and component labels).</param>
internal sealed record CertificateRequestContext(
    IClusterGateway Cluster,
    string Namespace,
    string Stack,
    string Provider,
    IReadOnlyDictionary<string, string> Options,
    IReadOnlyDictionary<string, string> Labels,
    string Host);

/// <summary>A freshly issued certificate: PEM leaf + intermediates (leaf first), PEM PKCS#8 key, and the issuing CA when known.</summary>
internal sealed record IssuedCertificate(string CertificateChainPem, string PrivateKeyPem, string? CaCertificatePem)
{
    public override string ToString() => "IssuedCertificate { key redacted }";
}

/// <summary>An issuance that failed: <see cref="Exception.Message"/> is for the operator (no secret in it); <see cref="Transient"/>
/// says whether trying again later can help (network, rate limit) or the input must change (bad e-mail, rejected EAB).</summary>
/// <param name="retryAfter">How long the ACME server asked to wait (rate limits), when it said.</param>
internal sealed class CertificateIssuanceException(string message, bool transient, TimeSpan? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public bool Transient { get; } = transient;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}
