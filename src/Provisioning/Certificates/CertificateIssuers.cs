using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Rendering;

namespace Portal.Provisioning.Certificates;

/// <summary>A hostname a stack's ingress serves with TLS: the ingress, the certificates relation that issues for it (null when the
/// ingress names its own Secret), and that Secret.</summary>
internal sealed record CertificateHost(string Host, string Ingress, RelationSpec? Certificates, string? ExternalSecret)
{
    public string SecretName => ExternalSecret ?? ObjectNames.TlsSecret(Host);

    /// <summary>The lego component that issues for it, when one does.</summary>
    public string? Provider => ExternalSecret is null ? Certificates?.Provider.Component : null;
}

/// <summary>Chooses the issuer of a hostname from the lego component's <c>issuer</c> option (<c>internal-ca</c>, otherwise ACME)
/// and builds what the issuer needs.</summary>
/// <remarks>The last registered issuer of a source wins, as with any service registration.</remarks>
internal sealed class CertificateIssuers(IEnumerable<ICertificateIssuer> issuers, ComponentCatalog catalog)
{
    public const string IssuerOption = "issuer";
    public const string InternalCaIssuer = "internal-ca";
    public const string MaintenanceWindowOption = "maintenance-window";
    public const string RenewAtOption = "renew-at-lifetime-percent";

    private readonly Dictionary<CertificateSource, ICertificateIssuer> _bySource = issuers.GroupBy(i => i.Source).ToDictionary(g => g.Key, g => g.Last());

    /// <summary>Every hostname the stack's ingresses serve with TLS, by hostname.</summary>
    public IReadOnlyList<CertificateHost> HostsOf(StackSpec stack)
    {
        var hosts = new List<CertificateHost>();
        foreach (var route in RouteTable.For(stack, catalog).DistinctBy(r => r.Host, StringComparer.Ordinal).OrderBy(r => r.Host, StringComparer.Ordinal))
        {
            var external = Option(stack, route.Ingress, "tls-secret-name") is { Length: > 0 } name ? name : null;
            var relation = stack.Relations.FirstOrDefault(r => r.Interface == Interfaces.TlsCertificates && r.Requirer.Component == route.Ingress);
            if (external is not null || relation is not null)
            {
                hosts.Add(new CertificateHost(route.Host, route.Ingress, relation, external));
            }
        }

        return hosts;
    }

    /// <summary>Where the lego component <paramref name="provider"/> gets certificates from.</summary>
    public CertificateSource SourceOf(StackSpec stack, string provider) =>
        Option(stack, provider, IssuerOption) == InternalCaIssuer
            ? CertificateSource.InternalCa
            : CertificateSource.Acme;

    public ICertificateIssuer IssuerFor(CertificateSource source) =>
        _bySource.TryGetValue(source, out var issuer)
            ? issuer
            : throw new InvalidOperationException($"No issuer makes {source} certificates; they come from an operator.");

    /// <summary>"the ACME server https://…" or "the internal CA of lego", for step descriptions.</summary>
    public string Describe(StackSpec stack, string provider) => SourceOf(stack, provider) == CertificateSource.Acme
        ? $"the ACME server {Option(stack, provider, "server")}"
        : $"the internal CA of {provider}";

    public CertificateRequestContext Request(IClusterGateway cluster, StackSpec stack, string provider, string host)
    {
        var component = stack.Component(provider);
        var kind = catalog.Get(component.Kind);
        var options = new Dictionary<string, string>(component.Effective(kind), StringComparer.Ordinal);
        foreach (var (key, value) in component.Config.Where(c => kind.FindOption(c.Key) is null))
        {
            options[key] = value;
        }

        foreach (var secret in kind.Options.Where(o => o.Secret))
        {
            options.Remove(secret.Name);
        }

        return new CertificateRequestContext(cluster, stack.Namespace, stack.Name, provider, options, StackRenderer.Labels(stack, provider), host);
    }

    /// <summary>An option of a component: its value or catalog default; for an option the catalog does not know (yet), what the
    /// stack says, or null.</summary>
    public string? Option(StackSpec stack, string component, string option)
    {
        var spec = stack.Component(component);
        var kind = catalog.Get(spec.Kind);
        return kind.FindOption(option) is not null ? spec.Get(kind, option) : spec.Config.GetValueOrDefault(option);
    }
}
