using System.Globalization;
using System.Text;
using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>A duration written the way Go programs (Temporal) and nginx read it: <c>60s</c>, <c>5m</c>, <c>1h30m</c>,
/// <c>250ms</c>, <c>1.5h</c>; units ns, us (µs), ms, s, m, h and d (24h). A bare whole number means seconds, as in
/// nginx's timeout directives.</summary>
/// <remarks>The canonical text (<see cref="ToString"/>) uses only Go units (h, m, s, ms, us, ns) so that it can be handed
/// to Go's <c>time.ParseDuration</c> as it is: <c>3d</c> becomes <c>72h</c>, <c>90s</c> becomes <c>1m30s</c>.</remarks>
public readonly record struct Duration
{
    private const long NanosPerSecond = 1_000_000_000;

    private static readonly (string Unit, long Nanos)[] Units =
    [
        ("ns", 1),
        ("us", 1_000),
        ("µs", 1_000),
        ("μs", 1_000),
        ("ms", 1_000_000),
        ("s", NanosPerSecond),
        ("m", 60 * NanosPerSecond),
        ("h", 3600 * NanosPerSecond),
        ("d", 86_400 * NanosPerSecond),
    ];

    private Duration(long nanoseconds) => TotalNanoseconds = nanoseconds;

    public long TotalNanoseconds { get; }

    public TimeSpan Value => TimeSpan.FromTicks(TotalNanoseconds / 100);

    public bool IsZero => TotalNanoseconds == 0;

    /// <summary>True when the duration is a whole number of seconds (nginx timeouts need that).</summary>
    public bool IsWholeSeconds => TotalNanoseconds % NanosPerSecond == 0;

    public long TotalSeconds => TotalNanoseconds / NanosPerSecond;

    public static Duration FromTimeSpan(TimeSpan value) =>
        value < TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(value), "A duration is not negative.") : new Duration(value.Ticks * 100);

    /// <param name="allowZero">Whether <c>0s</c> is meaningful for this use (a timeout of zero is not).</param>
    public static Result<Duration> TryCreate(string? text, bool allowZero = false)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return Errors.Fail<Duration>("A duration is needed, such as 60s, 5m, 1h30m or 250ms.");
        }

        var quoted = Show.QuoteStart(value);
        if (value.StartsWith('-'))
        {
            return Errors.Fail<Duration>($"{quoted} is negative; a duration must not be.");
        }

        decimal? nanos;
        string? error = null;
        if (value.All(char.IsAsciiDigit))
        {
            nanos = value.Length <= 18 ? decimal.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture) * NanosPerSecond : decimal.MaxValue;
        }
        else
        {
            nanos = ParseUnits(value, quoted, out error);
        }

        if (nanos is null)
        {
            return Errors.Fail<Duration>(error!);
        }

        if (nanos > long.MaxValue)
        {
            return Errors.Fail<Duration>($"{quoted} is too long a duration.");
        }

        var rounded = (long)decimal.Round(nanos.Value);
        if (rounded == 0 && !allowZero)
        {
            return Errors.Fail<Duration>($"{quoted} is zero; a duration longer than zero is needed here.");
        }

        return new Duration(rounded);
    }

    /// <summary>Canonical Go text, e.g. <c>1h30m</c>, <c>250ms</c>, <c>0s</c>.</summary>
    public override string ToString()
    {
        if (TotalNanoseconds == 0)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        var rest = TotalNanoseconds;
        foreach (var (unit, size) in new[] { ("h", 3600 * NanosPerSecond), ("m", 60 * NanosPerSecond), ("s", NanosPerSecond), ("ms", 1_000_000L), ("us", 1_000L), ("ns", 1L) })
        {
            var count = rest / size;
            if (count > 0)
            {
                builder.Append(count.ToString(CultureInfo.InvariantCulture)).Append(unit);
                rest -= count * size;
            }
        }

        return builder.ToString();
    }

    private static decimal? ParseUnits(string value, string quoted, out string? error)
    {
        const string Expected = "use a number with a unit, such as 60s, 5m, 1h30m or 250ms (units ns, us, ms, s, m, h, d; a number alone means seconds)";
        error = null;
        decimal total = 0;
        var i = 0;
        var parts = 0;
        while (i < value.Length)
        {
            if (char.IsWhiteSpace(value[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < value.Length && (char.IsAsciiDigit(value[i]) || value[i] == '.'))
            {
                i++;
            }

            var numberText = value[start..i];
            if (numberText.Length == 0 || !numberText.Any(char.IsAsciiDigit) || numberText.Count(c => c == '.') > 1)
            {
                error = $"{quoted} is not a duration; {Expected}.";
                return null;
            }

            if (numberText.Length > 14)
            {
                error = $"{quoted} is too long a duration.";
                return null;
            }

            var unitStart = i;
            while (i < value.Length && char.IsLetter(value[i]))
            {
                i++;
            }

            var unit = value[unitStart..i];
            if (unit.Length == 0)
            {
                error = parts == 0
                    ? $"{quoted} is not a duration; {Expected}."
                    : $"{quoted} has a number without a unit ({numberText}); {Expected}.";
                return null;
            }

            var match = Units.FirstOrDefault(u => u.Unit == unit);
            if (match.Unit is null)
            {
                var hint = unit == "M" ? " (m is minutes; months are not supported)" : "";
                error = $"{quoted} has an unknown unit {Show.Quote(unit)}{hint}; {Expected}.";
                return null;
            }

            var number = decimal.Parse(numberText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            total += number * match.Nanos;
            if (total > long.MaxValue)
            {
                error = $"{quoted} is too long a duration.";
                return null;
            }

            parts++;
        }

        return total;
    }
}
