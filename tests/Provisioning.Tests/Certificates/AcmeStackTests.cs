using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Certificates.Issuers;

namespace Portal.Provisioning.Tests.Certificates;

/// <summary>A stack in the sandbox whose lego component points at Debian's pebble: the deploy path issues its certificate over
/// ACME through the portal's own lego issuer, the ingress serves it (a real TLS handshake to the sandbox's ingress listener), and a
/// renewal is the same rotation operation the auto-renew job starts, again from pebble, with the ACME account reused.</summary>
public sealed class AcmeStackTests : IAsyncLifetime
{
    private PebbleServer _pebble = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _pebble = await PebbleServer.StartAsync();

    public async ValueTask DisposeAsync() => await _pebble.DisposeAsync();

    [Fact]
    public async Task The_deploy_issues_from_the_acme_server_the_ingress_serves_it_and_a_renewal_issues_again_from_it()
    {
        await using var world = await CertificateWorld.StartAsync(_pebble);
        var first = await world.LiveAsync();
        AssertIssuedByPebble(first);
        Assert.Equal("Acme", first.Metadata.Annotations[TlsSecretRevisions.SourceAnnotation]);
        var account = await AccountAsync(world);

        var lane = await ServedLaneAsync(world, CertificateWorld.Serial(first));
        Assert.Equal(CertificateSource.Acme, lane.Source);
        Assert.Equal(1, lane.Revision);
        Assert.NotNull(lane.NextRenewal);

        var started = await world.Service.RotateAsync(world.Spec.Name, CertificateWorld.Host, "renew before the audit", "ops@example.com", Ct);
        Assert.True(started.IsSuccess, started.Message);
        await world.Harness.DrainAsync();

        await using (var context = world.Harness.Database.CreateContext())
        {
            var operation = await context.Operations.Include(o => o.Steps).AsNoTracking().SingleAsync(o => o.Id == started.Value.OperationId, Ct);
            Assert.True(operation.State == OperationState.Succeeded, operation.Error);
            var verify = operation.Steps.Single(s => s.Kind == StepKind.VerifyCertificate);
            Assert.Contains("serves the new certificate", verify.Message, StringComparison.Ordinal);
        }

        var renewed = await world.LiveAsync();
        AssertIssuedByPebble(renewed);
        Assert.NotEqual(CertificateWorld.Serial(first), CertificateWorld.Serial(renewed));
        Assert.Equal(2, Portal.Provisioning.Secrets.ManagedSecrets.RevisionOf(renewed));
        Assert.Equal(CertificateWorld.Serial(first), CertificateWorld.Serial(Assert.Single(
            await TlsSecretRevisions.KeptAsync(world.Harness.Cluster, world.Spec.Namespace, ObjectNames.TlsSecret(CertificateWorld.Host), Ct))));
        Assert.Equal(account, await AccountAsync(world));
        Assert.Equal(2, (await ServedLaneAsync(world, CertificateWorld.Serial(renewed))).Revision);
    }

    private void AssertIssuedByPebble(k8s.Models.V1Secret secret)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(Portal.Provisioning.Secrets.ManagedSecrets.Value(secret, "tls.crt"));
        using var root = X509Certificate2.CreateFromPem(_pebble.IssuingRootPem);
        using var verifier = new X509Chain();
        verifier.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        verifier.ChainPolicy.CustomTrustStore.Add(root);
        verifier.ChainPolicy.ExtraStore.AddRange(chain.Skip(1).ToArray());
        verifier.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(verifier.Build(chain[0]), string.Join("; ", verifier.ChainStatus.Select(s => s.StatusInformation)));
        Assert.True(chain[0].MatchesHostname(CertificateWorld.Host));
    }

    // The ACME account the lego issuer keeps in the cluster: the same key means the same account was used again.
    private static async Task<string> AccountAsync(CertificateWorld world)
    {
        var secret = await world.Harness.Cluster.ReadAsync<k8s.Models.V1Secret>(
            "v1", "Secret", world.Spec.Namespace, LegoAcmeIssuer.AccountSecretName("lego"), Ct);
        return Assert.IsType<string>(Portal.Provisioning.Secrets.ManagedSecrets.Value(secret, LegoAcmeIssuer.AccountKeyKey));
    }

    // The lane once the ingress (addressed by the sandbox after a moment) serves the certificate with this serial.
    private static async Task<CertificateLane> ServedLaneAsync(CertificateWorld world, string serial)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var lanes = await world.Service.ListAsync(world.Spec.Name, Ct);
            Assert.True(lanes.IsSuccess, lanes.Message);
            var lane = lanes.Value.Lanes.Single(l => l.Host == CertificateWorld.Host);
            if (lane.Served.State == ServedState.Matches && lane.Live?.SerialNumber == serial)
            {
                return lane;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"the ingress never served serial {serial}: {lane.Served.State} {lane.Served.Message}");
            await Task.Delay(100, Ct);
        }
    }
}
