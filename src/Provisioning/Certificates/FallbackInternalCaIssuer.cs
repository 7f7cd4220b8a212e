using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Certificates;

/// <summary>The portal's built-in internal CA: a self-signed ECDSA root kept in <c>&lt;provider&gt;-ca</c> issues 90-day
/// certificates. Used when no issuer is registered for a source (see <see cref="CertificateIssuers"/>).</summary>
internal sealed class FallbackInternalCaIssuer(TimeProvider time) : ICertificateIssuer
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);

    public CertificateSource Source => CertificateSource.InternalCa;

    public static string CaSecretName(string provider) => $"{provider}-ca";

    public async Task<IssuedCertificate> IssueAsync(CertificateRequestContext request, CancellationToken cancellationToken)
    {
        using var ca = await EnsureCaAsync(request, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest($"CN={request.Host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(request.Host);
        csr.CertificateExtensions.Add(names.Build());
        csr.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        csr.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        csr.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var notAfter = now + Lifetime;
        if (notAfter > ca.NotAfter)
        {
            notAfter = ca.NotAfter;
        }

        using var certificate = csr.Create(ca, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        var root = ca.ExportCertificatePem() + "\n";
        return new IssuedCertificate(certificate.ExportCertificatePem() + "\n" + root, key.ExportPkcs8PrivateKeyPem() + "\n", root);
    }

    private async Task<X509Certificate2> EnsureCaAsync(CertificateRequestContext request, CancellationToken cancellationToken)
    {
        var name = CaSecretName(request.Provider);
        var secret = await request.Cluster.ReadAsync<V1Secret>("v1", "Secret", request.Namespace, name, cancellationToken).ConfigureAwait(false);
        if (secret is null)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var csr = new CertificateRequest($"CN={request.Stack} portal internal CA", key, HashAlgorithmName.SHA256);
            csr.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            csr.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            csr.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(csr.PublicKey, false));
            var now = time.GetUtcNow();
            using var root = csr.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
            secret = await request.Cluster.CreateSecretIfAbsentAsync(new V1Secret
            {
                ApiVersion = "v1",
                Kind = "Secret",
                Type = TlsSecretRevisions.TlsType,
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    NamespaceProperty = request.Namespace,
                    Labels = new Dictionary<string, string>(request.Labels, StringComparer.Ordinal),
                    Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [PortalLabels.RevisionAnnotation] = "1" },
                },
                Data = new Dictionary<string, byte[]>(StringComparer.Ordinal)
                {
                    [TlsSecretRevisions.CertificateKey] = Encoding.UTF8.GetBytes(root.ExportCertificatePem()),
                    [TlsSecretRevisions.KeyKey] = Encoding.UTF8.GetBytes(key.ExportPkcs8PrivateKeyPem()),
                },
            }, cancellationToken).ConfigureAwait(false);
        }

        return X509Certificate2.CreateFromPem(ManagedSecrets.Value(secret, TlsSecretRevisions.CertificateKey), ManagedSecrets.Value(secret, TlsSecretRevisions.KeyKey));
    }
}
