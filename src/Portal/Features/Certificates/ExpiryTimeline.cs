using System.Globalization;
using Portal.Provisioning.Certificates;

namespace Portal.Features.Certificates;

/// <summary>The geometry of the expiry timeline: one row per stack and hostname, a bar from notBefore to notAfter, the renewal
/// marker, the "now" line and month ticks, in the SVG's own units.</summary>
/// <remarks>The window covers every certificate but is held to <see cref="MaxPast"/> before and <see cref="MaxFuture"/> after now,
/// so one ten-year internal root does not squash the 90-day certificates into slivers; bars beyond it are cut at the edge.</remarks>
public static class ExpiryTimeline
{
    public const double Width = 1000;
    public const double LabelWidth = 270;
    public const double RowHeight = 26;
    public const double AxisHeight = 24;
    public const double RightPad = 16;

    /// <summary>Room under the rows for the "now" label, clear of the month labels on top.</summary>
    public const double FootHeight = 18;

    public static readonly TimeSpan MaxPast = TimeSpan.FromDays(400);
    public static readonly TimeSpan MaxFuture = TimeSpan.FromDays(800);
    private static readonly int[] MonthSteps = [1, 2, 3, 6, 12, 24, 60];
    private const int MaxTicks = 12;

    public static TimelineLayout Build(IReadOnlyList<StackCertificateExpiries> stacks, DateTimeOffset now)
    {
        var certificates = stacks
            .SelectMany(s => s.Certificates.Select(c => (s.Stack, s.Cluster, Certificate: c)))
            .OrderBy(r => r.Stack, StringComparer.Ordinal)
            .ThenBy(r => r.Certificate.Host, StringComparer.Ordinal)
            .ToList();

        var earliest = certificates.Select(c => c.Certificate.NotBefore).Append(now - TimeSpan.FromDays(7)).Min();
        var latest = certificates.Select(c => c.Certificate.NotAfter).Append(now + TimeSpan.FromDays(30)).Max();
        var start = Max(earliest, now - MaxPast);
        var end = Min(latest, now + MaxFuture);
        var pad = TimeSpan.FromTicks((end - start).Ticks / 40);
        start -= pad;
        end += pad;

        var left = LabelWidth;
        var right = Width - RightPad;
        double X(DateTimeOffset at) => Math.Clamp(left + ((at - start).TotalSeconds / (end - start).TotalSeconds * (right - left)), left, right);

        var rows = certificates.Select((c, i) => new TimelineRow(
                c.Stack,
                c.Cluster,
                c.Certificate,
                AxisHeight + (i * RowHeight),
                X(c.Certificate.NotBefore),
                X(c.Certificate.NotAfter),
                c.Certificate.NextRenewal is { } renewal ? X(renewal) : null))
            .ToList();

        return new TimelineLayout(
            Width,
            AxisHeight + (Math.Max(rows.Count, 1) * RowHeight) + FootHeight,
            left,
            right,
            X(now),
            rows,
            Ticks(start, end).Select(t => new TimelineTick(X(t.At), t.Label)).ToList());
    }

    /// <summary>The first day of every month (or of every 2, 3, 6… months, so that there are at most a dozen) inside the window.</summary>
    public static IReadOnlyList<(DateTimeOffset At, string Label)> Ticks(DateTimeOffset start, DateTimeOffset end)
    {
        var months = ((end.Year - start.Year) * 12) + end.Month - start.Month + 1;
        var step = MonthSteps.FirstOrDefault(s => months / s <= MaxTicks, MonthSteps[^1]);
        var first = new DateTimeOffset(start.Year, start.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1);
        // Align the ticks on months that divide the step (Jan, Apr, Jul, Oct for 3) so they read as quarters and halves.
        while ((first.Month - 1) % step != 0)
        {
            first = first.AddMonths(1);
        }

        var ticks = new List<(DateTimeOffset, string)>();
        for (var at = first; at <= end; at = at.AddMonths(step))
        {
            var label = at.Month == 1 || ticks.Count == 0
                ? at.ToString("MMM yyyy", CultureInfo.InvariantCulture)
                : at.ToString("MMM", CultureInfo.InvariantCulture);
            ticks.Add((at, label));
        }

        return ticks;
    }

    /// <summary>A number for an SVG attribute: invariant, two decimals at most.</summary>
    public static string F(double value) => Math.Round(value, 2).ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

/// <summary>The expiry timeline laid out: its size, the plot's left and right edges, the "now" line, the rows and the month ticks.</summary>
public sealed record TimelineLayout(
    double Width, double Height, double PlotLeft, double PlotRight, double NowX, IReadOnlyList<TimelineRow> Rows, IReadOnlyList<TimelineTick> Ticks);

/// <summary>One certificate on the timeline: its row's top, the bar's ends and the renewal marker, when renewal is scheduled.</summary>
public sealed record TimelineRow(string Stack, string Cluster, CertificateExpiry Certificate, double Y, double X1, double X2, double? RenewalX);

/// <summary>A month tick on the axis.</summary>
public sealed record TimelineTick(double X, string Label);
