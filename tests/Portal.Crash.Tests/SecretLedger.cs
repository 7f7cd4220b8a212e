using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Portal.Domain.Naming;

namespace Portal.Crash.Tests;

/// <summary>The portal-managed Secrets of a namespace as the chaos test compares them between operations: each live Secret's revision
/// and data (as hashes) and its kept revisions (<c>&lt;name&gt;-rev-&lt;n&gt;</c>, labelled with the live Secret's name), plus any
/// Secret left waiting for an operation (<c>-pending</c>, <c>-upload-</c>).</summary>
internal sealed record SecretLedger(IReadOnlyDictionary<string, LedgerEntry> Live, IReadOnlyList<string> Waiting)
{
    // How many earlier revisions the portal keeps (TlsSecretRevisions.Kept; SecretAnnotations.Kept is the same).
    public const int Kept = 3;

    private const string RevisionOfLabel = "portal.airbyte.io/revision-of";

    public static SecretLedger Empty { get; } = new(new Dictionary<string, LedgerEntry>(), []);

    public static async Task<SecretLedger> ReadAsync(IKubernetes client, string @namespace, CancellationToken ct)
    {
        var secrets = (await client.CoreV1.ListNamespacedSecretAsync(@namespace, cancellationToken: ct)).Items
            .Where(s => s.Metadata.Labels?.TryGetValue(PortalLabels.ManagedBy, out var by) == true && by == PortalLabels.ManagedByValue)
            .ToList();
        var kept = secrets.Where(s => s.Metadata.Labels.ContainsKey(RevisionOfLabel)).ToList();
        var waiting = secrets.Where(s => !s.Metadata.Labels.ContainsKey(RevisionOfLabel) && IsWaiting(s.Metadata.Name)).Select(s => s.Metadata.Name).ToList();
        var live = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        foreach (var secret in secrets.Where(s => !s.Metadata.Labels.ContainsKey(RevisionOfLabel) && !IsWaiting(s.Metadata.Name)))
        {
            var name = secret.Metadata.Name;
            var copies = kept.Where(k => k.Metadata.Labels[RevisionOfLabel] == name)
                .Select(k => new KeptCopy(k.Metadata.Name, RevisionOf(k), Hash(k.Data)))
                .ToList();
            live[name] = new LedgerEntry(name, RevisionOf(secret), Hash(secret.Data), KeyHashes(secret.Data), copies);
        }

        return new SecretLedger(live, waiting);
    }

    /// <summary>What changed from <paramref name="before"/> to this ledger that must never happen: a revision gone back or rewritten in
    /// place, a kept revision lost or changed, a kept copy that does not say which revision it is, more kept copies than the portal keeps,
    /// a live Secret gone, a value still waiting for an operation that has ended.</summary>
    public IEnumerable<string> ProblemsSince(SecretLedger before, string @namespace)
    {
        foreach (var name in Waiting)
        {
            yield return $"Secret {@namespace}/{name} still waits for an operation, though none runs";
        }

        foreach (var (name, old) in before.Live)
        {
            if (!Live.TryGetValue(name, out var now))
            {
                yield return $"Secret {@namespace}/{name} (revision {old.Revision}) is gone";
                continue;
            }

            foreach (var problem in now.ProblemsSince(old))
            {
                yield return $"Secret {@namespace}/{name}: {problem}";
            }
        }

        foreach (var (name, now) in Live)
        {
            foreach (var problem in now.Problems())
            {
                yield return $"Secret {@namespace}/{name}: {problem}";
            }
        }
    }

    private static bool IsWaiting(string name) => name.EndsWith("-pending", StringComparison.Ordinal) || name.Contains("-upload-", StringComparison.Ordinal);

    private static int RevisionOf(V1Secret secret) =>
        secret.Metadata.Annotations?.TryGetValue(PortalLabels.RevisionAnnotation, out var text) == true
        && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            ? revision
            : 1;

    private static string Hash(IDictionary<string, byte[]>? data) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n",
            (data ?? new Dictionary<string, byte[]>()).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={Convert.ToBase64String(p.Value)}")))))[..16];

    private static Dictionary<string, string> KeyHashes(IDictionary<string, byte[]>? data) =>
        (data ?? new Dictionary<string, byte[]>()).ToDictionary(p => p.Key, p => Convert.ToHexStringLower(SHA256.HashData(p.Value))[..16], StringComparer.Ordinal);
}

/// <summary>One live Secret: its revision, a hash of its data and of each value, and its kept revisions.</summary>
internal sealed record LedgerEntry(string Name, int Revision, string DataHash, IReadOnlyDictionary<string, string> Values, IReadOnlyList<KeptCopy> Copies)
{
    /// <summary>Whether the value under <paramref name="key"/> differs from the one in <paramref name="other"/>.</summary>
    public bool ValueChanged(LedgerEntry other, string key) =>
        Values.GetValueOrDefault(key) != other.Values.GetValueOrDefault(key);

    public IEnumerable<string> ProblemsSince(LedgerEntry before)
    {
        if (Revision < before.Revision)
        {
            yield return $"its revision went back from {before.Revision} to {Revision}";
        }
        else if (Revision == before.Revision && DataHash != before.DataHash)
        {
            yield return $"revision {Revision} was rewritten in place: its earlier value is lost";
        }
        else if (Revision > before.Revision && Revision - before.Revision <= SecretLedger.Kept)
        {
            // The revision that was live is kept, as it was.
            var copy = Copies.FirstOrDefault(c => c.Revision == before.Revision);
            if (copy is null)
            {
                yield return $"revision {before.Revision}, live before, is not kept now that revision {Revision} is live";
            }
            else if (copy.DataHash != before.DataHash)
            {
                yield return $"the kept copy of revision {before.Revision} ({copy.Name}) does not hold what revision {before.Revision} held";
            }
        }

        foreach (var old in before.Copies)
        {
            var now = Copies.FirstOrDefault(c => c.Revision == old.Revision);
            if (now is null && old.Revision >= Revision - SecretLedger.Kept && old.Revision < Revision)
            {
                yield return $"kept revision {old.Revision} ({old.Name}) was lost, though it is among the last {SecretLedger.Kept} before revision {Revision}";
            }
            else if (now is not null && now.DataHash != old.DataHash)
            {
                yield return $"kept revision {old.Revision} ({old.Name}) changed";
            }
        }
    }

    /// <summary>What is wrong with the Secret and its copies on their own.</summary>
    public IEnumerable<string> Problems()
    {
        if (Copies.Count > SecretLedger.Kept)
        {
            yield return $"{Copies.Count} kept revisions ({string.Join(", ", Copies.Select(c => c.Revision))}); the portal keeps {SecretLedger.Kept}";
        }

        foreach (var copy in Copies)
        {
            if (copy.Name != ObjectNames.SecretRevision(Name, copy.Revision))
            {
                yield return $"kept copy {copy.Name} says it is revision {copy.Revision}";
            }

            if (copy.Revision >= Revision)
            {
                yield return $"kept revision {copy.Revision} is not older than the live revision {Revision}";
            }
        }

        if (Copies.Select(c => c.Revision).Distinct().Count() != Copies.Count)
        {
            yield return $"a revision is kept twice ({string.Join(", ", Copies.Select(c => c.Name))})";
        }
    }
}

/// <summary>A kept revision of a Secret: its name, the revision it says it is, and a hash of its data.</summary>
internal sealed record KeptCopy(string Name, int Revision, string DataHash);
