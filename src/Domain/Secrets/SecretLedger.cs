namespace Portal.Domain.Secrets;

/// <summary>A running pod of a workload and the revision of each Secret it loaded (its template's ledger annotation).</summary>
public sealed record PodSecretLoad(string Workload, string Pod, IReadOnlyDictionary<string, int> Loaded);

/// <summary>A workload whose pods loaded an older revision of a secret than the live one.</summary>
/// <param name="LoadedRevision">The oldest revision its pods loaded.</param>
public sealed record StaleLoad(string Workload, int LoadedRevision, IReadOnlyList<string> Pods);

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
}
