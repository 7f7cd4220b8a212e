using System.Globalization;
using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>PEM text holding one or more X.509 certificates (a CA bundle, or a certificate and its chain) and, where the
/// caller allows it, one private key.</summary>
/// <remarks>Text around the blocks (OpenSSL's "Bag Attributes", comments) is ignored; <c>EC PARAMETERS</c> blocks, which
/// <c>openssl ecparam -genkey</c> writes before the key, are skipped. Messages never quote PEM content.</remarks>
public sealed record PemBundle
{
    private static readonly HashSet<string> IgnoredLabels = new(StringComparer.Ordinal) { "EC PARAMETERS" };

    private PemBundle(IReadOnlyList<CertificateInfo> certificates, PrivateKeyInfo? privateKey)
    {
        Certificates = certificates;
        PrivateKey = privateKey;
    }

    /// <summary>The certificates in the order given.</summary>
    public IReadOnlyList<CertificateInfo> Certificates { get; }

    /// <summary>The private key, when the text had one and the caller allowed it.</summary>
    public PrivateKeyInfo? PrivateKey { get; }

    /// <summary>The certificates as normalised PEM (one block after another, no other text); never the key.</summary>
    public string CertificatesPem => string.Concat(Certificates.Select(c => c.Pem));

    /// <param name="allowPrivateKey">Accept one private key among the certificates (a combined certificate-and-key file);
    /// otherwise a key is an error, since a key pasted where certificates belong would be stored as if it were public.</param>
    public static Result<PemBundle> TryCreate(string? text, bool allowPrivateKey = false)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Errors.Fail<PemBundle>("PEM text is needed: one or more blocks starting with -----BEGIN CERTIFICATE-----.");
        }

        if (PemReader.TooLong(text) is { } tooLong)
        {
            return Errors.Fail<PemBundle>(tooLong);
        }

        var keyCount = 0;
        var blocks = PemReader.Read(text, out var damaged);
        var messages = new List<string>();
        var legacyEncryptedKey = PemReader.HasLegacyEncryptedKey(text);
        if (legacyEncryptedKey)
        {
            // Its Proc-Type header makes it unreadable as RFC 7468 PEM; it is reported below as a key, not as damage.
            damaged = Math.Max(0, damaged - 1);
            keyCount = 1;
        }

        if (blocks.Count == 0 && damaged == 0 && !legacyEncryptedKey)
        {
            return Errors.Fail<PemBundle>("This is not PEM: blocks starting with -----BEGIN CERTIFICATE----- are expected.");
        }

        if (damaged > 0)
        {
            messages.Add(DamagedMessage(damaged));
        }

        var certificates = new List<CertificateInfo>();
        PrivateKeyInfo? key = null;
        var keys = keyCount;
        for (var i = 0; i < blocks.Count; i++)
        {
            var block = blocks[i];
            var ordinal = Ordinal(i + 1);
            if (block.Label == "CERTIFICATE")
            {
                if (CertificateInfo.TryRead(block.Data) is { } certificate)
                {
                    certificates.Add(certificate);
                }
                else
                {
                    messages.Add($"The {ordinal} PEM block is labelled CERTIFICATE but is not a valid X.509 certificate.");
                }
            }
            else if (block.Label.EndsWith("PRIVATE KEY", StringComparison.Ordinal))
            {
                keys++;
                if (!allowPrivateKey)
                {
                    messages.Add("This contains a private key; only certificates belong here. Remove the key (and keep it secret).");
                }
                else if (keys > 1)
                {
                    messages.Add("This contains more than one private key; give exactly one.");
                }
                else
                {
                    var parsed = PrivateKeyInfo.Read(block);
                    if (parsed.IsSuccess)
                    {
                        key = parsed.Value;
                    }
                    else
                    {
                        messages.AddRange(parsed.Errors.Select(e => e.Message));
                    }
                }
            }
            else if (!IgnoredLabels.Contains(block.Label))
            {
                messages.Add(block.Label switch
                {
                    "CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST" =>
                        $"The {ordinal} PEM block is a certificate signing request, not a certificate; give the certificate the CA issued.",
                    "PUBLIC KEY" => $"The {ordinal} PEM block is a public key, not a certificate.",
                    _ => $"The {ordinal} PEM block is a {Show.Excerpt(block.Label)}, which is not supported here; certificates are expected.",
                });
            }
        }

        if (certificates.Count == 0 && messages.Count == 0 && !legacyEncryptedKey)
        {
            messages.Add("There is no certificate here; a block starting with -----BEGIN CERTIFICATE----- is expected.");
        }

        if (legacyEncryptedKey)
        {
            messages.Add(allowPrivateKey ? PrivateKeyInfo.Encrypted : "This contains a private key; only certificates belong here. Remove the key (and keep it secret).");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var certificate in certificates.Where(c => !seen.Add(c.Sha256Fingerprint)).DistinctBy(c => c.Sha256Fingerprint))
        {
            messages.Add($"The certificate '{Show.Excerpt(certificate.Subject)}' appears more than once.");
        }

        return Errors.Finish(messages, () => new PemBundle(certificates, key));
    }

    public override string ToString() =>
        $"{Certificates.Count} certificate(s){(PrivateKey is null ? "" : " and a private key")}: {string.Join("; ", Certificates.Select(c => c.Subject))}";

    internal static string DamagedMessage(int damaged) => damaged == 1
        ? "A PEM block is damaged: its BEGIN and END lines do not match or its base64 text is broken."
        : $"{damaged.ToString(CultureInfo.InvariantCulture)} PEM blocks are damaged: their BEGIN and END lines do not match or their base64 text is broken.";

    internal static string Ordinal(int n) => n switch
    {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        5 => "fifth",
        _ => $"{n.ToString(CultureInfo.InvariantCulture)}th",
    };
}
