using System.Collections.Frozen;
using System.Globalization;
using Portal.Domain.Naming;

namespace Portal.Domain.Status.Observation;

/// <summary>Reads and writes the pod-template annotation that records which revision of each Secret the pods load
/// (<see cref="PortalLabels.SecretRevisionsAnnotation"/>, <c>secret=revision,…</c>).</summary>
public static class SecretRevisionLedger
{
    /// <summary>The revisions by Secret name; malformed entries are skipped (the annotation is ours, but a person may edit it).</summary>
    public static IReadOnlyDictionary<string, int> Parse(string? annotation)
    {
        if (string.IsNullOrWhiteSpace(annotation))
        {
            return FrozenDictionary<string, int>.Empty;
        }

        var revisions = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in annotation.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = entry.LastIndexOf('=');
            if (separator <= 0)
            {
                continue;
            }

            var name = entry[..separator].Trim();
            if (int.TryParse(entry[(separator + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
            {
                revisions[name] = revision;
            }
        }

        return revisions;
    }

    /// <summary>The annotation value for these revisions, sorted by Secret name so that it is stable.</summary>
    public static string Format(IEnumerable<KeyValuePair<string, int>> revisions) =>
        string.Join(',', revisions
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => string.Create(CultureInfo.InvariantCulture, $"{pair.Key}={pair.Value}")));
}
