using Portal.Domain.Values;

namespace Portal.Domain.Tests.Values;

public sealed class DurationTests
{
    [Theory]
    [InlineData("60s", "1m", 60)]
    [InlineData("5m", "5m", 300)]
    [InlineData("1h30m", "1h30m", 5400)]
    [InlineData("1h 30m", "1h30m", 5400)]
    [InlineData("1.5h", "1h30m", 5400)]
    [InlineData("90", "1m30s", 90)]
    [InlineData("3d", "72h", 259200)]
    [InlineData("72h", "72h", 259200)]
    [InlineData("24h", "24h", 86400)]
    [InlineData("250ms", "250ms", 0)]
    [InlineData("1500ms", "1s500ms", 1)]
    [InlineData("2us", "2us", 0)]
    [InlineData("1µs", "1us", 0)]
    [InlineData("100ns", "100ns", 0)]
    [InlineData("1h0m5s", "1h5s", 3605)]
    public void Go_style_durations_are_read_and_written_in_canonical_form(string text, string canonical, long seconds)
    {
        var duration = ResultAssert.Success(Duration.TryCreate(text));
        Assert.Equal(canonical, duration.ToString());
        Assert.Equal(seconds, duration.TotalSeconds);
    }

    [Fact]
    public void The_canonical_form_reads_back_to_the_same_duration()
    {
        foreach (var text in new[] { "1h30m", "250ms", "1.25s", "3d", "7" })
        {
            var first = ResultAssert.Success(Duration.TryCreate(text));
            Assert.Equal(first, ResultAssert.Success(Duration.TryCreate(first.ToString())));
        }
    }

    [Fact]
    public void A_bare_number_means_seconds() =>
        Assert.Equal(TimeSpan.FromSeconds(60), ResultAssert.Success(Duration.TryCreate("60")).Value);

    [Fact]
    public void Whole_seconds_are_told_apart_for_nginx()
    {
        Assert.True(ResultAssert.Success(Duration.TryCreate("2m")).IsWholeSeconds);
        Assert.False(ResultAssert.Success(Duration.TryCreate("1500ms")).IsWholeSeconds);
    }

    [Theory]
    [InlineData("", "duration is needed")]
    [InlineData("-5s", "negative")]
    [InlineData("5minutes", "unknown unit 'minutes'")]
    [InlineData("5 minutes", "not a duration")]
    [InlineData("1h30", "without a unit (30)")]
    [InlineData("10M", "months are not supported")]
    [InlineData("10S", "unknown unit 'S'")]
    [InlineData("abc", "not a duration")]
    [InlineData("s", "not a duration")]
    [InlineData("1..5s", "not a duration")]
    [InlineData("1.5", "not a duration")]
    [InlineData("0s", "zero")]
    [InlineData("0", "zero")]
    [InlineData("99999999999999h", "too long")]
    [InlineData("999999999999999999", "too long")]
    public void Invalid_durations_are_rejected(string text, string fragment) =>
        ResultAssert.Failure(Duration.TryCreate(text), fragment);

    [Fact]
    public void Zero_is_accepted_where_the_use_allows_it() =>
        Assert.True(ResultAssert.Success(Duration.TryCreate("0s", allowZero: true)).IsZero);
}
