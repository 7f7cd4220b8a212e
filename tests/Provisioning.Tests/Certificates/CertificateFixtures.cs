using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Catalog;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Tests.Steps;

namespace Portal.Provisioning.Tests.Certificates;

/// <summary>An issuer for tests: the portal's built-in internal CA, which can be told to fail.</summary>
internal sealed class SwitchableIssuer : ICertificateIssuer
{
    private readonly Portal.Provisioning.Certificates.Issuers.InternalCaIssuer _inner = new(TimeProvider.System);

    public CertificateSource Source => CertificateSource.InternalCa;

    public string? FailWith { get; set; }

    public int Calls { get; private set; }

    public Task<IssuedCertificate> IssueAsync(CertificateRequestContext request, CancellationToken cancellationToken)
    {
        Calls++;
        return FailWith is { } message
            ? throw new CertificateIssuanceException(message, transient: false)
            : _inner.IssueAsync(request, cancellationToken);
    }
}

/// <summary>The served-certificate probe, faked where a test needs a state the sandbox would not show at that moment (a
/// differing certificate served for minutes). Answers with <see cref="State"/>.</summary>
internal sealed class FakeProbe : IServedCertificateProbe
{
    public ServedState State { get; set; } = ServedState.NotReachable;

    public Task<ServedCertificate> ProbeAsync(V1Ingress ingress, string host, string? expectedSha256, CancellationToken cancellationToken) => Task.FromResult(State switch
    {
        ServedState.Matches => new ServedCertificate(ServedState.Matches, "203.0.113.7:443", expectedSha256, null, "serves the Secret's certificate"),
        ServedState.Differs => new ServedCertificate(ServedState.Differs, "203.0.113.7:443", "00112233445566778899AABBCCDDEEFF", null, "serves another certificate"),
        ServedState.NoAddress => new ServedCertificate(ServedState.NoAddress, null, null, null, "the Ingress has no address yet"),
        _ => new ServedCertificate(ServedState.NotReachable, "203.0.113.7:443", null, null, "not reachable from the portal: connection refused"),
    });
}

/// <summary>The wall clock moved by an offset, to make a certificate due without waiting.</summary>
internal sealed class ShiftedTime(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
}

/// <summary>A deployed-looking stack in the sandbox: namespace, TLS Secrets issued by the deploy path, the routes' Ingresses, and its
/// record in a real PostgreSQL portal database.</summary>
internal sealed class CertificateWorld : IAsyncDisposable
{
    public const string Host = "airbyte.example.com";

    private CertificateWorld(StackHarness harness, StackSpec spec, SwitchableIssuer issuer, FakeProbe probe)
    {
        Harness = harness;
        Spec = spec;
        Issuer = issuer;
        Probe = probe;
    }

    public StackHarness Harness { get; }

    public StackSpec Spec { get; }

    public SwitchableIssuer Issuer { get; }

    public FakeProbe Probe { get; }

    public CertificateService Service => Harness.Get<CertificateService>();

    /// <summary>A world whose certificates come from a test issuer and whose probe is faked; with <paramref name="acme"/>, from
    /// that ACME server through the portal's own lego issuer, with the real probe against the sandbox's TLS listener.</summary>
    public static async Task<CertificateWorld> StartAsync(PebbleServer? acme = null)
    {
        var issuer = new SwitchableIssuer();
        var probe = new FakeProbe();
        var harness = await StackHarness.StartAsync(
            register: s =>
            {
                if (acme is null)
                {
                    s.AddSingleton<ICertificateIssuer>(issuer);
                    s.AddSingleton<IServedCertificateProbe>(probe);
                }
                else
                {
                    // lego answers http-01 on a port of its own; pebble validates nothing (PEBBLE_VA_ALWAYS_VALID).
                    s.Configure<Portal.Provisioning.Certificates.Issuers.CertificateIssuerOptions>(o =>
                        o.Acme.Http01Address = $"127.0.0.1:{PebbleServer.FreePort()}");
                }

                s.AddSingleton<CertificateService>();
            },
            provider: "postgres");
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var spec = TestStacks.Minimal($"c{suffix}", $"certs-{suffix}", config =>
        {
            if (acme is not null)
            {
                config["lego"]["issuer"] = "acme";
                config["lego"]["server"] = acme.DirectoryUrl;
                config["lego"]["acme-ca-certificates"] = acme.ListenerCaPem;
            }
        });
        await harness.RunStepAsync(spec, StepIds.EnsureNamespace(spec.Namespace));
        foreach (var relation in spec.Relations.Where(r => r.Interface is Interfaces.NginxRoute or Interfaces.TlsCertificates))
        {
            var outcome = await harness.RunStepAsync(spec, StepIds.Provision(relation), timeout: TimeSpan.FromMinutes(2));
            Assert.True(outcome is Portal.Provisioning.Operations.StepOutcome.Done, $"{relation}: {outcome}");
        }

        var stored = await harness.SaveDeployedStackAsync(spec, TestContext.Current.CancellationToken);

        return new CertificateWorld(harness, stored, issuer, probe);
    }

    public async Task<V1Secret> LiveAsync(string host = Host) =>
        (await TlsSecretRevisions.ReadAsync(Harness.Cluster, Spec.Namespace, Domain.Naming.ObjectNames.TlsSecret(host), TestContext.Current.CancellationToken))!;

    public static string Serial(V1Secret secret)
    {
        using var certificate = X509Certificate2.CreateFromPem(Portal.Provisioning.Secrets.ManagedSecrets.Value(secret, "tls.crt"));
        return certificate.SerialNumber;
    }

    public async ValueTask DisposeAsync() => await Harness.DisposeAsync();
}

/// <summary>Certificates made on the spot for upload tests.</summary>
internal static class TestCertificates
{
    public static (X509Certificate2 Certificate, AsymmetricAlgorithm Key) Root(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5)), key);
    }

    public static (X509Certificate2 Certificate, AsymmetricAlgorithm Key) Intermediate(X509Certificate2 issuer, string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var certificate = request.Create(issuer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2), RandomNumberGenerator.GetBytes(12));
        return (certificate, key);
    }

    /// <summary>A server certificate for <paramref name="host"/>, signed by <paramref name="issuer"/> (self-signed when null).</summary>
    public static (string Certificate, string Key) Leaf(
        string host, X509Certificate2? issuer = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, int rsaBits = 0)
    {
        using AsymmetricAlgorithm key = rsaBits > 0 ? RSA.Create(rsaBits) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA rsa
            ? new CertificateRequest($"CN={host}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest($"CN={host}", (ECDsa)key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        var until = notAfter ?? DateTimeOffset.UtcNow.AddDays(60);
        using var certificate = issuer is null
            ? request.CreateSelfSigned(from, until)
            : request.Create(issuer, from, until, RandomNumberGenerator.GetBytes(12));
        return (certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
