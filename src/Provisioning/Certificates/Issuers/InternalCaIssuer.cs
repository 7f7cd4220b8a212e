using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Certificates.Issuers;

/// <summary>Issues from the stack's internal CA: a self-signed ECDSA root kept in the Secret <c>&lt;provider&gt;-ca</c>, made once,
/// that signs a 90-day ECDSA P-256 certificate per hostname. For private deployments and test clusters with no ACME server.</summary>
/// <remarks>The root is created with create-if-absent: two issuances racing on a new stack end up with the same root, and a retried
/// step reuses it. The root's key never leaves the cluster except into this process for the signature.</remarks>
internal sealed class InternalCaIssuer(TimeProvider time) : ICertificateIssuer
{
    /// <summary>The key in which the issuing root travels next to a certificate (as cert-manager writes it).</summary>
    public const string CaCertificateKey = "ca.crt";

    /// <summary>How long a certificate is issued for (as long as Let's Encrypt's, so renewals follow the same rhythm).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);

    /// <summary>How long the root is valid.</summary>
    public static readonly TimeSpan RootLifetime = TimeSpan.FromDays(3650);

    public CertificateSource Source => CertificateSource.InternalCa;

    public static string CaSecretName(string provider) => $"{provider}-ca";

    public async Task<IssuedCertificate> IssueAsync(CertificateRequestContext request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        X509Certificate2 ca;
        try
        {
            ca = await EnsureCaAsync(request.Cluster, request.Namespace, request.Stack, request.Provider, request.Labels, time.GetUtcNow(), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ClusterException e)
        {
            throw new CertificateIssuanceException($"The internal CA of {request.Provider} could not be read or created: {e.Message}", e.Transient, inner: e);
        }
        catch (CryptographicException e)
        {
            throw new CertificateIssuanceException(
                $"Secret {request.Namespace}/{CaSecretName(request.Provider)} does not hold a usable CA certificate and key; delete it to have the portal make a new root "
                + "(certificates issued from the old root stop being trusted by clients that trust it).",
                transient: false, inner: e);
        }

        using (ca)
        {
            var (certificate, key) = Issue(ca, request.Host, time.GetUtcNow());
            var caPem = ca.ExportCertificatePem() + "\n";
            return new IssuedCertificate(certificate + caPem, key, caPem);
        }
    }

    /// <summary>The root with its private key, created in <c>&lt;provider&gt;-ca</c> when missing. Cluster faults surface as
    /// <see cref="ClusterException"/>, a Secret that does not parse as <see cref="CryptographicException"/>.</summary>
    public static async Task<X509Certificate2> EnsureCaAsync(
        IClusterGateway cluster,
        string @namespace,
        string stack,
        string provider,
        IReadOnlyDictionary<string, string> labels,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var name = CaSecretName(provider);
        var secret = await cluster.ReadAsync<V1Secret>("v1", "Secret", @namespace, name, cancellationToken).ConfigureAwait(false);
        if (secret is null)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={stack} portal internal CA", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            using var root = request.CreateSelfSigned(now.AddMinutes(-5), now + RootLifetime);
            secret = await cluster.CreateSecretIfAbsentAsync(
                TlsSecret(@namespace, name, labels, root.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem()), cancellationToken).ConfigureAwait(false);
        }

        var certificatePem = ManagedSecrets.Value(secret, "tls.crt");
        var keyPem = ManagedSecrets.Value(secret, "tls.key");
        return certificatePem is null || keyPem is null
            ? throw new CryptographicException($"Secret {@namespace}/{name} lacks tls.crt or tls.key.")
            : X509Certificate2.CreateFromPem(certificatePem, keyPem);
    }

    /// <summary>A certificate for <paramref name="host"/> signed by <paramref name="ca"/> (ECDSA P-256, SAN = host, server auth,
    /// 90 days but never past the root) and its PEM PKCS#8 key.</summary>
    public static (string Certificate, string Key) Issue(X509Certificate2 ca, string host, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ca);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var notAfter = now + Lifetime;
        if (notAfter > ca.NotAfter)
        {
            notAfter = ca.NotAfter;
        }

        // A serial is a positive integer: clear the top bit so the DER INTEGER does not read as negative.
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(ca, now.AddMinutes(-5), notAfter, serial);
        return (certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem());
    }

    private static V1Secret TlsSecret(string @namespace, string name, IReadOnlyDictionary<string, string> labels, string certificate, string key) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Type = "kubernetes.io/tls",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = @namespace,
            Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
            Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [PortalLabels.RevisionAnnotation] = "1" },
        },
        Data = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["tls.crt"] = Encoding.UTF8.GetBytes(certificate),
            ["tls.key"] = Encoding.UTF8.GetBytes(key),
        },
    };
}
