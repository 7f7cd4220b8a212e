using System.Globalization;
using Portal.Domain.Common;

namespace Portal.Domain.Certificates;

/// <summary>When a certificate is renewed: at a fraction of its lifetime (2/3 by default, as cert-manager does), inside
/// the stack's maintenance window when it has one, later after failed attempts (exponential back-off) — but never so
/// late that it expires first: close to expiry the window and the back-off give way.</summary>
public sealed record RenewalPolicy
{
    public const double DefaultFraction = 2.0 / 3.0;

    /// <summary>Attempts are never further apart than this, however many failed.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(6);

    /// <summary>The first retry after a failure.</summary>
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromMinutes(5);

    private RenewalPolicy(double fraction, MaintenanceWindow? window)
    {
        Fraction = fraction;
        Window = window;
    }

    public static RenewalPolicy Default { get; } = new(DefaultFraction, null);

    /// <summary>Share of the lifetime after which the certificate is renewed.</summary>
    public double Fraction { get; }

    public MaintenanceWindow? Window { get; }

    /// <summary>A policy from a stack's settings; every problem at once.</summary>
    public static Result<RenewalPolicy> Create(double fraction, string? window)
    {
        var errors = new ErrorList();
        if (double.IsNaN(fraction) || fraction <= 0.1 || fraction >= 0.95)
        {
            errors.Add("renew-at", $"Renew at {fraction.ToString(CultureInfo.InvariantCulture)} of the lifetime is out of range: choose between 0.1 and 0.95 (2/3 renews a 90-day certificate 30 days before it expires).");
        }

        MaintenanceWindow? parsed = null;
        if (!string.IsNullOrWhiteSpace(window))
        {
            errors.Collect(MaintenanceWindow.Parse(window), "", out parsed);
        }

        return errors.Count > 0 ? Result<RenewalPolicy>.Failure(errors) : new RenewalPolicy(fraction, parsed);
    }

    /// <summary>When the next renewal attempt is due.</summary>
    /// <param name="failures">Attempts that failed since the last success.</param>
    /// <param name="lastAttempt">When the last of them was made (null when none failed).</param>
    public DateTimeOffset NextRenewal(DateTimeOffset notBefore, DateTimeOffset notAfter, int failures, DateTimeOffset? lastAttempt)
    {
        var lifetime = notAfter - notBefore;
        var due = notBefore + TimeSpan.FromTicks((long)(lifetime.Ticks * Fraction));
        if (failures > 0 && lastAttempt is { } last)
        {
            var retry = last + Backoff(failures);
            due = retry > due ? retry : due;
        }

        // The last stretch is for getting a certificate at all: neither the window nor the back-off may push past it.
        var latest = notAfter - Urgent(lifetime);
        if (due >= latest)
        {
            // Close to expiry: no long back-off and no window, another attempt every few minutes.
            return failures > 0 && lastAttempt is { } previous ? Max(previous + FirstBackoff, latest) : latest;
        }

        if (Window is { } window)
        {
            var opening = window.NextOpening(due);
            return opening < latest ? opening : latest;
        }

        return due;
    }

    /// <summary>The wait after <paramref name="failures"/> failed attempts: 5 min, 10, 20 … capped at 6 h.</summary>
    public static TimeSpan Backoff(int failures)
    {
        var doublings = Math.Clamp(failures - 1, 0, 16);
        var wait = TimeSpan.FromTicks(FirstBackoff.Ticks << doublings);
        return wait < MaxBackoff ? wait : MaxBackoff;
    }

    // A tenth of the lifetime, at least a day: a 90-day certificate is renewed regardless of the window in its last 9 days.
    private static TimeSpan Urgent(TimeSpan lifetime)
    {
        var tenth = TimeSpan.FromTicks(lifetime.Ticks / 10);
        return tenth > TimeSpan.FromDays(1) ? tenth : TimeSpan.FromDays(1);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
