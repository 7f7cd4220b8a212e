using k8s.Models;

namespace Portal.Provisioning.Certificates;

/// <summary>Asks an Ingress's load-balancer address, with a TLS handshake for the hostname (SNI), which certificate it serves.</summary>
/// <remarks>Uses the address in <c>status.loadBalancer.ingress</c> (IP or hostname) and the port listed there for TLS when one is
/// (<c>ports</c>), 443 otherwise. A handshake that fails or times out is <see cref="ServedState.NotReachable"/> with the reason;
/// the result is never guessed from the Secret.</remarks>
internal interface IServedCertificateProbe
{
    /// <param name="expectedSha256">The fingerprint of the Secret's leaf certificate, to say Matches or Differs; null when unknown.</param>
    Task<ServedCertificate> ProbeAsync(V1Ingress ingress, string host, string? expectedSha256, CancellationToken cancellationToken);
}
