using System.Globalization;
using Portal.Domain.Common;
using Portal.Domain.Values;

namespace Portal.Domain.Certificates;

/// <summary>A daily window, in UTC, in which a stack may be disturbed (a renewal rolls its ingress), e.g. <c>02:00-04:00</c>;
/// a window may wrap past midnight (<c>22:00-02:00</c>).</summary>
public sealed record MaintenanceWindow
{
    private MaintenanceWindow(TimeOnly start, TimeOnly end)
    {
        Start = start;
        End = end;
    }

    public TimeOnly Start { get; }

    public TimeOnly End { get; }

    /// <summary>Parses <c>HH:mm-HH:mm</c>; start and end must differ.</summary>
    public static Result<MaintenanceWindow> Parse(string? text, string path = "maintenance-window")
    {
        var parts = (text ?? "").Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || !TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            || !TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
        {
            return Result<MaintenanceWindow>.Failure(path, $"{Show.QuoteStart(text ?? "")} is not a window: write it as start-end in UTC, e.g. 02:00-04:00.");
        }

        return start == end
            ? Result<MaintenanceWindow>.Failure(path, $"The window {Show.Plain(text!)} is empty: its start and end are the same time.")
            : new MaintenanceWindow(start, end);
    }

    public bool Contains(DateTimeOffset moment)
    {
        var time = TimeOnly.FromTimeSpan(moment.UtcDateTime.TimeOfDay);
        return Start < End ? time >= Start && time < End : time >= Start || time < End;
    }

    /// <summary><paramref name="moment"/> itself when it falls in the window, else the window's next opening.</summary>
    public DateTimeOffset NextOpening(DateTimeOffset moment)
    {
        if (Contains(moment))
        {
            return moment;
        }

        var utc = moment.ToUniversalTime();
        var opening = new DateTimeOffset(utc.Date, TimeSpan.Zero) + Start.ToTimeSpan();
        return opening > utc ? opening : opening.AddDays(1);
    }

    public override string ToString() => $"{Start:HH\\:mm}-{End:HH\\:mm} UTC";
}
