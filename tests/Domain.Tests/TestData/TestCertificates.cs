using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portal.Domain.Tests.TestData;

/// <summary>Certificates made at run time with <see cref="CertificateRequest"/>: a root CA, an intermediate and leaves.</summary>
/// <remarks>ECDSA P-256 throughout (fast); RSA keys are made only where a test is about RSA.</remarks>
public static class TestCertificates
{
    public static DateTimeOffset Now => StackRequests.Now;

    private static readonly Lazy<Authority> LazyRoot = new(() => CreateRoot("CN=Test Root CA"));
    private static readonly Lazy<Authority> LazyIntermediate = new(() => CreateIntermediate(Root, "CN=Test Intermediate CA"));

    // Generating an RSA-2048 key takes about a second on a busy machine: make one and hand out copies.
    private static readonly Lazy<byte[]> LazyRsa2048 = new(() =>
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportPkcs8PrivateKey();
    });

    public static Authority Root => LazyRoot.Value;

    /// <summary>A new instance of one RSA-2048 key made once per test run; the caller disposes it.</summary>
    public static RSA Rsa2048()
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(LazyRsa2048.Value, out _);
        return rsa;
    }

    public static Authority Intermediate => LazyIntermediate.Value;

    /// <summary>A leaf issued by <see cref="Intermediate"/> for the given DNS names, valid around <see cref="Now"/>.</summary>
    public static Issued Leaf(params string[] dnsNames) => Issue(Intermediate, "CN=" + (dnsNames.FirstOrDefault() ?? "no-san"), dnsNames);

    public static Issued Issue(
        Authority issuer,
        string subject,
        IReadOnlyList<string> dnsNames,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null,
        AsymmetricAlgorithm? key = null,
        bool serverAuth = true,
        bool includeSan = true)
    {
        key ??= ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key switch
        {
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            _ => throw new ArgumentException("RSA or ECDSA only.", nameof(key)),
        };
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (includeSan && dnsNames.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in dnsNames)
            {
                san.AddDnsName(name);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        var from = notBefore ?? Now.AddDays(-10);
        var to = notAfter ?? Now.AddDays(80);
        // The signature generator lets an ECDSA authority sign a request for an RSA key.
        using var issuerKey = issuer.Certificate.GetECDsaPrivateKey()!;
        using var certificate = request.Create(issuer.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), from, to, RandomSerial());
        return new Issued(certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    public static Authority CreateRoot(string subject, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var certificate = request.CreateSelfSigned(notBefore ?? Now.AddYears(-2), notAfter ?? Now.AddYears(10));
        return new Authority(certificate);
    }

    public static Authority CreateIntermediate(Authority issuer, string subject, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var issued = request.Create(issuer.Certificate, notBefore ?? Now.AddYears(-1), notAfter ?? Now.AddYears(5), RandomSerial());
        return new Authority(issued.CopyWithPrivateKey(key));
    }

    private static byte[] RandomSerial() => RandomNumberGenerator.GetBytes(12);

    /// <summary>A CA that can issue (holds its private key).</summary>
    public sealed record Authority(X509Certificate2 Certificate)
    {
        public string Pem => Certificate.ExportCertificatePem() + "\n";
    }

    /// <summary>An issued certificate and its key, as PEM.</summary>
    public sealed record Issued(string CertificatePem, string KeyPem);
}
