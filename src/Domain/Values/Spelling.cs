namespace Portal.Domain.Values;

/// <summary>"Did you mean …?" suggestions for names that are almost right (a typo in an option or component name).</summary>
public static class Spelling
{
    /// <summary>The candidate closest to <paramref name="input"/> when it is close enough to be a likely typo, else null.</summary>
    /// <remarks>Case-insensitive Levenshtein distance; a third of the input's length (1 to 3 edits) counts as close.</remarks>
    public static string? Suggest(string input, IEnumerable<string> candidates)
    {
        var limit = Math.Clamp(input.Length / 3, 1, 3);
        var lower = input.ToLowerInvariant();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            // The distance is at least the difference in length: a pasted page is never compared letter by letter.
            if (Math.Abs(input.Length - candidate.Length) > limit)
            {
                continue;
            }

            var distance = Distance(lower, candidate.ToLowerInvariant());
            if (distance < bestDistance && distance <= limit)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary><c>"; did you mean x?"</c>, or an empty string when nothing is close.</summary>
    public static string DidYouMean(string input, IEnumerable<string> candidates) =>
        Suggest(input, candidates) is { } suggestion ? $"; did you mean {suggestion}?" : "";

    /// <summary>The Levenshtein edit distance between two strings.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
