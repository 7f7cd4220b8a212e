using Portal.Domain.Values;

namespace Portal.Domain.Tests.Values;

public sealed class AddressTests
{
    [Theory]
    [InlineData("ops@example.com", "ops@example.com")]
    [InlineData("  ops@example.com ", "ops@example.com")]
    [InlineData("Ops.Team+alerts@Example.COM", "Ops.Team+alerts@example.com")]
    [InlineData("o'brien@example.co.uk", "o'brien@example.co.uk")]
    [InlineData("first_last-1@sub.example.org", "first_last-1@sub.example.org")]
    [InlineData("ops@bücher.example", "ops@xn--bcher-kva.example")]
    public void EmailAddress_accepts_plain_addresses(string text, string expected) =>
        Assert.Equal(expected, ResultAssert.Success(EmailAddress.TryCreate(text)).Value);

    [Theory]
    [InlineData("", "e-mail address is needed")]
    [InlineData("ops", "no '@'")]
    [InlineData("ops@", "nothing after '@'")]
    [InlineData("@example.com", "nothing before '@'")]
    [InlineData("ops@example", "no dot")]
    [InlineData("ops@@example.com", "more than one '@'")]
    [InlineData("a@b@example.com", "more than one '@'")]
    [InlineData("Ops Team <ops@example.com>", "give only the address")]
    [InlineData("ops@[192.0.2.1]", "IP address")]
    [InlineData("\"ops\"@example.com", "quoted")]
    [InlineData("ops..team@example.com", "misplaced dot")]
    [InlineData(".ops@example.com", "misplaced dot")]
    [InlineData("ops.@example.com", "misplaced dot")]
    [InlineData("jörg@example.com", "non-ASCII")]
    [InlineData("ops @example.com", "space")]
    [InlineData("ops(x)@example.com", "'('")]
    [InlineData("ops@exa_mple.com", "underscores")]
    [InlineData("ops\n@example.com", "space or control character")]
    public void EmailAddress_rejects_invalid_addresses(string text, string fragment) =>
        ResultAssert.Failure(EmailAddress.TryCreate(text), fragment);

    [Fact]
    public void EmailAddress_limits_the_local_part_to_64_characters()
    {
        ResultAssert.Success(EmailAddress.TryCreate(new string('a', 64) + "@example.com"));
        ResultAssert.Failure(EmailAddress.TryCreate(new string('a', 65) + "@example.com"), "65 characters before '@'");
    }

    [Fact]
    public void EmailAddress_limits_the_whole_address_to_254_characters()
    {
        var domain = $"{new string('b', 63)}.{new string('c', 63)}.{new string('d', 63)}.com";
        ResultAssert.Failure(EmailAddress.TryCreate($"{new string('a', 60)}@{domain}"), "longer than 254");
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("a@example.com", "a@example.com")]
    [InlineData("a@example.com, b@example.org", "a@example.com,b@example.org")]
    [InlineData("a@example.com\nb@bücher.example,", "a@example.com,b@xn--bcher-kva.example")]
    public void EmailList_accepts_comma_separated_addresses(string text, string expected) =>
        Assert.Equal(expected, ResultAssert.Success(EmailList.TryCreate(text)).Value);

    [Fact]
    public void EmailList_reports_duplicates_regardless_of_case() =>
        ResultAssert.Failure(EmailList.TryCreate("Ops@example.com, ops@EXAMPLE.com"), "listed more than once");

    [Fact]
    public void EmailList_reports_every_bad_address()
    {
        var messages = ResultAssert.Failure(EmailList.TryCreate("ops, ok@example.com, x@y"), "'ops'", "'y' has no dot");
        Assert.Equal(2, messages.Count);
    }

    [Theory]
    [InlineData("*", "*", true)]
    [InlineData(" * ", "*", true)]
    [InlineData("", "", false)]
    [InlineData("example.com", "example.com", false)]
    [InlineData("Example.com, example.org", "example.com,example.org", false)]
    [InlineData("bücher.example", "xn--bcher-kva.example", false)]
    public void DomainList_accepts_domains_or_a_lone_star(string text, string expected, bool any)
    {
        var list = ResultAssert.Success(DomainList.TryCreate(text));
        Assert.Equal(expected, list.Value);
        Assert.Equal(any, list.IsAny);
    }

    [Theory]
    [InlineData("*, example.com", "cannot be combined")]
    [InlineData("@example.com", "give the domain alone (example.com)")]
    [InlineData("example.com, example.com", "listed more than once")]
    [InlineData("*.example.com", "wildcard")]
    [InlineData("localhost", "no dot")]
    [InlineData("example.com, exa mple.org", "a space")]
    public void DomainList_rejects_invalid_lists(string text, string fragment) =>
        ResultAssert.Failure(DomainList.TryCreate(text), fragment);

    [Theory]
    [InlineData("https://acme-v02.api.letsencrypt.org/directory", "https://acme-v02.api.letsencrypt.org/directory")]
    [InlineData("HTTPS://Accounts.Example.COM/Realms/Main?x=1", "https://accounts.example.com/Realms/Main?x=1")]
    [InlineData("https://accounts.google.com", "https://accounts.google.com")]
    [InlineData("https://issuer.example.com/", "https://issuer.example.com/")]
    [InlineData("http://localhost:14000/dir", "http://localhost:14000/dir")]
    [InlineData("https://[2001:DB8::1]:8443/dir", "https://[2001:db8::1]:8443/dir")]
    [InlineData("https://10.0.0.1/dir", "https://10.0.0.1/dir")]
    [InlineData("https://bücher.example/acme", "https://xn--bcher-kva.example/acme")]
    public void Url_keeps_path_and_query_and_normalises_scheme_and_host(string text, string expected) =>
        Assert.Equal(expected, ResultAssert.Success(Url.TryCreate(text)).Value);

    [Theory]
    [InlineData("", "URL is needed")]
    [InlineData("ftp://example.com/", "must start with")]
    [InlineData("example.com/directory", "not an absolute URL")]
    [InlineData("https://", "no host")]
    [InlineData("https:///path", "no host")]
    [InlineData("https://example.com/#top", "fragment")]
    [InlineData("https://example.com:99999/", "invalid port")]
    [InlineData("https://example.com:abc/", "invalid port")]
    [InlineData("https://exa mple.com/", "space")]
    [InlineData("https://exa_mple.com/", "underscores")]
    [InlineData("https://2001:db8::1/", "brackets")]
    public void Url_rejects_invalid_urls(string text, string fragment) =>
        ResultAssert.Failure(Url.TryCreate(text), fragment);

    [Fact]
    public void Url_with_credentials_is_rejected_without_repeating_them()
    {
        var messages = ResultAssert.Failure(Url.TryCreate("https://admin:hunter22@acme.example.com/dir"), "user name or password");
        Assert.All(messages, m => Assert.DoesNotContain("hunter22", m, StringComparison.Ordinal));
    }

    [Fact]
    public void An_https_only_url_names_what_must_use_https() =>
        Assert.StartsWith("The ACME server must use https",
            Assert.Single(Url.TryCreate("http://acme.example.com/dir", httpsOnly: true, subject: "the ACME server").Errors).Message,
            StringComparison.Ordinal);

    [Fact]
    public void Http_is_fine_unless_https_is_required() =>
        Assert.False(ResultAssert.Success(Url.TryCreate("http://acme.example.com/dir")).IsHttps);
}
