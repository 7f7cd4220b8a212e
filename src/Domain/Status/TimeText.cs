using System.Globalization;

namespace Portal.Domain.Status;

/// <summary>Durations in the words an operator reads: "5 minutes", "1 hour", "90 seconds".</summary>
internal static class TimeText
{
    public static string Describe(TimeSpan duration)
    {
        if (duration >= TimeSpan.FromHours(1) && duration.Ticks % TimeSpan.TicksPerHour == 0)
        {
            return Plural((long)duration.TotalHours, "hour");
        }

        if (duration >= TimeSpan.FromMinutes(1) && duration.Ticks % TimeSpan.TicksPerMinute == 0)
        {
            return Plural((long)duration.TotalMinutes, "minute");
        }

        return Plural((long)Math.Round(duration.TotalSeconds), "second");
    }

    public static string Plural(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? "" : "s")}");

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
