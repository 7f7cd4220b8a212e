namespace Portal.Domain.Plans;

/// <summary>Small helpers that keep step descriptions readable.</summary>
internal static class Phrases
{
    /// <summary>"a", "a and b", "a, b and c".</summary>
    public static string JoinWithAnd(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count switch
        {
            0 => "",
            1 => list[0],
            _ => $"{string.Join(", ", list.Take(list.Count - 1))} and {list[^1]}",
        };
    }

    public static string Count(int count, string singular, string plural) => count == 1 ? $"1 {singular}" : $"{count} {plural}";
}
