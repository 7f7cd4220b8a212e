using Portal.Domain.Values;

namespace Portal.Domain.Tests.Values;

public sealed class NameTests
{
    public static TheoryData<string> GoodLabels => ["a", "airbyte", "airbyte-prod", "a1", "1a", "a--b", new string('a', 63)];

    [Theory]
    [MemberData(nameof(GoodLabels))]
    public void DnsLabel_accepts_valid_labels(string text) =>
        Assert.Equal(text, ResultAssert.Success(DnsLabel.TryCreate(text)).Value);

    [Fact]
    public void DnsLabel_ignores_surrounding_whitespace() =>
        Assert.Equal("airbyte", ResultAssert.Success(DnsLabel.TryCreate("  airbyte\t")).Value);

    [Theory]
    [InlineData(null, "name is needed")]
    [InlineData("", "name is needed")]
    [InlineData("   ", "name is needed")]
    [InlineData("Airbyte", "'A'")]
    [InlineData("my_stack", "'_'")]
    [InlineData("my stack", "a space")]
    [InlineData("a.b", "'.'")]
    [InlineData("-abc", "start and end with a letter or digit")]
    [InlineData("abc-", "start and end with a letter or digit")]
    [InlineData("bücher", "'ü'")]
    [InlineData("a\u0007b", "U+0007")]
    public void DnsLabel_rejects_invalid_labels(string? text, string fragment) =>
        ResultAssert.Failure(DnsLabel.TryCreate(text), fragment);

    [Fact]
    public void DnsLabel_longer_than_63_characters_is_rejected_with_its_length()
    {
        var messages = ResultAssert.Failure(DnsLabel.TryCreate(new string('a', 64)), "64 characters", "at most 63");
        Assert.Single(messages);
    }

    [Theory]
    [InlineData("My_Stack", "my-stack")]
    [InlineData("Airbyte Prod!", "airbyte-prod")]
    [InlineData("-edge-", "edge")]
    public void DnsLabel_suggests_a_valid_name(string text, string suggestion) =>
        ResultAssert.Failure(DnsLabel.TryCreate(text), $"Try '{suggestion}'");

    [Theory]
    [InlineData("tls-secret")]
    [InlineData("example.com-tls")]
    [InlineData("a.b.c")]
    public void DnsSubdomain_accepts_valid_names(string text) =>
        Assert.Equal(text, ResultAssert.Success(DnsSubdomain.TryCreate(text)).Value);

    [Fact]
    public void DnsSubdomain_accepts_253_characters_and_rejects_254()
    {
        var exact = new string('a', 63) + "." + new string('b', 63) + "." + new string('c', 63) + "." + new string('d', 61);
        Assert.Equal(253, exact.Length);
        ResultAssert.Success(DnsSubdomain.TryCreate(exact));
        ResultAssert.Failure(DnsSubdomain.TryCreate(exact + "e"), "254 characters");
    }

    [Theory]
    [InlineData("a..b", "empty part")]
    [InlineData(".a", "empty part")]
    [InlineData("a.", "empty part")]
    [InlineData("a.-b", "start and end")]
    [InlineData("Tls", "'T'")]
    public void DnsSubdomain_rejects_invalid_names(string text, string fragment) =>
        ResultAssert.Failure(DnsSubdomain.TryCreate(text), fragment);

    [Theory]
    [InlineData("airbyte-dev-logs")]
    [InlineData("my.bucket.name")]
    [InlineData("abc")]
    public void BucketName_accepts_valid_names(string text) =>
        ResultAssert.Success(BucketName.TryCreate(text));

    [Theory]
    [InlineData("ab", "at least 3")]
    [InlineData("192.168.1.1", "IP address")]
    [InlineData("Logs", "'L'")]
    [InlineData("a_b-c", "'_'")]
    public void BucketName_rejects_invalid_names(string text, string fragment) =>
        ResultAssert.Failure(BucketName.TryCreate(text), fragment);
}
