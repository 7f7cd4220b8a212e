using System.Text;
using k8s;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Tests.Steps;

namespace Portal.Provisioning.Tests.Certificates;

/// <summary>A sandbox cluster reached through the portal's gateway, and pebble twice: open, and requiring external account binding.</summary>
public sealed class IssuerTestCluster : IAsyncLifetime
{
    public const string Kid = "kid-1";

    /// <summary>Pebble's example EAB key (base64url, as ACME providers hand them out).</summary>
    public const string Hmac = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";

    private StackHarness? _harness;

    internal StackHarness Harness => _harness ?? throw new InvalidOperationException("Not started.");

    public PebbleServer Pebble { get; private set; } = null!;

    public PebbleServer EabPebble { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _harness = await StackHarness.StartAsync();
        Pebble = await PebbleServer.StartAsync();
        EabPebble = await PebbleServer.StartAsync(new Dictionary<string, string> { [Kid] = Hmac });
    }

    public async ValueTask DisposeAsync()
    {
        if (EabPebble is not null)
        {
            await EabPebble.DisposeAsync();
        }

        if (Pebble is not null)
        {
            await Pebble.DisposeAsync();
        }

        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }

    /// <summary>A fresh namespace for one test's stack.</summary>
    public async Task<string> NamespaceAsync()
    {
        var name = $"cert{Guid.NewGuid():N}"[..12];
        await Harness.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: TestContext.Current.CancellationToken);
        return name;
    }

    /// <summary>The lego component's Secret with its secret options, as the apply step writes it.</summary>
    public async Task SecretOptionsAsync(string @namespace, string provider, IReadOnlyDictionary<string, string> values)
    {
        await Harness.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = ObjectNames.ComponentSecret(provider), Labels = Labels(@namespace, provider) },
            Data = values.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(kv.Value)),
        }, @namespace, cancellationToken: TestContext.Current.CancellationToken);
    }

    internal CertificateRequestContext Request(string @namespace, string provider, string host, IReadOnlyDictionary<string, string> options) =>
        new(Harness.Cluster, @namespace, @namespace, provider, options, Labels(@namespace, provider), host);

    internal static Dictionary<string, string> Labels(string stack, string provider) => new(StringComparer.Ordinal)
    {
        [PortalLabels.ManagedBy] = PortalLabels.ManagedByValue,
        [PortalLabels.Stack] = stack,
        [PortalLabels.Component] = provider,
    };
}
