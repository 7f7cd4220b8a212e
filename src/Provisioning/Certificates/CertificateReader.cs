using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portal.Domain.Certificates;

namespace Portal.Provisioning.Certificates;

/// <summary>Reads the facts an operator sees from the leaf of a PEM chain; never touches key material.</summary>
internal static class CertificateReader
{
    /// <summary>The leaf's facts, or null when the text holds no readable certificate.</summary>
    public static CertificateDetails? Details(string? chainPem, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(chainPem))
        {
            return null;
        }

        try
        {
            using var leaf = X509Certificate2.CreateFromPem(chainPem);
            var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
            var names = san?.EnumerateDnsNames().ToList() ?? [];
            using var rsa = leaf.GetRSAPublicKey();
            using var ecdsa = rsa is null ? leaf.GetECDsaPublicKey() : null;
            var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime(), TimeSpan.Zero);
            var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            return new CertificateDetails(
                leaf.Subject,
                names,
                leaf.Issuer,
                leaf.SerialNumber.ToUpperInvariant(),
                rsa is not null ? "RSA" : ecdsa is not null ? "ECDSA" : leaf.PublicKey.Oid.FriendlyName ?? "unknown",
                rsa?.KeySize ?? ecdsa?.KeySize ?? 0,
                notBefore,
                notAfter,
                leaf.GetCertHashString(HashAlgorithmName.SHA256),
                Expiry.Band(notAfter, now),
                Expiry.Describe(notAfter, now));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>True when the leaf covers <paramref name="host"/> (SAN or, without SANs, the common name).</summary>
    public static bool Covers(string chainPem, string host)
    {
        try
        {
            using var leaf = X509Certificate2.CreateFromPem(chainPem);
            return leaf.MatchesHostname(host);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>"serial 0A1B…, valid until 2027-02-24 10:00 UTC".</summary>
    public static string Describe(CertificateDetails details) =>
        $"serial {details.SerialNumber}, valid until {details.NotAfter.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
}
