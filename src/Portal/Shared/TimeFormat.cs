using System.Globalization;

namespace Portal.Shared;

/// <summary>Times as an operator scans them: short ages (<c>45s</c>, <c>3m</c>, <c>2h</c>, <c>4d</c>) and UTC timestamps.</summary>
public static class TimeFormat
{
    /// <summary>How long ago <paramref name="since"/> was, kubectl-style; "—" when unknown.</summary>
    public static string Age(DateTimeOffset? since, DateTimeOffset now)
    {
        if (since is not { } at)
        {
            return "—";
        }

        var age = now - at;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalSeconds < 60 ? Number((int)age.TotalSeconds) + "s"
            : age.TotalMinutes < 60 ? Number((int)age.TotalMinutes) + "m"
            : age.TotalHours < 48 ? Number((int)age.TotalHours) + "h"
            : Number((int)age.TotalDays) + "d";
    }

    public static string Ago(DateTimeOffset? since, DateTimeOffset now) => since is null ? "—" : $"{Age(since, now)} ago";

    public static string Utc(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string UtcSeconds(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
