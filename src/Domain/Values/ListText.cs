namespace Portal.Domain.Values;

/// <summary>Splits a comma-separated list as operators type it: commas or line breaks between items,
/// whitespace around items and empty items (a trailing comma) ignored.</summary>
internal static class ListText
{
    public static IReadOnlyList<string> Split(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : text.Split([',', '\n', '\r'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Adds one error per value that occurs more than once (by its normalised form).</summary>
    public static void ReportDuplicates(IEnumerable<string> normalised, ICollection<string> errors, StringComparer comparer)
    {
        var seen = new HashSet<string>(comparer);
        var reported = new HashSet<string>(comparer);
        foreach (var value in normalised)
        {
            if (!seen.Add(value) && reported.Add(value))
            {
                errors.Add($"{Show.QuoteStart(value)} is listed more than once.");
            }
        }
    }
}
