using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CsCheck;
using Portal.Domain.Catalog;
using Portal.Domain.Stacks;
using Portal.Domain.Tests.TestData;
using Portal.Domain.Values;

namespace Portal.Domain.Tests.BadInput;

/// <summary>Hostile PEM through certificate upload validation (<see cref="ManualCertificateValidator"/>) and the PEM options: damaged
/// DER, random base64, wrong and hostile labels, keys where certificates belong, certificates whose subject and names carry control
/// characters and right-to-left overrides, and text around it all. Never a throw, never key material in a message, and the
/// decision matches an oracle over well-formed parts.</summary>
public sealed class CertificateUploadProperties
{
    private const string Host = "airbyte.example.com";
    private const string HostWithDot = "AIRBYTE.example.com.";
    private const string OtherHost = "other.example.com";
    private const string WildcardHost = "*.example.com";
    private static readonly DateTimeOffset Now = TestCertificates.Now;

    private static readonly Lazy<Pool> LazyPool = new(Pool.Create);

    internal static Pool Parts => LazyPool.Value;

    [Fact]
    public void Validating_any_upload_never_throws_names_its_field_and_never_shows_the_key()
    {
        var pool = Parts;
        BadInputCheck.Run(
            "certificate upload: hostile PEM, keys, chains and hostnames",
            Gen.Select(pool.CertificateText, pool.KeyText, pool.ChainText, pool.Hostname),
            sample =>
            {
                var (certificate, key, chain, hostname) = sample;
                var result = ManualCertificateValidator.Validate(certificate, key, chain, hostname, Now);
                if (result.IsSuccess)
                {
                    Assert.True(result.Value.Leaf.IsValidAt(Now));
                    return;
                }

                BadInputCheck.AssertReadable(result.Errors);
                Assert.All(result.Errors, e => Assert.Contains(e.Path, new[] { "certificate", "key", "chain", "hostname" }));
                foreach (var error in result.Errors)
                {
                    foreach (var secret in pool.KeyMaterial)
                    {
                        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
                    }
                }
            },
            iterations: 800,
            print: s => $"certificate {BadInputCheck.Show(s.Item1)}, key {BadInputCheck.Show(s.Item2)}, chain {BadInputCheck.Show(s.Item3)}, hostname {BadInputCheck.Show(s.Item4)}");
    }

    [Fact]
    public void An_upload_is_accepted_exactly_when_its_key_matches_its_hostname_is_covered_and_its_chain_is_in_order()
    {
        var pool = Parts;
        var leaves = pool.Leaves;
        BadInputCheck.Run(
            "certificate upload: accepted exactly when it should be",
            Gen.Select(Gen.Int[0, leaves.Count - 1], Gen.Int[0, leaves.Count - 1], Gen.Int[0, pool.Chains.Length - 1], Gen.OneOf(Host, HostWithDot, OtherHost, WildcardHost)),
            sample =>
            {
                var (certificate, key, chain, hostname) = sample;
                var leaf = leaves[certificate];
                var result = ManualCertificateValidator.Validate(leaf.Pem, leaves[key].KeyPem, pool.Chains[chain].Pem, hostname, Now);

                var shouldPass = leaf.Good && certificate == key && pool.Chains[chain].InOrder && leaf.Covers.Contains(hostname);
                Assert.True(
                    result.IsSuccess == shouldPass,
                    $"{leaf.Name} with the key of {leaves[key].Name}, chain {pool.Chains[chain].Name}, for {hostname}: "
                    + (result.IsSuccess ? "accepted" : string.Join(" | ", result.Errors)));
            },
            iterations: 600,
            print: s => $"leaf {leaves[s.Item1].Name}, key of {leaves[s.Item2].Name}, chain {pool.Chains[s.Item3].Name}, hostname {s.Item4}");
    }

    [Fact]
    public void A_pem_option_never_throws_and_its_errors_are_sentences()
    {
        var pool = Parts;
        var pemOptions = ComponentCatalog.Default.Kinds.SelectMany(k => k.Options).Where(o => o.Type == OptionType.Pem).ToArray();
        Assert.NotEmpty(pemOptions);
        BadInputCheck.Run(
            "PEM options: hostile CA bundles",
            Gen.Select(Gen.OneOf(pemOptions), pool.CertificateText),
            sample =>
            {
                var result = OptionValueParser.Parse(sample.Item1, sample.Item2, Now);
                if (!result.IsSuccess)
                {
                    BadInputCheck.AssertReadable(result.Errors, pathless: true);
                }
                else if (result.Value is { Length: > 0 } pem)
                {
                    Assert.DoesNotContain("PRIVATE KEY", pem, StringComparison.Ordinal);
                }
            },
            iterations: 1_000,
            print: s => $"{s.Item1.Name} = {BadInputCheck.Show(s.Item2)}");
    }

    /// <summary>A leaf certificate with its key and what makes it acceptable or not.</summary>
    /// <param name="Good">Valid now and for TLS servers.</param>
    /// <param name="Covers">The hostnames of the oracle it covers.</param>
    internal sealed record Leaf(string Name, string Pem, string KeyPem, bool Good, string[] Covers);

    internal sealed record Chain(string Name, string? Pem, bool InOrder);

    /// <summary>The parts the generators draw from, made once: real certificates (good, expired, for another host, not for servers,
    /// with hostile names) and their keys.</summary>
    internal sealed class Pool
    {
        public required IReadOnlyList<Leaf> Leaves { get; init; }

        public required Chain[] Chains { get; init; }

        /// <summary>Runs of key material (base64 of each key) that no message may contain.</summary>
        public required string[] KeyMaterial { get; init; }

        public required Gen<string?> CertificateText { get; init; }

        public required Gen<string?> KeyText { get; init; }

        public required Gen<string?> ChainText { get; init; }

        public required Gen<string?> Hostname { get; init; }

        public static Pool Create()
        {
            var intermediate = TestCertificates.Intermediate;
            var root = TestCertificates.Root;
            var leaves = new List<Leaf>
            {
                FromIssued("good", TestCertificates.Leaf(Host), good: true, [Host, HostWithDot]),
                FromIssued("wildcard", TestCertificates.Leaf("*.example.com"), good: true, [Host, HostWithDot, OtherHost, WildcardHost]),
                FromIssued("other host", TestCertificates.Leaf(OtherHost), good: true, [OtherHost]),
                FromIssued("expired", TestCertificates.Issue(intermediate, "CN=" + Host, [Host], Now.AddDays(-100), Now.AddDays(-10)), good: false, [Host, HostWithDot]),
                FromIssued("not yet valid", TestCertificates.Issue(intermediate, "CN=" + Host, [Host], Now.AddDays(10), Now.AddDays(100)), good: false, [Host, HostWithDot]),
                FromIssued("client only", TestCertificates.Issue(intermediate, "CN=" + Host, [Host], serverAuth: false), good: false, [Host, HostWithDot]),
                Hostile("hostile subject", "evil\n\u202emoc.elpmaxe\u0000" + new string('x', 2_000), [Host], expired: false, [Host, HostWithDot]),
                Hostile("hostile expired", "\u001b[31mred\u2028line", ["a\nb.example.com", new string('z', 3_000) + ".example.com"], expired: true, []),
                Hostile("hostile names", "CN-ish", ["\u0007bell.example.com", "air\u0000byte.example.com", "*.*.example.com", ""], expired: false, []),
            };

            var chains = new[]
            {
                new Chain("none", null, true),
                new Chain("intermediate", intermediate.Pem, true),
                new Chain("intermediate and root", intermediate.Pem + root.Pem, true),
                new Chain("root only", root.Pem, false),
                new Chain("root then intermediate", root.Pem + intermediate.Pem, false),
                new Chain("the leaf again", leaves[0].Pem, false),
            };

            var keyMaterial = leaves.Select(l => l.KeyPem.Split('\n')[1]).Where(line => line.Length >= 32).Select(line => line[..32]).ToArray();
            var leafDer = Convert.FromBase64String(string.Concat(leaves[0].Pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
            var keyDer = Convert.FromBase64String(string.Concat(leaves[0].KeyPem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));

            var wellFormed = Gen.OneOf([.. leaves.Select(l => l.Pem), intermediate.Pem, root.Pem]);
            var keys = Gen.OneOf([.. leaves.Select(l => l.KeyPem)]);
            var damaged = Gen.OneOf<string>(
                Corrupt(leafDer, "CERTIFICATE"),
                Corrupt(keyDer, "PRIVATE KEY"),
                Corrupt(keyDer, "EC PRIVATE KEY"),
                Corrupt(keyDer, "RSA PRIVATE KEY"),
                Gen.Byte.Array[0, 600].Select(b => PemEncoding.WriteString("CERTIFICATE", b)),
                Gen.Byte.Array[0, 600].Select(b => PemEncoding.WriteString("PRIVATE KEY", b)),
                Gen.OneOf("X509 CRL", "PUBLIC KEY", "CERTIFICATE REQUEST", "ENCRYPTED PRIVATE KEY", "EC PARAMETERS", "A\u202eB", new string('L', 5_000))
                    .Select(label => "-----BEGIN " + label + "-----\nAAECAwQFBgcICQ==\n-----END " + label + "-----\n"),
                Gen.OneOf(
                    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n",
                    "-----BEGIN CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n",
                    "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n",
                    "-----BEGIN CERTIFICATE-----\n" + HostileText.Repeat("QUFB", 100_000) + "\n-----END CERTIFICATE-----\n",
                    HostileText.Repeat("-----BEGIN CERTIFICATE-----\n", 100_000)),
                HostileText.Any("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").Select(t => t));
            var piece = Gen.Frequency<string>((4, wellFormed), (2, keys), (5, damaged), (2, HostileText.Mixed));
            var text = Gen.Select(piece.Array[1, 4], Gen.OneOf("", "\n", "\r\n", "\0", " junk \u202e "), (parts, separator) => (string?)string.Join(separator, parts));

            return new Pool
            {
                Leaves = leaves,
                Chains = chains,
                KeyMaterial = keyMaterial,
                CertificateText = Gen.Frequency<string?>((9, text), (1, Gen.OneOf<string?>(null, "", "   "))),
                KeyText = Gen.Frequency<string?>((4, keys.Select(k => (string?)k)), (4, text), (1, Gen.OneOf<string?>(null, "", "\0"))),
                ChainText = Gen.Frequency<string?>((3, Gen.OneOf(chains.Select(c => c.Pem).ToArray())), (4, text), (1, Gen.Const((string?)null))),
                Hostname = Gen.Frequency<string?>((4, Gen.OneOf<string?>(Host, "*.example.com", "other.example.com")), (4, HostileText.Any(Host).Select(h => (string?)h)), (1, Gen.Const((string?)null))),
            };
        }

        private static Leaf FromIssued(string name, TestCertificates.Issued issued, bool good, string[] covers) =>
            new(name, issued.CertificatePem, issued.KeyPem, good, covers);

        /// <summary>A certificate issued by the test intermediate whose subject common name and DNS names are written as given
        /// (control characters and all): a hostile CA or a forged file could carry them.</summary>
        private static Leaf Hostile(string name, string commonName, string[] dnsNames, bool expired, string[] covers)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var subject = new X500DistinguishedNameBuilder();
            subject.AddCommonName(commonName);
            var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            var san = new AsnWriter(AsnEncodingRules.DER);
            using (san.PushSequence())
            {
                foreach (var dns in dnsNames)
                {
                    san.WriteCharacterString(UniversalTagNumber.IA5String, dns, new Asn1Tag(TagClass.ContextSpecific, 2));
                }
            }

            request.CertificateExtensions.Add(new X509Extension("2.5.29.17", san.Encode(), false));
            using var issuerKey = TestCertificates.Intermediate.Certificate.GetECDsaPrivateKey()!;
            var (from, to) = expired ? (Now.AddDays(-100), Now.AddDays(-1)) : (Now.AddDays(-1), Now.AddDays(100));
            using var certificate = request.Create(
                TestCertificates.Intermediate.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), from, to, [1, 2, 3, 4, 5, 6, 7, 8]);
            return new Leaf(name, certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n", Good: !expired, covers);
        }

        /// <summary>DER with a few bytes changed, truncated or extended, as PEM under the label.</summary>
        private static Gen<string> Corrupt(byte[] der, string label) =>
            Gen.Select(Gen.Int[0, der.Length - 1].Array[1, 4], Gen.Byte, Gen.Int[0, 2], (positions, value, how) =>
            {
                var bytes = (byte[])der.Clone();
                foreach (var position in positions)
                {
                    bytes[position] ^= (byte)(value | 1);
                }

                bytes = how switch
                {
                    0 => bytes,
                    1 => bytes[..positions[0]],
                    _ => [.. bytes, .. bytes[..positions[0]]],
                };
                return PemEncoding.WriteString(label, bytes) + "\n";
            });
    }
}
