using Portal.Domain.Values;

namespace Portal.Domain.Tests.Values;

public sealed class TextTests
{
    [Theory]
    [InlineData("github-client-id", "github-client-id")]
    [InlineData("  padded  ", "padded")]
    [InlineData("ünïcödé text", "ünïcödé text")]
    [InlineData("", "")]
    public void TextLine_accepts_printable_text(string text, string expected) =>
        Assert.Equal(expected, ResultAssert.Success(TextLine.TryCreate(text)).Value);

    [Fact]
    public void TextLine_keeps_spaces_when_asked_to() =>
        Assert.Equal(" secret ", ResultAssert.Success(TextLine.TryCreate(" secret ", trim: false)).Value);

    [Theory]
    [InlineData("a\nb", "line break at position 2")]
    [InlineData("a\r\nb", "line break")]
    [InlineData("a\u2028b", "line break")]
    [InlineData("a\u0007b", "control character (U+0007) at position 2")]
    [InlineData("a\tb", "a tab")]
    [InlineData("a\u001b[31mred", "U+001B")]
    public void TextLine_rejects_line_breaks_and_control_characters(string text, string fragment) =>
        ResultAssert.Failure(TextLine.TryCreate(text), fragment);

    [Fact]
    public void TextLine_rejects_a_lone_surrogate()
    {
        // Built at run time: a lone surrogate does not survive being written into test metadata.
        var text = "bad" + (char)0xD800 + "surrogate";
        ResultAssert.Failure(TextLine.TryCreate(text), "lone surrogate) at position 4");
    }

    [Fact]
    public void TextLine_accepts_a_surrogate_pair() =>
        ResultAssert.Success(TextLine.TryCreate("emoji " + char.ConvertFromUtf32(0x1F389)));

    [Fact]
    public void TextLine_is_limited_in_length()
    {
        ResultAssert.Success(TextLine.TryCreate(new string('x', 1024)));
        ResultAssert.Failure(TextLine.TryCreate(new string('x', 1025)), "1025 characters long; at most 1024");
        ResultAssert.Failure(TextLine.TryCreate("abcdef", maxLength: 5), "at most 5");
    }

    [Fact]
    public void TextLine_messages_never_quote_the_text()
    {
        const string Text = "s3cr3t-value\u0007tail";
        Assert.All(ResultAssert.Failure(TextLine.TryCreate(Text)), m => Assert.DoesNotContain("s3cr3t", m, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--flag-a\n--flag-b", "--flag-a\n--flag-b")]
    [InlineData("--a\r\n--b\r--c", "--a\n--b\n--c")]
    [InlineData("KEY=value\twith tab", "KEY=value\twith tab")]
    [InlineData("", "")]
    public void FreeText_accepts_lines_and_normalises_line_ends(string text, string expected) =>
        Assert.Equal(expected, ResultAssert.Success(FreeText.TryCreate(text)).Value);

    [Fact]
    public void FreeText_reports_control_characters_by_line()
    {
        var messages = ResultAssert.Failure(FreeText.TryCreate("ok\nstill ok\nbad\u001b[0m\nworse\u0000"), "line 3, position 4", "line 4, position 6");
        Assert.Equal(2, messages.Count);
    }

    [Fact]
    public void FreeText_reports_at_most_five_characters() =>
        Assert.Equal(5, ResultAssert.Failure(FreeText.TryCreate(new string('\u0001', 50))).Count);

    [Fact]
    public void FreeText_is_limited_in_length() =>
        ResultAssert.Failure(FreeText.TryCreate(new string('x', FreeText.DefaultMaxLength + 1)), "at most 65536");
}
