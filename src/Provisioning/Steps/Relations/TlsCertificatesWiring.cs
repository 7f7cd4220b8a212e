using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Steps.Relations;

/// <summary><c>tls-certificates</c>: one <c>kubernetes.io/tls</c> Secret per hostname the related ingress serves, issued by the lego
/// component's issuer (ACME or the internal CA) and installed as a revision (<see cref="TlsSecretRevisions"/>).</summary>
/// <remarks>A Secret that holds a certificate and key for its hostname that has not expired is kept, whoever issued it (a rotation,
/// an upload): a repeated step writes nothing. Renewal before expiry is the auto-renew job's (<see cref="CertificateRenewalJob"/>).
/// A failed issuance is recorded on the live Secret and leaves it as it was.</remarks>
internal sealed class TlsCertificatesWiring(StepTools tools, CertificateIssuers issuers) : IRelationWiring
{
    public const string CaCertificateKey = TlsSecretRevisions.CaKey;

    public string Interface => Interfaces.TlsCertificates;

    public static string CaSecretName(string provider) => Certificates.Issuers.InternalCaIssuer.CaSecretName(provider);

    public async Task<StepOutcome> ProvisionAsync(RelationWork work, CancellationToken cancellationToken)
    {
        var hosts = issuers.HostsOf(work.Stack)
            .Where(h => h.Certificates?.Key == work.Relation.Key)
            .Select(h => h.Host).ToList();
        if (hosts.Count == 0)
        {
            return StepOutcome.Ok($"{work.Requirer} serves no hostname: no certificate to issue");
        }

        var source = issuers.SourceOf(work.Stack, work.Provider);
        var issuer = issuers.IssuerFor(source);
        var labels = StepTools.RelationLabels(work.Stack, work.Relation);
        var issued = new List<string>();
        foreach (var host in hosts)
        {
            var existing = await TlsSecretRevisions.ReadAsync(work.Cluster, work.Namespace, ObjectNames.TlsSecret(host), cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                ManagedSecrets.EnsureOurs(work.Cluster, existing, new SecretRecipe(
                    work.Namespace, existing.Metadata.Name, labels, new Dictionary<string, string>(), new Dictionary<string, Func<string>>()));
                if (IsValid(existing, host, tools.Time.GetUtcNow()))
                {
                    continue;
                }
            }

            IssuedCertificate certificate;
            try
            {
                certificate = await issuer.IssueAsync(issuers.Request(work.Cluster, work.Stack, work.Provider, host), cancellationToken).ConfigureAwait(false);
            }
            catch (CertificateIssuanceException e)
            {
                await TlsSecretRevisions.RecordFailureAsync(work.Cluster, work.Namespace, host, e.Message, tools.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                return StepOutcome.Fail($"the certificate for {host} could not be issued: {e.Message}", permanent: !e.Transient, retryAfter: e.RetryAfter);
            }

            await TlsSecretRevisions.InstallAsync(
                work.Cluster, work.Namespace, host, TlsMaterial.From(certificate), issuer.Source, Writer(work), labels, tools.Time.GetUtcNow(), cancellationToken)
                .ConfigureAwait(false);
            issued.Add(host);
        }

        var from = issuer.Source == CertificateSource.Acme ? "the ACME server" : "the internal CA";
        return StepOutcome.Ok(issued.Count == 0
            ? $"certificates for {string.Join(", ", hosts)} are valid"
            : $"issued certificates for {string.Join(", ", issued)} from {from}");
    }

    // A deploy that wrote a certificate and runs again finds it valid; the writer id only tells a rotation's revision apart.
    private static string Writer(RelationWork work) => work.OperationId is { } id ? id.ToString() : $"relation:{work.Relation.LabelValue}";

    private static bool IsValid(V1Secret secret, string host, DateTimeOffset now)
    {
        if (TlsMaterial.Of(secret) is not { } material)
        {
            return false;
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(material.CertificateChainPem, material.PrivateKeyPem);
            return certificate.NotAfter.ToUniversalTime() > now.UtcDateTime && certificate.MatchesHostname(host);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
