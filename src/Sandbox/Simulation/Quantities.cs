using System.Globalization;

namespace Portal.Sandbox.Simulation;

/// <summary>Kubernetes resource quantities ("250m", "512Mi", "1.5", "2e3"): parsed to a number and written back in the
/// canonical form the API server uses for sums (binary suffixes for whole multiples, millis for fractions).</summary>
internal static class Quantities
{
    private static readonly (string Suffix, decimal Factor)[] s_suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("n", 0.000000001m), ("u", 0.000001m), ("m", 0.001m), ("k", 1000m), ("M", 1_000_000m), ("G", 1_000_000_000m),
        ("T", 1_000_000_000_000m), ("P", 1_000_000_000_000_000m), ("E", 1_000_000_000_000_000_000m),
    ];

    /// <summary>The value of a quantity; null when it is not one.</summary>
    public static decimal? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        foreach (var (suffix, factor) in s_suffixes.OrderByDescending(s => s.Suffix.Length))
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && decimal.TryParse(text[..^suffix.Length], NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var scaled))
            {
                return scaled * factor;
            }
        }

        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) ? plain : null;
    }

    /// <summary>The canonical text of a value: "0", "3", "1500m", "512Mi", "20Gi".</summary>
    public static string Format(decimal value)
    {
        if (value == 0)
        {
            return "0";
        }

        if (value != decimal.Truncate(value))
        {
            return (value * 1000m).ToString("0", CultureInfo.InvariantCulture) + "m";
        }

        foreach (var (suffix, factor) in s_suffixes.Where(s => s.Suffix.EndsWith('i')).Reverse())
        {
            if (value >= factor && value % factor == 0)
            {
                return (value / factor).ToString("0", CultureInfo.InvariantCulture) + suffix;
            }
        }

        return value.ToString("0", CultureInfo.InvariantCulture);
    }
}
