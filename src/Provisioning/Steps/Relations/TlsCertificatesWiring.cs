using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;
using Portal.Provisioning.Certificates.Issuers;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Steps.Relations;

/// <summary><c>tls-certificates</c>, for now from an internal CA: a self-signed root kept in <c>&lt;provider&gt;-ca</c> issues one
/// <c>kubernetes.io/tls</c> Secret per hostname the related ingress serves. ACME comes with the certificates issue.</summary>
/// <remarks>A certificate that is still valid for its host, signed by the current root and not due for renewal is kept,
/// so a repeated step writes nothing.</remarks>
internal sealed class TlsCertificatesWiring(StepTools tools) : IRelationWiring
{
    public const string CaCertificateKey = InternalCaIssuer.CaCertificateKey;

    /// <summary>How long a certificate is issued for, and how long before its end it is renewed.</summary>
    public static readonly TimeSpan Lifetime = InternalCaIssuer.Lifetime;

    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    public string Interface => Interfaces.TlsCertificates;

    public static string CaSecretName(string provider) => InternalCaIssuer.CaSecretName(provider);

    public async Task<StepOutcome> ProvisionAsync(RelationWork work, CancellationToken cancellationToken)
    {
        var hosts = RouteTable.For(work.Stack, tools.Catalog)
            .Where(r => r.Ingress == work.Requirer)
            .Select(r => r.Host).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (hosts.Count == 0)
        {
            return StepOutcome.Ok($"{work.Requirer} serves no hostname: no certificate to issue");
        }

        using var ca = await EnsureCaAsync(work, cancellationToken).ConfigureAwait(false);
        var issued = new List<string>();
        foreach (var host in hosts)
        {
            if (await EnsureCertificateAsync(work, ca, host, cancellationToken).ConfigureAwait(false))
            {
                issued.Add(host);
            }
        }

        return StepOutcome.Ok(issued.Count == 0
            ? $"certificates for {string.Join(", ", hosts)} are valid"
            : $"issued certificates for {string.Join(", ", issued)} from the internal CA");
    }

    private Task<X509Certificate2> EnsureCaAsync(RelationWork work, CancellationToken cancellationToken) =>
        InternalCaIssuer.EnsureCaAsync(work.Cluster, work.Namespace, work.Stack.Name, work.Provider,
            StackRenderer.Labels(work.Stack, work.Provider), tools.Time.GetUtcNow(), cancellationToken);

    // True when it issued (the Secret was missing, expiring, for another host or from another root).
    private async Task<bool> EnsureCertificateAsync(RelationWork work, X509Certificate2 ca, string host, CancellationToken cancellationToken)
    {
        var name = ObjectNames.TlsSecret(host);
        var labels = StepTools.RelationLabels(work.Stack, work.Relation);
        var existing = await work.Cluster.ReadAsync<V1Secret>("v1", "Secret", work.Namespace, name, cancellationToken).ConfigureAwait(false);
        var now = tools.Time.GetUtcNow();
        if (existing is not null)
        {
            ManagedSecrets.EnsureOurs(work.Cluster, existing, new SecretRecipe(work.Namespace, name, labels, new Dictionary<string, string>(), new Dictionary<string, Func<string>>()));
            if (IsValid(existing, ca, host, now))
            {
                return false;
            }
        }

        var (certificate, key) = InternalCaIssuer.Issue(ca, host, now);
        var fresh = TlsSecret(work.Namespace, name, labels, certificate + ca.ExportCertificatePem(), key, ca.ExportCertificatePem());
        if (existing is null)
        {
            await work.Cluster.CreateSecretIfAbsentAsync(fresh, cancellationToken).ConfigureAwait(false);
            return true;
        }

        existing.Data = fresh.Data;
        existing.Metadata.Annotations ??= new Dictionary<string, string>(StringComparer.Ordinal);
        existing.Metadata.Annotations[PortalLabels.RevisionAnnotation] = (ManagedSecrets.RevisionOf(existing) + 1).ToString(CultureInfo.InvariantCulture);
        if (await ManagedSecrets.ReplaceAsync(work.Cluster, existing, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new ClusterException($"Secret {work.Namespace}/{name} changed while the portal renewed it; the step tries again.", System.Net.HttpStatusCode.Conflict, transient: true);
        }

        return true;
    }

    private static bool IsValid(V1Secret secret, X509Certificate2 ca, string host, DateTimeOffset now)
    {
        if (ManagedSecrets.Value(secret, "tls.crt") is not { } pem || ManagedSecrets.Value(secret, "tls.key") is null)
        {
            return false;
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            if (certificate.NotAfter.ToUniversalTime() - now.UtcDateTime < RenewBefore || !certificate.MatchesHostname(host))
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            return chain.Build(certificate);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static V1Secret TlsSecret(string @namespace, string name, Dictionary<string, string> labels, string certificate, string key, string? caCertificate)
    {
        var data = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["tls.crt"] = Encoding.UTF8.GetBytes(certificate),
            ["tls.key"] = Encoding.UTF8.GetBytes(key),
        };
        if (caCertificate is not null)
        {
            data[CaCertificateKey] = Encoding.UTF8.GetBytes(caCertificate);
        }

        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "kubernetes.io/tls",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = @namespace,
                Labels = labels,
                Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [PortalLabels.RevisionAnnotation] = "1" },
            },
            Data = data,
        };
    }
}
