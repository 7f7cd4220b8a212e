using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Models;
using Portal.Provisioning.Certificates;
using Portal.Sandbox;

namespace Portal.Provisioning.Tests.Certificates;

/// <summary>The probe asks the ingress address, with a real TLS handshake, what it serves for a hostname, and never guesses.</summary>
public sealed class ServedCertificateProbeTests : IAsyncLifetime
{
    private const string Host = "airbyte.example.com";

    private readonly ServedCertificateProbe _probe = new(TimeProvider.System);
    private SandboxCluster _sandbox = null!;
    private Kubernetes _client = null!;
    private string _kubeconfig = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            Simulation = new SimulationOptions { LoadBalancerDelay = TimeSpan.Zero },
        }, Ct);
        _kubeconfig = Path.Combine(Path.GetTempPath(), $"probe-{Guid.NewGuid():N}.kubeconfig");
        _sandbox.WriteKubeconfig(_kubeconfig);
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_kubeconfig));
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "probe" } }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _sandbox.DisposeAsync();
        File.Delete(_kubeconfig);
    }

    [Fact]
    public async Task The_certificate_in_the_secret_is_reported_as_served()
    {
        var fingerprint = await ServeAsync("web");

        var served = await _probe.ProbeAsync(await AddressedAsync("web"), Host, fingerprint, Ct);

        Assert.Equal(ServedState.Matches, served.State);
        Assert.Equal(fingerprint, served.Sha256Fingerprint);
        Assert.Equal($"127.0.0.1:{_sandbox.IngressTlsPort}", served.Address);
        Assert.NotNull(served.NotAfter);
    }

    [Fact]
    public async Task Another_certificate_served_is_reported_as_differing_with_what_it_is()
    {
        await ServeAsync("web");

        var served = await _probe.ProbeAsync(await AddressedAsync("web"), Host, new string('A', 64), Ct);

        Assert.Equal(ServedState.Differs, served.State);
        Assert.Contains("serves another certificate", served.Message, StringComparison.Ordinal);
        Assert.Contains($"CN={Host}", served.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ingress_without_an_address_is_not_asked()
    {
        var served = await _probe.ProbeAsync(new V1Ingress { Metadata = new V1ObjectMeta { Name = "web" } }, Host, null, Ct);

        Assert.Equal(ServedState.NoAddress, served.State);
        Assert.Null(served.Sha256Fingerprint);
    }

    [Fact]
    public async Task An_address_that_refuses_the_connection_is_not_reachable_never_guessed()
    {
        var closed = ClosedPort();
        var ingress = new V1Ingress
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Status = new V1IngressStatus
            {
                LoadBalancer = new V1IngressLoadBalancerStatus
                {
                    Ingress = [new V1IngressLoadBalancerIngress { Ip = "127.0.0.1", Ports = [new V1IngressPortStatus { Port = closed, Protocol = "TCP" }] }],
                },
            },
        };

        var served = await _probe.ProbeAsync(ingress, Host, new string('A', 64), Ct);

        Assert.Equal(ServedState.NotReachable, served.State);
        Assert.Equal($"not reachable from the portal (127.0.0.1:{closed}): connection refused", served.Message);
        Assert.Null(served.Sha256Fingerprint);
    }

    // Creates a TLS Secret and an Ingress naming it; returns the certificate's fingerprint.
    private async Task<string> ServeAsync(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={Host}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(90));
        await _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = $"tls-{name}" },
            Type = "kubernetes.io/tls",
            Data = new Dictionary<string, byte[]>
            {
                ["tls.crt"] = Encoding.UTF8.GetBytes(certificate.ExportCertificatePem()),
                ["tls.key"] = Encoding.UTF8.GetBytes(key.ExportPkcs8PrivateKeyPem()),
            },
        }, "probe", cancellationToken: Ct);
        await _client.NetworkingV1.CreateNamespacedIngressAsync(new V1Ingress
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1IngressSpec
            {
                IngressClassName = "nginx",
                Tls = [new V1IngressTLS { Hosts = [Host], SecretName = $"tls-{name}" }],
                Rules = [new V1IngressRule { Host = Host }],
            },
        }, "probe", cancellationToken: Ct);
        return certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }

    private async Task<V1Ingress> AddressedAsync(string name)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var ingress = await _client.NetworkingV1.ReadNamespacedIngressAsync(name, "probe", cancellationToken: deadline.Token);
            if (ingress.Status?.LoadBalancer?.Ingress is { Count: > 0 })
            {
                return ingress;
            }

            await Task.Delay(50, deadline.Token);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
