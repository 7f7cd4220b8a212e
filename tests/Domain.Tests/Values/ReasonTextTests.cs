using Portal.Domain.Common;
using Portal.Domain.Values;

namespace Portal.Domain.Tests.Values;

public sealed class ReasonTextTests
{
    private const string Required = "Say why (a reason is kept in the audit log).";

    [Theory]
    [InlineData("CHG-1042: first deploy", "CHG-1042: first deploy")]
    [InlineData("  padded  ", "padded")]
    [InlineData("line one\nline two\twith a tab", "line one\nline two\twith a tab")]
    [InlineData("windows\r\nline ends\rand old Mac ones", "windows\nline ends\nand old Mac ones")]
    [InlineData("ünïcödé ✓ 中文", "ünïcödé ✓ 中文")]
    public void A_printable_reason_is_kept_trimmed_with_LF_line_ends(string text, string kept)
    {
        var errors = new ErrorList();

        Assert.Equal(kept, ReasonText.Check(text, errors, Required));
        Assert.Empty(errors);
        Assert.Equal(kept, ResultAssert.Success(ReasonText.TryCreate(text)).Value);
    }

    [Fact]
    public void A_surrogate_pair_is_printable() =>
        ResultAssert.Success(ReasonText.TryCreate("shipped " + char.ConvertFromUtf32(0x1F389)));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public void A_missing_reason_is_told_the_callers_sentence_when_required_and_is_no_error_when_optional(string? text)
    {
        var required = new ErrorList();
        Assert.Null(ReasonText.Check(text, required, Required));
        Assert.Equal([new ValidationError("reason", Required)], required);

        var optional = new ErrorList();
        Assert.Null(ReasonText.Check(text, optional));
        Assert.Empty(optional);
    }

    [Theory]
    [InlineData("moving\0on", "U+0000", "position 7")]
    [InlineData("red \u001b[31malert", "U+001B", "position 5")]
    [InlineData("bell\u0007", "U+0007")]
    [InlineData("next\u0085line", "U+0085")]
    [InlineData("ok\nbad\u007f", "U+007F", "line 2, position 4")]
    public void A_control_character_other_than_a_line_break_or_tab_is_refused_on_the_reason_field(string text, params string[] fragments)
    {
        var errors = new ErrorList();

        Assert.Null(ReasonText.Check(text, errors, Required));

        var error = Assert.Single(errors);
        Assert.Equal("reason", error.Path);
        Assert.StartsWith("The reason has a control character", error.Message, StringComparison.Ordinal);
        ResultAssert.Failure(ReasonText.TryCreate(text), fragments);
    }

    [Fact]
    public void A_lone_surrogate_is_refused()
    {
        // Built at run time: a lone surrogate does not survive being written into test metadata.
        var text = "broken " + (char)0xD800 + " text";
        var errors = new ErrorList();

        ReasonText.Check(text, errors);

        Assert.Contains("lone surrogate", Assert.Single(errors).Message, StringComparison.Ordinal);
        Assert.Equal("reason", errors[0].Path);
    }

    [Fact]
    public void A_reason_is_at_most_MaxLength_characters_after_trimming()
    {
        ResultAssert.Success(ReasonText.TryCreate(new string('x', ReasonText.MaxLength)));
        ResultAssert.Success(ReasonText.TryCreate("  " + new string('x', ReasonText.MaxLength) + "\n"));

        var errors = new ErrorList();
        ReasonText.Check(new string('x', ReasonText.MaxLength + 1), errors, Required);

        var error = Assert.Single(errors);
        Assert.Equal(("reason", "The reason is 1001 characters long; at most 1000 are allowed."), (error.Path, error.Message));
    }

    [Fact]
    public void Every_problem_is_reported_at_once_and_the_messages_never_quote_the_text()
    {
        var text = "s3cr3t-ticket\0" + new string('y', ReasonText.MaxLength);

        var messages = ResultAssert.Failure(ReasonText.TryCreate(text), "control character", "at most 1000");

        Assert.All(messages, m => Assert.DoesNotContain("s3cr3t", m, StringComparison.Ordinal));
    }

    [Fact]
    public void The_errors_join_the_callers_list()
    {
        var errors = new ErrorList();
        errors.Add("secret", "There is no secret x.");

        ReasonText.Check("bad\0", errors, Required);

        Assert.Equal(["secret", "reason"], errors.Select(e => e.Path));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("  ", null)]
    [InlineData(" CHG-7\r\nsecond line ", "CHG-7\nsecond line")]
    public void ForAudit_keeps_a_valid_reason_as_it_is_kept_and_none_as_null(string? text, string? audited) =>
        Assert.Equal(audited, ReasonText.ForAudit(text));

    [Fact]
    public void ForAudit_writes_control_characters_and_lone_surrogates_readably()
    {
        var audited = ReasonText.ForAudit("moving\0on\u001b[0m " + (char)0xDC00);

        Assert.Equal("moving\\u0000on\\u001B[0m \\uDC00", audited);
    }

    [Fact]
    public void ForAudit_cuts_a_long_reason_to_MaxLength_characters()
    {
        var audited = ReasonText.ForAudit("start " + new string('\0', 50_000) + " end")!;

        Assert.True(audited.Length <= ReasonText.MaxLength, $"{audited.Length} characters kept");
        Assert.DoesNotContain(audited, c => char.IsControl(c) || char.IsSurrogate(c));
        Assert.StartsWith("start \\u0000", audited, StringComparison.Ordinal);
        Assert.EndsWith(" end", audited, StringComparison.Ordinal);
    }
}
