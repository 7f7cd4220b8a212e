using System.Security.Cryptography;
using Portal.Domain.Tests.TestData;
using Portal.Domain.Values;

namespace Portal.Domain.Tests.Values;

public sealed class PemTests
{
    private static readonly DateTimeOffset Now = TestCertificates.Now;

    [Fact]
    public void PemBundle_reads_certificates_in_order_and_drops_surrounding_text()
    {
        var leaf = TestCertificates.Leaf("airbyte.example.com");
        var text = "Bag Attributes\n    friendlyName: leaf\n" + leaf.CertificatePem + "\nsubject=CN = Test Intermediate CA\n" + TestCertificates.Intermediate.Pem;

        var bundle = ResultAssert.Success(PemBundle.TryCreate(text));

        Assert.Equal(["CN=airbyte.example.com", "CN=Test Intermediate CA"], bundle.Certificates.Select(c => c.Subject));
        Assert.DoesNotContain("Bag Attributes", bundle.CertificatesPem, StringComparison.Ordinal);
        Assert.Equal(2, bundle.CertificatesPem.Split("-----BEGIN CERTIFICATE-----").Length - 1);
        Assert.Null(bundle.PrivateKey);
    }

    [Fact]
    public void PemBundle_reads_certificate_facts()
    {
        var certificate = ResultAssert.Success(PemBundle.TryCreate(TestCertificates.Leaf("a.example.com", "*.example.org").CertificatePem)).Certificates[0];

        Assert.Equal(["a.example.com", "*.example.org"], certificate.DnsNames);
        Assert.Equal("ECDSA", certificate.KeyAlgorithm);
        Assert.Equal(256, certificate.KeySize);
        Assert.Equal(Now.AddDays(80), certificate.NotAfter);
        Assert.False(certificate.IsCertificateAuthority);
        Assert.True(certificate.IsIssuedBy(ResultAssert.Success(PemBundle.TryCreate(TestCertificates.Intermediate.Pem)).Certificates[0]));
        Assert.Equal(64, certificate.Sha256Fingerprint.Length);
        Assert.True(ResultAssert.Success(PemBundle.TryCreate(TestCertificates.Root.Pem)).Certificates[0].IsCertificateAuthority);
        Assert.True(ResultAssert.Success(PemBundle.TryCreate(TestCertificates.Root.Pem)).Certificates[0].IsSelfIssued);
    }

    [Theory]
    [InlineData("", "PEM text is needed")]
    [InlineData("hello world", "not PEM")]
    [InlineData("-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n", "damaged")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n", "damaged")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n", "not a valid X.509 certificate")]
    [InlineData("-----BEGIN X509 CRL-----\nAAECAwQFBgcICQ==\n-----END X509 CRL-----\n", "X509 CRL, which is not supported")]
    public void PemBundle_rejects_what_is_not_a_certificate(string text, string fragment) =>
        ResultAssert.Failure(PemBundle.TryCreate(text), fragment);

    [Fact]
    public void PemBundle_rejects_a_certificate_signing_request()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=x", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        ResultAssert.Failure(PemBundle.TryCreate(csr), "certificate signing request");
    }

    [Fact]
    public void PemBundle_without_a_certificate_says_so()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        ResultAssert.Failure(PemBundle.TryCreate(key.ExportSubjectPublicKeyInfoPem()), "public key, not a certificate");
        ResultAssert.Failure(PemBundle.TryCreate(key.ExportPkcs8PrivateKeyPem(), allowPrivateKey: true), "no certificate");
    }

    [Fact]
    public void PemBundle_refuses_a_private_key_where_only_certificates_belong()
    {
        var leaf = TestCertificates.Leaf("airbyte.example.com");
        var messages = ResultAssert.Failure(PemBundle.TryCreate(leaf.CertificatePem + leaf.KeyPem), "contains a private key");
        Assert.All(messages, m => Assert.DoesNotContain(leaf.KeyPem.Split('\n')[1], m, StringComparison.Ordinal));
    }

    [Fact]
    public void PemBundle_reads_one_private_key_where_allowed()
    {
        var leaf = TestCertificates.Leaf("airbyte.example.com");
        var bundle = ResultAssert.Success(PemBundle.TryCreate(leaf.CertificatePem + leaf.KeyPem, allowPrivateKey: true));
        Assert.Equal("ECDSA", bundle.PrivateKey!.Algorithm);
        Assert.DoesNotContain("PRIVATE", bundle.ToString(), StringComparison.Ordinal);

        var other = TestCertificates.Leaf("other.example.com");
        ResultAssert.Failure(PemBundle.TryCreate(leaf.CertificatePem + leaf.KeyPem + other.KeyPem, allowPrivateKey: true), "more than one private key");
    }

    [Fact]
    public void PemBundle_reports_a_repeated_certificate()
    {
        var pem = TestCertificates.Intermediate.Pem;
        ResultAssert.Failure(PemBundle.TryCreate(pem + pem), "appears more than once");
    }

    [Fact]
    public void PrivateKeyInfo_reads_every_common_key_format()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var rsa = TestCertificates.Rsa2048();
        var expectations = new (string Pem, string Algorithm, int Size)[]
        {
            (ec.ExportPkcs8PrivateKeyPem(), "ECDSA", 384),
            (ec.ExportECPrivateKeyPem(), "ECDSA", 384),
            ("-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----\n" + ec.ExportECPrivateKeyPem(), "ECDSA", 384),
            (rsa.ExportPkcs8PrivateKeyPem(), "RSA", 2048),
            (rsa.ExportRSAPrivateKeyPem(), "RSA", 2048),
        };

        foreach (var (pem, algorithm, size) in expectations)
        {
            var key = ResultAssert.Success(PrivateKeyInfo.TryCreate(pem));
            Assert.Equal(algorithm, key.Algorithm);
            Assert.Equal(size, key.KeySize);
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", key.Pem, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", key.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PrivateKeyInfo_rejects_encrypted_keys()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var encrypted = ec.ExportEncryptedPkcs8PrivateKeyPem("passphrase", new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000));
        ResultAssert.Failure(PrivateKeyInfo.TryCreate(encrypted), "encrypted");

        const string Legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        var messages = ResultAssert.Failure(PrivateKeyInfo.TryCreate(Legacy), "encrypted");
        Assert.Single(messages);
    }

    [Fact]
    public void PrivateKeyInfo_rejects_unsupported_or_missing_keys()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        // PKCS#8 of an Ed25519 key: the algorithm identifier is 1.3.101.112.
        byte[] ed25519 = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20, .. new byte[32]];
        ResultAssert.Failure(PrivateKeyInfo.TryCreate(PemEncoding.WriteString("PRIVATE KEY", ed25519)), "Ed25519");
        ResultAssert.Failure(PrivateKeyInfo.TryCreate(ec.ExportSubjectPublicKeyInfoPem()), "public key");
        ResultAssert.Failure(PrivateKeyInfo.TryCreate(TestCertificates.Intermediate.Pem), "no private key");
        ResultAssert.Failure(PrivateKeyInfo.TryCreate("not a key"), "not PEM");
        ResultAssert.Failure(PrivateKeyInfo.TryCreate(""), "private key is needed");
        ResultAssert.Failure(PrivateKeyInfo.TryCreate(ec.ExportPkcs8PrivateKeyPem() + "\n" + other.ExportPkcs8PrivateKeyPem()), "2 private keys");
        ResultAssert.Failure(PrivateKeyInfo.TryCreate(PemEncoding.WriteString("RSA PRIVATE KEY", new byte[] { 1, 2, 3 })), "damaged or not a valid RSA key");
    }
}
