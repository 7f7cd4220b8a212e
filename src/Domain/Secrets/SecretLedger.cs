namespace Portal.Domain.Secrets;

/// <summary>A running pod of a workload and the revision of each Secret it loaded (its template's ledger annotation).</summary>
public sealed record PodSecretLoad(string Workload, string Pod, IReadOnlyDictionary<string, int> Loaded);

/// <summary>A workload whose pods loaded an older revision of a secret than the live one.</summary>
/// <param name="LoadedRevision">The oldest revision its pods loaded.</param>
public sealed record StaleLoad(string Workload, int LoadedRevision, IReadOnlyList<string> Pods);

/// <summary>A workload with pods that loaded an older revision of one Secret than the live one: what the topology flags.</summary>
/// <param name="Secret">The Kubernetes Secret's name.</param>
/// <param name="LoadedRevision">The oldest revision its pods loaded.</param>
/// <param name="LiveRevision">The revision in the cluster now.</param>
public sealed record StaleSecret(string Workload, string Secret, int LoadedRevision, int LiveRevision, IReadOnlyList<string> Pods)
{
    /// <summary>The flag as an operator reads it: "airbyte-server still runs revision 1 of Secret airbyte-db (revision 2 is live; 2 pods)".</summary>
    public string Sentence =>
        $"{Workload} still runs revision {LoadedRevision} of Secret {Secret} (revision {LiveRevision} is live; {Pods.Count} {(Pods.Count == 1 ? "pod" : "pods")})";
}

/// <summary>The ledger of issue #8: which workloads still run an older revision of a secret than the one in the cluster.</summary>
public static class SecretLedger
{
    /// <summary>The workloads with a pod that loaded one of the Secrets in <paramref name="liveRevisions"/> (name → live revision) at
    /// an older revision; by workload name, pods by name. Pods that do not load the Secrets are not considered.</summary>
    public static IReadOnlyList<StaleLoad> Stale(IReadOnlyDictionary<string, int> liveRevisions, IEnumerable<PodSecretLoad> pods)
    {
        ArgumentNullException.ThrowIfNull(liveRevisions);
        ArgumentNullException.ThrowIfNull(pods);
        var stale = new List<(string Workload, string Pod, int Loaded)>();
        foreach (var pod in pods)
        {
            foreach (var (secret, live) in liveRevisions)
            {
                if (pod.Loaded.TryGetValue(secret, out var loaded) && loaded < live)
                {
                    stale.Add((pod.Workload, pod.Pod, loaded));
                }
            }
        }

        return stale
            .GroupBy(s => s.Workload, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new StaleLoad(g.Key, g.Min(s => s.Loaded), g.Select(s => s.Pod).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()))
            .ToList();
    }

    /// <summary>Like <see cref="Stale"/>, one entry per workload and Secret: which workloads still run an older revision of which
    /// Secret, by workload then Secret name.</summary>
    public static IReadOnlyList<StaleSecret> StaleBySecret(IReadOnlyDictionary<string, int> liveRevisions, IEnumerable<PodSecretLoad> pods)
    {
        ArgumentNullException.ThrowIfNull(liveRevisions);
        ArgumentNullException.ThrowIfNull(pods);
        var stale = new List<(string Workload, string Secret, string Pod, int Loaded, int Live)>();
        foreach (var pod in pods)
        {
            foreach (var (secret, loaded) in pod.Loaded)
            {
                if (liveRevisions.TryGetValue(secret, out var live) && loaded < live)
                {
                    stale.Add((pod.Workload, secret, pod.Pod, loaded, live));
                }
            }
        }

        return stale
            .GroupBy(s => (s.Workload, s.Secret))
            .OrderBy(g => g.Key.Workload, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Secret, StringComparer.Ordinal)
            .Select(g => new StaleSecret(
                g.Key.Workload, g.Key.Secret, g.Min(s => s.Loaded), g.First().Live,
                g.Select(s => s.Pod).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()))
            .ToList();
    }
}
