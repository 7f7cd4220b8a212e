using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Models;

namespace Portal.Sandbox.Tests;

/// <summary>The simulated ingress controller serves, over real TLS on its load-balancer address, the certificate the Ingress names
/// for the SNI hostname, as ingress-nginx does.</summary>
public sealed class IngressTlsTests : IAsyncLifetime
{
    private const string Host = "airbyte.example.com";

    private SandboxHarness _sandbox = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _sandbox = await SandboxHarness.StartAsync();

    public async ValueTask DisposeAsync() => await _sandbox.DisposeAsync();

    [Fact]
    public async Task An_ingress_with_tls_lists_the_served_port_and_serves_its_secret_for_its_host()
    {
        var ns = await _sandbox.NamespaceAsync();
        var (certificate, key) = Certificate(Host);
        await _sandbox.Client.CoreV1.CreateNamespacedSecretAsync(TlsSecret("tls-airbyte", certificate, key), ns, cancellationToken: Ct);
        await _sandbox.Client.NetworkingV1.CreateNamespacedIngressAsync(Ingress("web", Host, "tls-airbyte"), ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));

        var ingress = await _sandbox.Client.NetworkingV1.ReadNamespacedIngressAsync("web", ns, cancellationToken: Ct);
        var entry = Assert.Single(ingress.Status.LoadBalancer.Ingress);
        Assert.Equal("127.0.0.1", entry.Ip);
        Assert.Equal(_sandbox.Cluster.IngressTlsPort, Assert.Single(entry.Ports).Port);

        var served = await HandshakeAsync(Host);
        Assert.Equal(Fingerprint(certificate), served.GetCertHashString(HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task A_replaced_secret_is_served_from_the_next_handshake_on()
    {
        var ns = await _sandbox.NamespaceAsync();
        var (first, firstKey) = Certificate(Host);
        await _sandbox.Client.CoreV1.CreateNamespacedSecretAsync(TlsSecret("tls-airbyte", first, firstKey), ns, cancellationToken: Ct);
        await _sandbox.Client.NetworkingV1.CreateNamespacedIngressAsync(Ingress("web", Host, "tls-airbyte"), ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(Fingerprint(first), (await HandshakeAsync(Host)).GetCertHashString(HashAlgorithmName.SHA256));

        var (second, secondKey) = Certificate(Host);
        await _sandbox.Client.CoreV1.ReplaceNamespacedSecretAsync(TlsSecret("tls-airbyte", second, secondKey), "tls-airbyte", ns, cancellationToken: Ct);

        Assert.Equal(Fingerprint(second), (await HandshakeAsync(Host)).GetCertHashString(HashAlgorithmName.SHA256));
    }

    [Fact]
    public async Task A_host_without_a_usable_secret_gets_the_controllers_fake_certificate()
    {
        var ns = await _sandbox.NamespaceAsync();
        await _sandbox.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "broken" },
            Type = "kubernetes.io/tls",
            Data = new Dictionary<string, byte[]> { ["tls.crt"] = "not a certificate"u8.ToArray(), ["tls.key"] = "nor a key"u8.ToArray() },
        }, ns, cancellationToken: Ct);
        await _sandbox.Client.NetworkingV1.CreateNamespacedIngressAsync(Ingress("broken", "broken.example.com", "broken"), ns, cancellationToken: Ct);
        await _sandbox.Client.NetworkingV1.CreateNamespacedIngressAsync(Ingress("missing", "missing.example.com", "no-such-secret"), ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));

        foreach (var host in new[] { "broken.example.com", "missing.example.com", "nobody.example.com" })
        {
            Assert.StartsWith("CN=Kubernetes Ingress Controller Fake Certificate", (await HandshakeAsync(host)).Subject, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_ingress_without_tls_gets_an_address_without_ports()
    {
        var ns = await _sandbox.NamespaceAsync();
        await _sandbox.Client.NetworkingV1.CreateNamespacedIngressAsync(new V1Ingress
        {
            Metadata = new V1ObjectMeta { Name = "plain" },
            Spec = new V1IngressSpec { IngressClassName = "nginx", Rules = [new V1IngressRule { Host = Host }] },
        }, ns, cancellationToken: Ct);
        await _sandbox.AdvanceAsync(TimeSpan.FromMinutes(1));

        var ingress = await _sandbox.Client.NetworkingV1.ReadNamespacedIngressAsync("plain", ns, cancellationToken: Ct);
        Assert.Null(Assert.Single(ingress.Status.LoadBalancer.Ingress).Ports);
    }

    private async Task<X509Certificate2> HandshakeAsync(string host)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _sandbox.Cluster.IngressTlsPort!.Value, Ct);
        await using var tls = new SslStream(client.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = static (_, certificate, _, _) => certificate is not null,
        }, Ct);
        return X509CertificateLoader.LoadCertificate(tls.RemoteCertificate!.GetRawCertData());
    }

    private static V1Ingress Ingress(string name, string host, string secret) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1IngressSpec
        {
            IngressClassName = "nginx",
            Tls = [new V1IngressTLS { Hosts = [host], SecretName = secret }],
            Rules = [new V1IngressRule { Host = host }],
        },
    };

    private static V1Secret TlsSecret(string name, string certificate, string key) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Type = "kubernetes.io/tls",
        Data = new Dictionary<string, byte[]> { ["tls.crt"] = Encoding.UTF8.GetBytes(certificate), ["tls.key"] = Encoding.UTF8.GetBytes(key) },
    };

    private static (string Certificate, string Key) Certificate(string host)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(90));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    private static string Fingerprint(string pem)
    {
        using var certificate = X509Certificate2.CreateFromPem(pem);
        return certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }
}
