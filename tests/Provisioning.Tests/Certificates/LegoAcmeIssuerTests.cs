using k8s;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Certificates.Issuers;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Tests.Certificates;

/// <summary>ACME issuance through Debian's lego against Debian's pebble, with the account kept in the sandbox cluster.</summary>
public sealed class LegoAcmeIssuerTests(IssuerTestCluster cluster) : IClassFixture<IssuerTestCluster>
{
    private const string Host = "app.example.com";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Issues_a_certificate_for_the_host_that_chains_to_the_acme_servers_root()
    {
        var ns = await cluster.NamespaceAsync();
        var issuer = Issuer();

        var issued = await issuer.IssueAsync(cluster.Request(ns, "lego", Host, Options(cluster.Pebble)), Ct);

        using var leaf = X509Certificate2.CreateFromPem(issued.CertificateChainPem, issued.PrivateKeyPem);
        Assert.True(leaf.HasPrivateKey);
        Assert.True(leaf.MatchesHostname(Host));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", issued.PrivateKeyPem, StringComparison.Ordinal);
        Assert.NotNull(leaf.GetECDsaPublicKey());
        AssertChainsTo(issued.CertificateChainPem, cluster.Pebble.IssuingRootPem);
        Assert.NotNull(issued.CaCertificatePem);
        using var intermediate = X509Certificate2.CreateFromPem(issued.CaCertificatePem);
        Assert.Equal(intermediate.Subject, leaf.Issuer);
        Assert.Equal(CertificateSource.Acme, issuer.Source);
        Assert.Empty(Directory.GetDirectories(Path.GetTempPath(), "portal-lego-*"));
    }

    [Fact]
    public async Task With_a_solver_address_the_challenge_path_is_routed_to_the_portal_for_the_run_and_the_route_removed_after()
    {
        var ns = await cluster.NamespaceAsync();
        // Two watches deliver independently: the events are put in the cluster's order by their objects' resourceVersion.
        var seen = new System.Collections.Concurrent.ConcurrentQueue<(long Version, string Event)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var client = cluster.Harness.Client;
        var watches = Task.WhenAll(
            Task.Run(async () =>
            {
                await foreach (var (type, ingress) in client.NetworkingV1.WatchListNamespacedIngressAsync(ns, cancellationToken: stop.Token))
                {
                    var rule = ingress.Spec.Rules[0];
                    seen.Enqueue((long.Parse(ingress.Metadata.ResourceVersion, CultureInfo.InvariantCulture),
                        $"{type} Ingress {ingress.Metadata.Name} {rule.Host}{rule.Http.Paths[0].Path} -> {rule.Http.Paths[0].Backend.Service.Name}"));
                }
            }, stop.Token),
            Task.Run(async () =>
            {
                await foreach (var (type, service) in client.CoreV1.WatchListNamespacedServiceAsync(ns, cancellationToken: stop.Token))
                {
                    seen.Enqueue((long.Parse(service.Metadata.ResourceVersion, CultureInfo.InvariantCulture),
                        $"{type} Service {service.Metadata.Name} {service.Spec.Type} {service.Spec.ExternalName}:{service.Spec.Ports[0].Port}"));
                }
            }, stop.Token));

        await Issuer(solver: "portal.portal-system.svc.cluster.local:8089").IssueAsync(cluster.Request(ns, "lego", Host, Options(cluster.Pebble)), Ct);

        string[] expected =
        [
            "Added Service acme-http01-solver ExternalName portal.portal-system.svc.cluster.local:8089",
            $"Added Ingress acme-http01-app-example-com {Host}/.well-known/acme-challenge/ -> acme-http01-solver",
            $"Deleted Ingress acme-http01-app-example-com {Host}/.well-known/acme-challenge/ -> acme-http01-solver",
            "Deleted Service acme-http01-solver ExternalName portal.portal-system.svc.cluster.local:8089",
        ];
        await Eventually(() => Assert.Equal(
            expected, seen.OrderBy(e => e.Version).Select(e => e.Event).Where(e => !e.StartsWith("Modified", StringComparison.Ordinal))));
        Assert.Empty((await client.NetworkingV1.ListNamespacedIngressAsync(ns, cancellationToken: Ct)).Items);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watches);
    }

    [Fact]
    public async Task The_account_is_saved_in_a_secret_and_reused_by_the_next_issuance()
    {
        var ns = await cluster.NamespaceAsync();
        var issuer = Issuer();
        var request = cluster.Request(ns, "lego", Host, Options(cluster.Pebble));

        var first = await issuer.IssueAsync(request, Ct);
        var saved = await AccountAsync(ns);
        var second = await issuer.IssueAsync(request with { Host = "other.example.com" }, Ct);
        var after = await AccountAsync(ns);

        Assert.Contains("PRIVATE KEY", ManagedSecrets.Value(saved, LegoAcmeIssuer.AccountKeyKey), StringComparison.Ordinal);
        var uri = AccountUri(saved);
        Assert.StartsWith(cluster.Pebble.DirectoryUrl.Replace("/dir", "", StringComparison.Ordinal), uri, StringComparison.Ordinal);
        Assert.Equal(IssuerTestCluster.Labels(ns, "lego"), saved.Metadata.Labels);
        // The second run found the account and changed nothing: same key, same registration, same object.
        Assert.Equal(uri, AccountUri(after));
        Assert.Equal(ManagedSecrets.Value(saved, LegoAcmeIssuer.AccountKeyKey), ManagedSecrets.Value(after, LegoAcmeIssuer.AccountKeyKey));
        Assert.Equal(saved.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
        Assert.Single(cluster.Harness.Logs.Lines, l => l.Contains($"Saved the ACME account of lego at {cluster.Pebble.DirectoryUrl} in Secret {ns}/", StringComparison.Ordinal));
        using var one = X509Certificate2.CreateFromPem(first.CertificateChainPem);
        using var two = X509Certificate2.CreateFromPem(second.CertificateChainPem);
        Assert.True(two.MatchesHostname("other.example.com"));
        Assert.NotEqual(one.SerialNumber, two.SerialNumber);
    }

    [Fact]
    public async Task External_account_binding_with_the_right_key_registers()
    {
        var ns = await cluster.NamespaceAsync();
        await cluster.SecretOptionsAsync(ns, "lego", new Dictionary<string, string> { ["eab-hmac"] = IssuerTestCluster.Hmac });

        var issued = await Issuer().IssueAsync(cluster.Request(ns, "lego", Host, Options(cluster.EabPebble, ("eab-kid", IssuerTestCluster.Kid))), Ct);

        AssertChainsTo(issued.CertificateChainPem, cluster.EabPebble.IssuingRootPem);
        Assert.NotNull(await AccountAsync(ns));
        Assert.DoesNotContain(cluster.Harness.Logs.Lines, l => l.Contains(IssuerTestCluster.Hmac, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_eab_key_fails_for_good_with_a_clear_message_that_does_not_show_it()
    {
        const string Wrong = "b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH";
        var ns = await cluster.NamespaceAsync();
        await cluster.SecretOptionsAsync(ns, "lego", new Dictionary<string, string> { ["eab-hmac"] = Wrong });

        var failure = await Assert.ThrowsAsync<CertificateIssuanceException>(() =>
            Issuer().IssueAsync(cluster.Request(ns, "lego", Host, Options(cluster.EabPebble, ("eab-kid", IssuerTestCluster.Kid))), Ct));

        Assert.False(failure.Transient);
        Assert.StartsWith($"The ACME server {cluster.EabPebble.DirectoryUrl} refused the account", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Check eab-kid and eab-hmac of lego", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Harness.Logs.Lines, l => l.Contains(Wrong, StringComparison.Ordinal));
        // Nothing was registered, so nothing was kept.
        Assert.Null(await cluster.Harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", ns, LegoAcmeIssuer.AccountSecretName("lego"), Ct));
    }

    [Fact]
    public async Task A_server_that_requires_external_account_binding_says_so_when_none_is_given()
    {
        var ns = await cluster.NamespaceAsync();

        var failure = await Assert.ThrowsAsync<CertificateIssuanceException>(() =>
            Issuer().IssueAsync(cluster.Request(ns, "lego", Host, Options(cluster.EabPebble)), Ct));

        Assert.False(failure.Transient);
        Assert.Contains("requires external account binding: set eab-kid and eab-hmac of lego", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rejected_email_address_fails_for_good_naming_the_email_option()
    {
        var ns = await cluster.NamespaceAsync();

        var failure = await Assert.ThrowsAsync<CertificateIssuanceException>(() =>
            Issuer().IssueAsync(cluster.Request(ns, "lego", Host, Options(cluster.Pebble, ("email", "not-an-address"))), Ct));

        Assert.False(failure.Transient);
        Assert.Contains("rejected the e-mail address not-an-address", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Set the email option of lego", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_acme_server_is_a_transient_failure()
    {
        var ns = await cluster.NamespaceAsync();
        var server = $"https://127.0.0.1:{PebbleServer.FreePort()}/dir";

        var failure = await Assert.ThrowsAsync<CertificateIssuanceException>(() =>
            Issuer().IssueAsync(cluster.Request(ns, "lego", Host, Options(cluster.Pebble, ("server", server))), Ct));

        Assert.True(failure.Transient);
        Assert.Equal($"The ACME server {server} is not reachable from the portal (connection refused). The portal tries again later.", failure.Message);
    }

    [Fact]
    public async Task A_private_acme_server_is_trusted_only_through_acme_ca_certificates()
    {
        var ns = await cluster.NamespaceAsync();

        var failure = await Assert.ThrowsAsync<CertificateIssuanceException>(() =>
            Issuer().IssueAsync(cluster.Request(ns, "lego", Host, Options(cluster.Pebble, ("acme-ca-certificates", ""))), Ct));

        Assert.False(failure.Transient);
        Assert.Contains("give its CA certificates in acme-ca-certificates of lego", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_that_gets_no_answer_is_stopped_at_the_timeout()
    {
        var ns = await cluster.NamespaceAsync();
        // Accepts connections (the kernel does) and never answers the TLS handshake.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var server = $"https://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/dir";

        var failure = await Assert.ThrowsAsync<CertificateIssuanceException>(() =>
            Issuer(timeout: TimeSpan.FromSeconds(2)).IssueAsync(cluster.Request(ns, "lego", Host, Options(cluster.Pebble, ("server", server))), Ct));

        Assert.True(failure.Transient);
        Assert.StartsWith("lego did not finish within 2 seconds and was stopped", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_lego_binary_says_lego_is_not_installed()
    {
        var ns = await cluster.NamespaceAsync();

        var failure = await Assert.ThrowsAsync<CertificateIssuanceException>(() =>
            Issuer(legoPath: "/nonexistent/lego").IssueAsync(cluster.Request(ns, "lego", Host, Options(cluster.Pebble)), Ct));

        Assert.False(failure.Transient);
        Assert.StartsWith("lego is not installed on the portal's machine", failure.Message, StringComparison.Ordinal);
    }

    private static async Task Eventually(Action assertion)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTimeOffset.UtcNow < deadline)
        {
            try
            {
                assertion();
                return;
            }
            catch (Xunit.Sdk.XunitException)
            {
                await Task.Delay(50, Ct);
            }
        }

        assertion();
    }

    private LegoAcmeIssuer Issuer(string legoPath = "lego", TimeSpan? timeout = null, string solver = "") => new(
        Microsoft.Extensions.Options.Options.Create(new CertificateIssuerOptions
        {
            LegoPath = legoPath,
            Acme = new AcmeIssuerOptions { Http01Address = $"127.0.0.1:{PebbleServer.FreePort()}", Timeout = timeout ?? TimeSpan.FromMinutes(1), Http01Solver = solver },
        }),
        TimeProvider.System,
        cluster.Harness.Get<ILogger<LegoAcmeIssuer>>());

    private static Dictionary<string, string> Options(PebbleServer pebble, params (string Key, string Value)[] overrides)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["issuer"] = "acme",
            ["email"] = "ops@example.com",
            ["server"] = pebble.DirectoryUrl,
            ["plugin"] = "http-01",
            ["eab-kid"] = "",
            ["acme-ca-certificates"] = pebble.ListenerCaPem,
        };
        foreach (var (key, value) in overrides)
        {
            options[key] = value;
        }

        return options;
    }

    private async Task<V1Secret> AccountAsync(string ns) =>
        await cluster.Harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", ns, LegoAcmeIssuer.AccountSecretName("lego"), Ct)
        ?? throw new Xunit.Sdk.XunitException("The ACME account Secret was not saved.");

    private static string AccountUri(V1Secret secret)
    {
        using var json = JsonDocument.Parse(ManagedSecrets.Value(secret, LegoAcmeIssuer.AccountJsonKey)!);
        return json.RootElement.GetProperty("registration").GetProperty("uri").GetString()!;
    }

    internal static void AssertChainsTo(string chainPem, string rootPem)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(chainPem);
        using var root = X509Certificate2.CreateFromPem(rootPem);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.AddRange(certificates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var built = chain.Build(certificates[0]);
        Assert.True(built, string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.Equal(root.Thumbprint, chain.ChainElements[^1].Certificate.Thumbprint);
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }
}
