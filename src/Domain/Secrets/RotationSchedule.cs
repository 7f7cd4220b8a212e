using Portal.Domain.Certificates;
using Portal.Domain.Common;
using Portal.Domain.Values;

namespace Portal.Domain.Secrets;

/// <summary>How often a secret is rotated automatically, inside the stack's maintenance window.</summary>
public enum RotationPeriod
{
    Never,
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    Yearly,
}

/// <summary>When a secret is next rotated by its policy: the period after its last rotation (or its creation), moved to the next
/// opening of the stack's maintenance window; overdue once that moment has passed without a rotation.</summary>
public static class RotationSchedule
{
    /// <summary>The policy words an operator writes, in order.</summary>
    public static IReadOnlyList<string> Words { get; } = ["never", "daily", "weekly", "monthly", "quarterly", "yearly"];

    /// <summary>The word of a period (<c>monthly</c>).</summary>
    public static string Word(RotationPeriod period) => Words[(int)period];

    /// <summary>Parses a policy word (case and surrounding spaces ignored); the error on <paramref name="path"/> lists the allowed words.</summary>
    public static Result<RotationPeriod> Parse(string? word, string path = "policy")
    {
        var index = Words.ToList().FindIndex(w => string.Equals(w, word?.Trim(), StringComparison.OrdinalIgnoreCase));
        return index >= 0
            ? (RotationPeriod)index
            : Result<RotationPeriod>.Failure(path, string.IsNullOrWhiteSpace(word)
                ? $"Choose a rotation policy: {string.Join(", ", Words)}."
                : $"{Show.QuoteStart(word!)} is not a rotation policy: choose {string.Join(", ", Words)}.");
    }

    /// <summary>When the period after <paramref name="lastRotation"/> ends; null for <see cref="RotationPeriod.Never"/>. Months and
    /// years are calendar months and years (a monthly rotation on 31 January is due on 28 or 29 February).</summary>
    public static DateTimeOffset? Due(RotationPeriod period, DateTimeOffset lastRotation) => period switch
    {
        RotationPeriod.Never => null,
        RotationPeriod.Daily => lastRotation.AddDays(1),
        RotationPeriod.Weekly => lastRotation.AddDays(7),
        RotationPeriod.Monthly => lastRotation.AddMonths(1),
        RotationPeriod.Quarterly => lastRotation.AddMonths(3),
        RotationPeriod.Yearly => lastRotation.AddYears(1),
        _ => throw new ArgumentOutOfRangeException(nameof(period), period, "Unknown rotation period."),
    };

    /// <summary>When the scheduled rotation runs: the due moment, or the next opening of <paramref name="window"/> from it (any time
    /// of day without a window). Null for <see cref="RotationPeriod.Never"/>.</summary>
    public static DateTimeOffset? Next(RotationPeriod period, DateTimeOffset lastRotation, MaintenanceWindow? window) =>
        Due(period, lastRotation) is { } due ? window?.NextOpening(due) ?? due : null;

    /// <summary>How long a scheduled rotation may take to happen before it counts as overdue when the stack has no window.</summary>
    public static TimeSpan GraceWithoutWindow { get; } = TimeSpan.FromHours(1);

    /// <summary>True when the window in which the scheduled rotation should have run has closed (without a window: an hour after
    /// it was due) and the secret has not been rotated since <paramref name="lastRotation"/>.</summary>
    public static bool Overdue(RotationPeriod period, DateTimeOffset lastRotation, MaintenanceWindow? window, DateTimeOffset now)
    {
        if (Next(period, lastRotation, window) is not { } next)
        {
            return false;
        }

        var grace = window is null ? GraceWithoutWindow : Length(window);
        return now >= next + grace;
    }

    // The window's length; a window that wraps past midnight is counted across it. Next() may land inside an open window, so
    // counting the whole length from there errs towards "not yet overdue".
    private static TimeSpan Length(MaintenanceWindow window)
    {
        var length = window.End.ToTimeSpan() - window.Start.ToTimeSpan();
        return length > TimeSpan.Zero ? length : length + TimeSpan.FromDays(1);
    }
}
