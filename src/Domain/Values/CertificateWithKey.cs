using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>A TLS server certificate with its private key and chain, checked for everything that would make a browser
/// or the ingress refuse it: readable PEM, a matching key, validity at the given time, the hostname, chain order and
/// key strength.</summary>
/// <remarks>Secret: holds the private key; <see cref="ToString"/> never shows it.</remarks>
public sealed record CertificateWithKey
{
    public const int MinimumRsaKeySize = 2048;
    public const int MinimumEcKeySize = 256;

    private CertificateWithKey(CertificateInfo leaf, IReadOnlyList<CertificateInfo> chain, PrivateKeyInfo key)
    {
        Leaf = leaf;
        Chain = chain;
        Key = key;
    }

    /// <summary>The server certificate.</summary>
    public CertificateInfo Leaf { get; }

    /// <summary>The intermediates (and possibly the root) after the leaf, each issued by the next.</summary>
    public IReadOnlyList<CertificateInfo> Chain { get; }

    public PrivateKeyInfo Key { get; }

    /// <summary>Leaf then chain as PEM: the <c>tls.crt</c> of a <c>kubernetes.io/tls</c> Secret.</summary>
    public string CertificateChainPem => Leaf.Pem + string.Concat(Chain.Select(c => c.Pem));

    /// <summary>The key as PKCS#8 PEM: the <c>tls.key</c> of a <c>kubernetes.io/tls</c> Secret.</summary>
    public string PrivateKeyPem => Key.Pem;

    /// <summary>Checks a certificate, its key and chain; every problem is reported, under the paths <c>certificate</c>,
    /// <c>key</c>, <c>chain</c> and <c>hostname</c>.</summary>
    /// <param name="certificatePem">The server certificate first; intermediates may follow it in the same text, and the
    /// key too when <paramref name="keyPem"/> is empty.</param>
    /// <param name="keyPem">The private key (RSA or ECDSA, unencrypted).</param>
    /// <param name="chainPem">Intermediates, when not already in <paramref name="certificatePem"/>.</param>
    /// <param name="hostname">The hostname the certificate must cover; null skips that check.</param>
    /// <param name="now">The time validity is checked at (the caller's clock).</param>
    public static Result<CertificateWithKey> TryCreate(
        string? certificatePem, string? keyPem, string? chainPem, Hostname? hostname, DateTimeOffset now)
    {
        var errors = new ErrorList();
        errors.Collect(PemBundle.TryCreate(certificatePem, allowPrivateKey: true), "certificate", out var certificateBundle);

        PrivateKeyInfo? key = null;
        if (!string.IsNullOrWhiteSpace(keyPem))
        {
            errors.Collect(PrivateKeyInfo.TryCreate(keyPem), "key", out key);
        }
        else if (certificateBundle?.PrivateKey is { } embedded)
        {
            key = embedded;
        }
        else if (certificatePem is null || !certificatePem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            errors.Add("key", "A private key is needed, as PEM starting with -----BEGIN PRIVATE KEY-----.");
        }

        var chain = new List<CertificateInfo>();
        if (certificateBundle is not null)
        {
            chain.AddRange(certificateBundle.Certificates.Skip(1));
        }

        if (!string.IsNullOrWhiteSpace(chainPem) && errors.Collect(PemBundle.TryCreate(chainPem), "chain", out var chainBundle))
        {
            chain.AddRange(chainBundle.Certificates);
        }

        var leaf = certificateBundle?.Certificates[0];
        if (leaf is null)
        {
            return Result<CertificateWithKey>.Failure(errors);
        }

        CheckLeaf(leaf, hostname, now, errors);
        if (key is not null)
        {
            // The key's strength is the certificate's when they match, so it is checked (once) on the certificate.
            if (key.PublicKeySha256 != leaf.PublicKeySha256)
            {
                errors.Add("key", $"The private key does not match the certificate '{Show.Excerpt(leaf.Subject)}': it belongs to a different certificate.");
            }
        }

        CheckChain(leaf, chain, now, errors);
        return errors.ToResult(() => new CertificateWithKey(leaf, chain, key!));
    }

    public override string ToString() =>
        $"{Leaf.Subject} (valid until {Show.Time(Leaf.NotAfter)}), {Chain.Count} chain certificate(s), {Key}";

    private static void CheckLeaf(CertificateInfo leaf, Hostname? hostname, DateTimeOffset now, ErrorList errors)
    {
        if (now < leaf.NotBefore)
        {
            errors.Add("certificate", $"The certificate '{Show.Excerpt(leaf.Subject)}' is not valid yet; it becomes valid on {Show.Time(leaf.NotBefore)}.");
        }

        if (now > leaf.NotAfter)
        {
            errors.Add("certificate", $"The certificate '{Show.Excerpt(leaf.Subject)}' expired on {Show.Time(leaf.NotAfter)}.");
        }

        if (!leaf.AllowsServerAuthentication)
        {
            errors.Add("certificate", $"The certificate '{Show.Excerpt(leaf.Subject)}' is not for TLS servers: its extended key usage lacks server authentication.");
        }

        CheckKeySize(leaf, errors);

        if (hostname is not null && !leaf.Covers(hostname))
        {
            var names = leaf.HostNames;
            var covers = names.Count == 0
                ? "it names no hostname at all"
                : $"it covers {string.Join(", ", names.Take(5).Select(Show.Excerpt))}{(names.Count > 5 ? $" and {names.Count - 5} more" : "")}";
            var source = leaf.HasSubjectAlternativeNames ? "" : " (no subject alternative names, so its common name counts)";
            errors.Add("hostname", $"The certificate does not cover {hostname.Value}; {covers}{source}.");
        }
    }

    private static void CheckKeySize(CertificateInfo leaf, ErrorList errors)
    {
        var minimum = leaf.KeyAlgorithm switch
        {
            "RSA" => MinimumRsaKeySize,
            "ECDSA" => MinimumEcKeySize,
            _ => 0,
        };
        if (minimum == 0)
        {
            errors.Add("certificate", $"The certificate '{Show.Excerpt(leaf.Subject)}' has a {leaf.KeyAlgorithm} key; only RSA and ECDSA keys are supported.");
        }
        else if (leaf.KeySize < minimum)
        {
            errors.Add("certificate",
                $"The certificate '{Show.Excerpt(leaf.Subject)}' has a {leaf.KeySize}-bit {leaf.KeyAlgorithm} key; at least {minimum} bits are required.");
        }
    }

    private static void CheckChain(CertificateInfo leaf, List<CertificateInfo> chain, DateTimeOffset now, ErrorList errors)
    {
        var all = new List<CertificateInfo> { leaf };
        all.AddRange(chain);
        if (all.DistinctBy(c => c.Sha256Fingerprint).Count() != all.Count)
        {
            errors.Add("chain", "The chain repeats a certificate; give each certificate once.");
            return;
        }

        foreach (var certificate in chain)
        {
            if (now > certificate.NotAfter)
            {
                errors.Add("chain", $"The chain certificate '{Show.Excerpt(certificate.Subject)}' expired on {Show.Time(certificate.NotAfter)}.");
            }
            else if (now < certificate.NotBefore)
            {
                errors.Add("chain", $"The chain certificate '{Show.Excerpt(certificate.Subject)}' is not valid until {Show.Time(certificate.NotBefore)}.");
            }
        }

        for (var i = 0; i + 1 < all.Count; i++)
        {
            var subject = all[i];
            var next = all[i + 1];
            if (subject.IsIssuedBy(next))
            {
                continue;
            }

            var issuer = all.FirstOrDefault(c => c != subject && subject.IsIssuedBy(c));
            errors.Add("chain", issuer is not null
                ? $"The chain is out of order: '{Show.Excerpt(subject.Subject)}' must be followed by its issuer '{Show.Excerpt(issuer.Subject)}', not by '{Show.Excerpt(next.Subject)}'."
                : $"The chain is broken: '{Show.Excerpt(next.Subject)}' did not issue '{Show.Excerpt(subject.Subject)}' (its issuer is '{Show.Excerpt(subject.Issuer)}').");
            return;
        }
    }
}
