using System.Formats.Asn1;
using System.Security.Cryptography;
using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>An unencrypted RSA or ECDSA private key read from PEM (PKCS#8 <c>PRIVATE KEY</c>, PKCS#1
/// <c>RSA PRIVATE KEY</c> or SEC1 <c>EC PRIVATE KEY</c>), kept as PKCS#8 PEM.</summary>
/// <remarks>Secret: <see cref="ToString"/> never shows the key, and no message quotes key material.</remarks>
public sealed record PrivateKeyInfo
{
    private PrivateKeyInfo(string algorithm, int keySize, string pem, string publicKeySha256)
    {
        Algorithm = algorithm;
        KeySize = keySize;
        Pem = pem;
        PublicKeySha256 = publicKeySha256;
    }

    /// <summary><c>RSA</c> or <c>ECDSA</c>.</summary>
    public string Algorithm { get; }

    public int KeySize { get; }

    /// <summary>The key as PKCS#8 PEM (<c>-----BEGIN PRIVATE KEY-----</c>).</summary>
    public string Pem { get; }

    /// <summary>Hex SHA-256 of the matching public key info, to compare with <see cref="CertificateInfo.PublicKeySha256"/>.</summary>
    public string PublicKeySha256 { get; }

    /// <summary>Reads exactly one private key; certificates in the same text are ignored (combined PEM files are common).</summary>
    public static Result<PrivateKeyInfo> TryCreate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Errors.Fail<PrivateKeyInfo>("A private key is needed, as PEM starting with -----BEGIN PRIVATE KEY-----.");
        }

        if (PemReader.TooLong(text) is { } tooLong)
        {
            return Errors.Fail<PrivateKeyInfo>(tooLong);
        }

        if (PemReader.HasLegacyEncryptedKey(text))
        {
            return Errors.Fail<PrivateKeyInfo>(Encrypted);
        }

        var blocks = PemReader.Read(text, out var damaged);
        var keys = blocks.Where(b => b.Label.EndsWith("PRIVATE KEY", StringComparison.Ordinal)).ToList();
        var messages = new List<string>();
        if (damaged > 0)
        {
            messages.Add(PemBundle.DamagedMessage(damaged));
        }

        if (blocks.Any(b => b.Label == "PUBLIC KEY" || b.Label == "RSA PUBLIC KEY") && keys.Count == 0)
        {
            messages.Add("This is a public key; the private key is needed (-----BEGIN PRIVATE KEY-----).");
        }
        else if (keys.Count == 0 && damaged == 0)
        {
            messages.Add(blocks.Count == 0
                ? "This is not PEM: a private key starting with -----BEGIN PRIVATE KEY----- is expected."
                : "There is no private key here; a block starting with -----BEGIN PRIVATE KEY----- is expected.");
        }
        else if (keys.Count > 1)
        {
            messages.Add($"There are {keys.Count} private keys; give exactly one.");
        }

        if (messages.Count > 0 || keys.Count == 0)
        {
            return Errors.Fail<PrivateKeyInfo>(messages);
        }

        return Read(keys[0]);
    }

    public override string ToString() => $"{Algorithm} {KeySize}-bit private key";

    internal const string Encrypted =
        "The private key is encrypted; give it without a passphrase (e.g. openssl pkey -in key.pem -out plain-key.pem).";

    internal static Result<PrivateKeyInfo> Read(PemBlock block)
    {
        switch (block.Label)
        {
            case "ENCRYPTED PRIVATE KEY":
                return Errors.Fail<PrivateKeyInfo>(Encrypted);
            case "RSA PRIVATE KEY":
                return Import(block, "RSA", RSA.Create(), key => ((RSA)key).ImportRSAPrivateKey(block.Data, out _));
            case "EC PRIVATE KEY":
                return Import(block, "ECDSA", ECDsa.Create(), key => ((ECDsa)key).ImportECPrivateKey(block.Data, out _));
            case "PRIVATE KEY":
                return Pkcs8Algorithm(block.Data) switch
                {
                    "1.2.840.113549.1.1.1" => Import(block, "RSA", RSA.Create(), key => key.ImportPkcs8PrivateKey(block.Data, out _)),
                    "1.2.840.10045.2.1" => Import(block, "ECDSA", ECDsa.Create(), key => key.ImportPkcs8PrivateKey(block.Data, out _)),
                    "1.3.101.112" => Errors.Fail<PrivateKeyInfo>("This is an Ed25519 key; only RSA and ECDSA keys are supported."),
                    "1.2.840.10040.4.1" => Errors.Fail<PrivateKeyInfo>("This is a DSA key; only RSA and ECDSA keys are supported."),
                    null => Errors.Fail<PrivateKeyInfo>("The private key block does not hold a readable PKCS#8 key."),
                    _ => Errors.Fail<PrivateKeyInfo>("This key's algorithm is not supported; only RSA and ECDSA keys are."),
                };
            default:
                return Errors.Fail<PrivateKeyInfo>($"A {block.Label} block is not a supported private key; RSA and ECDSA keys are.");
        }
    }

    private static Result<PrivateKeyInfo> Import(PemBlock block, string algorithm, AsymmetricAlgorithm key, Action<AsymmetricAlgorithm> import)
    {
        using (key)
        {
            try
            {
                import(key);
                    return new PrivateKeyInfo(
                    algorithm,
                    key.KeySize,
                    key.ExportPkcs8PrivateKeyPem() + "\n",
                Convert.ToHexString(SHA256.HashData(key.ExportSubjectPublicKeyInfo())));
            }
            catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
            {
                // An EC key on a curve this platform does not know is as unusable to the ingress as a damaged one.
                return Errors.Fail<PrivateKeyInfo>($"The {block.Label} block is damaged or not a valid {algorithm} key.");
            }
        }
    }

    private static string? Pkcs8Algorithm(byte[] data)
    {
        try
        {
            var info = new AsnReader(data, AsnEncodingRules.BER).ReadSequence();
            info.ReadInteger();
            return info.ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
