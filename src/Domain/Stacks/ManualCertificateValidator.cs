using Portal.Domain.Common;
using Portal.Domain.Values;

namespace Portal.Domain.Stacks;

/// <summary>Checks a manually uploaded TLS certificate for an ingress (the PEM upload that goes with
/// <c>nginx-ingress.tls-secret-name</c>) and lists every problem at once.</summary>
public static class ManualCertificateValidator
{
    /// <summary>Checks the certificate, key and chain; paths are <c>certificate</c>, <c>key</c>, <c>chain</c> and <c>hostname</c>.</summary>
    /// <param name="hostname">The hostname the certificate is for (IDN allowed; a wildcard host such as <c>*.example.com</c> too).</param>
    /// <param name="now">The time validity is checked at.</param>
    public static Result<CertificateWithKey> Validate(string? certPem, string? keyPem, string? chainPem, string? hostname, DateTimeOffset now)
    {
        var errors = new ErrorList();
        errors.Collect(Hostname.TryCreate(hostname, allowWildcard: true), "hostname", out var host);
        var certificate = CertificateWithKey.TryCreate(certPem, keyPem, chainPem, host, now);
        if (!certificate.IsSuccess)
        {
            errors.AddRange(certificate.Errors);
        }

        return errors.ToResult(() => certificate.Value);
    }
}
