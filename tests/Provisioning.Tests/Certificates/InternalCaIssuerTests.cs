using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Models;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Certificates.Issuers;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Tests.Certificates;

/// <summary>The internal CA against the sandbox: one root per lego component, kept in a Secret and reused.</summary>
public sealed class InternalCaIssuerTests(IssuerTestCluster cluster) : IClassFixture<IssuerTestCluster>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string> Options = new(StringComparer.Ordinal) { ["issuer"] = "internal-ca", ["email"] = "ops@example.com" };

    [Fact]
    public async Task The_root_is_made_once_and_signs_a_90_day_p256_certificate_for_the_host()
    {
        var ns = await cluster.NamespaceAsync();
        var issuer = new InternalCaIssuer(TimeProvider.System);

        var first = await issuer.IssueAsync(cluster.Request(ns, "lego", "app.example.com", Options), Ct);
        var secret = await RootAsync(ns);
        var second = await issuer.IssueAsync(cluster.Request(ns, "lego", "hooks.example.com", Options), Ct);
        var after = await RootAsync(ns);

        Assert.Equal(CertificateSource.InternalCa, issuer.Source);
        Assert.Equal("kubernetes.io/tls", secret.Type);
        Assert.Equal(IssuerTestCluster.Labels(ns, "lego"), secret.Metadata.Labels);
        Assert.Equal(secret.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
        var rootPem = ManagedSecrets.Value(secret, "tls.crt")!;
        using var root = X509Certificate2.CreateFromPem(rootPem);
        Assert.Equal(root.ExportCertificatePem().Trim(), first.CaCertificatePem!.Trim());
        Assert.Equal(first.CaCertificatePem, second.CaCertificatePem);

        foreach (var (issued, host) in new[] { (first, "app.example.com"), (second, "hooks.example.com") })
        {
            using var leaf = X509Certificate2.CreateFromPem(issued.CertificateChainPem, issued.PrivateKeyPem);
            Assert.True(leaf.MatchesHostname(host));
            Assert.False(leaf.MatchesHostname("other.example.com"));
            Assert.Equal(256, leaf.GetECDsaPublicKey()!.KeySize);
            Assert.Equal(TimeSpan.FromDays(90), leaf.NotAfter - leaf.NotBefore - TimeSpan.FromMinutes(5));
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", issued.PrivateKeyPem, StringComparison.Ordinal);
            LegoAcmeIssuerTests.AssertChainsTo(issued.CertificateChainPem, rootPem);
        }
    }

    [Fact]
    public async Task Issuances_racing_on_a_new_stack_end_up_with_one_root()
    {
        var ns = await cluster.NamespaceAsync();
        var issuer = new InternalCaIssuer(TimeProvider.System);

        var issued = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            issuer.IssueAsync(cluster.Request(ns, "lego", $"h{i}.example.com", Options), Ct)));

        var rootPem = ManagedSecrets.Value(await RootAsync(ns), "tls.crt")!;
        Assert.All(issued, i => LegoAcmeIssuerTests.AssertChainsTo(i.CertificateChainPem, rootPem));
    }

    [Fact]
    public async Task A_root_secret_that_is_not_a_ca_fails_for_good_and_says_what_to_do()
    {
        var ns = await cluster.NamespaceAsync();
        await cluster.Harness.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = InternalCaIssuer.CaSecretName("lego"), Labels = IssuerTestCluster.Labels(ns, "lego") },
            StringData = new Dictionary<string, string> { ["tls.crt"] = "garbage", ["tls.key"] = "garbage" },
        }, ns, cancellationToken: Ct);

        var failure = await Assert.ThrowsAsync<CertificateIssuanceException>(() =>
            new InternalCaIssuer(TimeProvider.System).IssueAsync(cluster.Request(ns, "lego", "app.example.com", Options), Ct));

        Assert.False(failure.Transient);
        Assert.StartsWith($"Secret {ns}/lego-ca does not hold a usable CA certificate and key", failure.Message, StringComparison.Ordinal);
    }

    private async Task<V1Secret> RootAsync(string ns) =>
        await cluster.Harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", ns, InternalCaIssuer.CaSecretName("lego"), Ct)
        ?? throw new Xunit.Sdk.XunitException("The root Secret was not created.");
}
