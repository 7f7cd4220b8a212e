using Portal.Domain.Certificates;

namespace Portal.Domain.Tests.Certificates;

public sealed class ExpiryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(90.0, ExpiryBand.Healthy)]
    [InlineData(30.01, ExpiryBand.Healthy)]
    [InlineData(30.0, ExpiryBand.Warning)]
    [InlineData(7.0, ExpiryBand.Warning)]
    [InlineData(6.99, ExpiryBand.Critical)]
    [InlineData(0.01, ExpiryBand.Critical)]
    [InlineData(0.0, ExpiryBand.Expired)]
    [InlineData(-3.0, ExpiryBand.Expired)]
    public void The_band_follows_the_days_left(double daysLeft, ExpiryBand band) =>
        Assert.Equal(band, Expiry.Band(Now.AddDays(daysLeft), Now));

    [Theory]
    [InlineData(12.5, "expires in 12 days")]
    [InlineData(1.0, "expires in 1 day")]
    [InlineData(0.25, "expires in 6 hours")]
    [InlineData(0.0001, "expires in 1 minute")]
    [InlineData(-3.2, "expired 3 days ago")]
    public void Time_left_reads_in_whole_units(double daysLeft, string text) =>
        Assert.Equal(text, Expiry.Describe(Now.AddDays(daysLeft), Now));
}

public sealed class MaintenanceWindowTests
{
    [Theory]
    [InlineData("02:00-04:00", "2026-11-26T03:00:00Z", true)]
    [InlineData("02:00-04:00", "2026-11-26T04:00:00Z", false)]
    [InlineData("02:00-04:00", "2026-11-26T01:59:00Z", false)]
    [InlineData("22:00-02:00", "2026-11-26T23:30:00Z", true)]
    [InlineData("22:00-02:00", "2026-11-26T01:00:00Z", true)]
    [InlineData("22:00-02:00", "2026-11-26T12:00:00Z", false)]
    public void A_window_contains_its_times_and_may_wrap_past_midnight(string window, string moment, bool inside) =>
        Assert.Equal(inside, MaintenanceWindow.Parse(window).Value.Contains(DateTimeOffset.Parse(moment, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("02:00-04:00", "2026-11-26T01:00:00Z", "2026-11-26T02:00:00Z")]
    [InlineData("02:00-04:00", "2026-11-26T05:00:00Z", "2026-11-27T02:00:00Z")]
    [InlineData("02:00-04:00", "2026-11-26T03:10:00Z", "2026-11-26T03:10:00Z")]
    [InlineData("22:00-02:00", "2026-11-26T12:00:00Z", "2026-11-26T22:00:00Z")]
    public void The_next_opening_is_the_moment_itself_inside_the_window_else_its_next_start(string window, string moment, string opening) =>
        Assert.Equal(
            DateTimeOffset.Parse(opening, System.Globalization.CultureInfo.InvariantCulture),
            MaintenanceWindow.Parse(window).Value.NextOpening(DateTimeOffset.Parse(moment, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("", "is not a window")]
    [InlineData("2am-4am", "is not a window")]
    [InlineData("02:00", "is not a window")]
    [InlineData("25:00-04:00", "is not a window")]
    [InlineData("03:00-03:00", "is empty")]
    public void A_bad_window_says_how_to_write_one(string window, string message)
    {
        var result = MaintenanceWindow.Parse(window);

        Assert.False(result.IsSuccess);
        Assert.Equal("maintenance-window", result.Errors.Single().Path);
        Assert.Contains(message, result.Errors.Single().Message, StringComparison.Ordinal);
    }
}

public sealed class RenewalPolicyTests
{
    private static readonly DateTimeOffset Issued = new(2026, 9, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expires = Issued.AddDays(90);

    [Fact]
    public void A_90_day_certificate_is_renewed_30_days_before_it_expires() =>
        Assert.Equal(Issued.AddDays(60), RenewalPolicy.Default.NextRenewal(Issued, Expires, failures: 0, lastAttempt: null));

    [Fact]
    public void The_renewal_waits_for_the_stacks_maintenance_window()
    {
        var policy = RenewalPolicy.Create(RenewalPolicy.DefaultFraction, "02:00-04:00").Value;

        // Day 60 is at 10:00, after the window: the next opening is 02:00 the day after.
        Assert.Equal(new DateTimeOffset(Issued.AddDays(61).Date, TimeSpan.Zero).AddHours(2), policy.NextRenewal(Issued, Expires, 0, null));
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(6, 160)]
    [InlineData(8, 360)]
    [InlineData(40, 360)]
    public void Failed_attempts_back_off_exponentially_up_to_six_hours(int failures, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), RenewalPolicy.Backoff(failures));

    [Fact]
    public void After_failures_the_next_attempt_waits_out_the_back_off()
    {
        var last = Issued.AddDays(60).AddMinutes(1);

        Assert.Equal(last.AddMinutes(20), RenewalPolicy.Default.NextRenewal(Issued, Expires, failures: 3, lastAttempt: last));
    }

    [Fact]
    public void Close_to_expiry_neither_the_window_nor_a_long_back_off_delays_another_attempt()
    {
        var policy = RenewalPolicy.Create(RenewalPolicy.DefaultFraction, "02:00-04:00").Value;
        var last = Expires.AddDays(-2).AddHours(3); // inside the last tenth of the lifetime, outside the window

        Assert.Equal(last.AddMinutes(5), policy.NextRenewal(Issued, Expires, failures: 12, lastAttempt: last));
    }

    [Fact]
    public void A_window_that_would_open_after_the_last_safe_moment_gives_way()
    {
        // Renewal due at 0.899 of 90 days (day 80, 21:50); the window opens at 23:00, after the last safe moment (day 81, 10:00).
        var policy = RenewalPolicy.Create(0.899, "23:00-23:30").Value;

        Assert.Equal(Expires.AddDays(-9), policy.NextRenewal(Issued, Expires, 0, null));
    }

    [Fact]
    public void A_bad_policy_reports_every_problem_at_once()
    {
        var result = RenewalPolicy.Create(1.5, "late at night");

        Assert.Equal(["renew-at", "maintenance-window"], result.Errors.Select(e => e.Path));
        Assert.Contains("between 0.1 and 0.95", result.Errors[0].Message, StringComparison.Ordinal);
    }
}
