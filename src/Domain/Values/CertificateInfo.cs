using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Domain.Values;

/// <summary>The facts of one X.509 certificate that the portal checks and shows, read once from its DER bytes.</summary>
/// <remarks>Holds no <see cref="X509Certificate2"/> (which is disposable); <see cref="Load"/> makes one when needed.</remarks>
public sealed record CertificateInfo
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string SubjectAltNameOid = "2.5.29.17";

    private readonly byte[] _der;

    private CertificateInfo(byte[] der, X509Certificate2 certificate)
    {
        _der = der;
        Subject = certificate.Subject;
        Issuer = certificate.Issuer;
        CommonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        NotBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        NotAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        Sha256Fingerprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        SubjectRaw = Convert.ToHexString(certificate.SubjectName.RawData);
        IssuerRaw = Convert.ToHexString(certificate.IssuerName.RawData);
        PublicKeySha256 = Convert.ToHexString(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));

        var san = certificate.Extensions.FirstOrDefault(e => e.Oid?.Value == SubjectAltNameOid);
        if (san is not null)
        {
            var names = new X509SubjectAlternativeNameExtension(san.RawData, san.Critical);
            DnsNames = names.EnumerateDnsNames().ToList();
            IPAddresses = names.EnumerateIPAddresses().ToList();
            HasSubjectAlternativeNames = true;
        }

        IsCertificateAuthority = certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        AllowsServerAuthentication = usages is null || usages.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ServerAuthOid);

        using var rsa = certificate.GetRSAPublicKey();
        using var ecdsa = rsa is null ? certificate.GetECDsaPublicKey() : null;
        KeyAlgorithm = rsa is not null ? "RSA" : ecdsa is not null ? "ECDSA" : certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value ?? "unknown";
        KeySize = rsa?.KeySize ?? ecdsa?.KeySize ?? 0;
    }

    /// <summary>The subject distinguished name, e.g. <c>CN=airbyte.example.com</c>.</summary>
    public string Subject { get; }

    public string Issuer { get; }

    /// <summary>The subject's common name (empty when there is none).</summary>
    public string CommonName { get; }

    public DateTimeOffset NotBefore { get; }

    public DateTimeOffset NotAfter { get; }

    /// <summary>Upper-case hex SHA-256 of the DER bytes, as browsers show it.</summary>
    public string Sha256Fingerprint { get; }

    /// <summary>Hex SHA-256 of the subject public key info, to compare with a private key.</summary>
    public string PublicKeySha256 { get; }

    public bool HasSubjectAlternativeNames { get; }

    public IReadOnlyList<string> DnsNames { get; } = [];

    public IReadOnlyList<IPAddress> IPAddresses { get; } = [];

    public bool IsCertificateAuthority { get; }

    /// <summary>False when an extended key usage extension is present without TLS server authentication.</summary>
    public bool AllowsServerAuthentication { get; }

    /// <summary><c>RSA</c>, <c>ECDSA</c> or the algorithm's name.</summary>
    public string KeyAlgorithm { get; }

    public int KeySize { get; }

    private string SubjectRaw { get; }

    private string IssuerRaw { get; }

    public bool IsSelfIssued => SubjectRaw == IssuerRaw;

    /// <summary>The names a TLS client checks: the DNS SANs, or the common name when there are no SANs at all.</summary>
    public IReadOnlyList<string> HostNames =>
        HasSubjectAlternativeNames ? DnsNames : CommonName.Length > 0 ? [CommonName] : [];

    /// <summary>The certificate as PEM.</summary>
    public string Pem => PemEncoding.WriteString("CERTIFICATE", _der) + "\n";

    public bool IsValidAt(DateTimeOffset now) => NotBefore <= now && now <= NotAfter;

    /// <summary>Whether the certificate names the hostname (SAN wildcards match one label).</summary>
    public bool Covers(Hostname hostname) => HostNames.Any(hostname.IsCoveredBy);

    /// <summary>A new <see cref="X509Certificate2"/> for this certificate; the caller disposes it.</summary>
    public X509Certificate2 Load() => X509CertificateLoader.LoadCertificate(_der);

    public byte[] GetDer() => (byte[])_der.Clone();

    /// <summary>Whether <paramref name="issuer"/> issued this certificate: its subject is this certificate's issuer and,
    /// for RSA PKCS#1 and ECDSA signatures, its key verifies this certificate's signature.</summary>
    public bool IsIssuedBy(CertificateInfo issuer)
    {
        if (IssuerRaw != issuer.SubjectRaw)
        {
            return false;
        }

        using var issuerCertificate = issuer.Load();
        return VerifySignature(issuerCertificate) ?? true;
    }

    public bool Equals(CertificateInfo? other) => other is not null && Sha256Fingerprint == other.Sha256Fingerprint;

    public override int GetHashCode() => Sha256Fingerprint.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Subject;

    /// <summary>Reads a DER certificate; null when the bytes are not one.</summary>
    internal static CertificateInfo? TryRead(byte[] der)
    {
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(der);
            return new CertificateInfo(der, certificate);
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            // A public key on a curve this platform does not know cannot be checked, so it is no certificate the portal can use.
            return null;
        }
    }

    /// <summary>True or false when the signature algorithm is one we verify; null when it is not (e.g. RSA-PSS).</summary>
    private bool? VerifySignature(X509Certificate2 issuer)
    {
        ReadOnlyMemory<byte> tbs;
        string algorithm;
        byte[] signature;
        try
        {
            var reader = new AsnReader(_der, AsnEncodingRules.DER).ReadSequence();
            tbs = reader.ReadEncodedValue();
            algorithm = reader.ReadSequence().ReadObjectIdentifier();
            signature = reader.ReadBitString(out _);
        }
        catch (AsnContentException)
        {
            return false;
        }

        HashAlgorithmName? hash = algorithm switch
        {
            "1.2.840.113549.1.1.5" or "1.2.840.10045.4.1" => HashAlgorithmName.SHA1,
            "1.2.840.113549.1.1.11" or "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
            "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
            "1.2.840.113549.1.1.13" or "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
            _ => null,
        };
        if (hash is null)
        {
            return null;
        }

        if (algorithm.StartsWith("1.2.840.113549", StringComparison.Ordinal))
        {
            using var rsa = issuer.GetRSAPublicKey();
            return rsa?.VerifyData(tbs.Span, signature, hash.Value, RSASignaturePadding.Pkcs1) ?? false;
        }

        using var ecdsa = issuer.GetECDsaPublicKey();
        return ecdsa?.VerifyData(tbs.Span, signature, hash.Value, DSASignatureFormat.Rfc3279DerSequence) ?? false;
    }
}
