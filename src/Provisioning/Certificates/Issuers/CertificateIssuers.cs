using Portal.Domain.Catalog.Kinds;

namespace Portal.Provisioning.Certificates.Issuers;

/// <summary>Picks the issuer of a lego component from its <c>issuer</c> option: the ACME server (the default) or the stack's
/// internal CA.</summary>
internal sealed class CertificateIssuers(IEnumerable<ICertificateIssuer> issuers)
{
    private readonly Dictionary<CertificateSource, ICertificateIssuer> _bySource = issuers.ToDictionary(i => i.Source);

    /// <summary>Where a lego component's certificates come from, by its options (a missing or empty <c>issuer</c> is ACME).</summary>
    public static CertificateSource SourceOf(IReadOnlyDictionary<string, string> legoOptions)
    {
        ArgumentNullException.ThrowIfNull(legoOptions);
        return legoOptions.TryGetValue("issuer", out var issuer) && issuer == LegoKind.InternalCaIssuer
            ? CertificateSource.InternalCa
            : CertificateSource.Acme;
    }

    /// <summary>The issuer for a lego component's options.</summary>
    public ICertificateIssuer For(IReadOnlyDictionary<string, string> legoOptions) => For(SourceOf(legoOptions));

    /// <summary>The issuer of a source; manual and external certificates have none (an operator brings them).</summary>
    public ICertificateIssuer For(CertificateSource source) => _bySource.TryGetValue(source, out var issuer)
        ? issuer
        : throw new InvalidOperationException($"No issuer makes {source} certificates; they come from an operator.");
}
