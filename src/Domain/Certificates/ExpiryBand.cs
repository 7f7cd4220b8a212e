namespace Portal.Domain.Certificates;

/// <summary>How close a certificate is to expiry, in the colour bands operators read at a glance.</summary>
public enum ExpiryBand
{
    /// <summary>More than 30 days left.</summary>
    Healthy,
    /// <summary>30 days or fewer left.</summary>
    Warning,
    /// <summary>Fewer than 7 days left.</summary>
    Critical,
    /// <summary>Past notAfter: browsers refuse it.</summary>
    Expired,
}

/// <summary>The band of a certificate and how its time left reads.</summary>
public static class Expiry
{
    public static readonly TimeSpan WarningWithin = TimeSpan.FromDays(30);
    public static readonly TimeSpan CriticalWithin = TimeSpan.FromDays(7);

    public static ExpiryBand Band(DateTimeOffset notAfter, DateTimeOffset now)
    {
        var left = notAfter - now;
        return left <= TimeSpan.Zero ? ExpiryBand.Expired
            : left < CriticalWithin ? ExpiryBand.Critical
            : left <= WarningWithin ? ExpiryBand.Warning
            : ExpiryBand.Healthy;
    }

    /// <summary>"expires in 12 days", "expires in 5 hours", "expired 3 days ago": whole units, rounded down.</summary>
    public static string Describe(DateTimeOffset notAfter, DateTimeOffset now)
    {
        var left = notAfter - now;
        return left > TimeSpan.Zero ? $"expires in {Amount(left)}" : $"expired {Amount(-left)} ago";
    }

    private static string Amount(TimeSpan span) =>
        span.TotalDays >= 1 ? Plural((int)span.TotalDays, "day")
        : span.TotalHours >= 1 ? Plural((int)span.TotalHours, "hour")
        : Plural(Math.Max(1, (int)span.TotalMinutes), "minute");

    private static string Plural(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}
