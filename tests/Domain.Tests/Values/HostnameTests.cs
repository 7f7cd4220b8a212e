using Portal.Domain.Values;

namespace Portal.Domain.Tests.Values;

public sealed class HostnameTests
{
    private static readonly string Label63 = new('a', 63);

    /// <summary>253 characters: three 63-character labels and a 61-character one.</summary>
    private static readonly string Name253 = $"{Label63}.{Label63}.{Label63}.{new string('d', 61)}";

    [Theory]
    [InlineData("airbyte.example.com", "airbyte.example.com")]
    [InlineData("Airbyte.Example.COM", "airbyte.example.com")]
    [InlineData("  airbyte.example.com  ", "airbyte.example.com")]
    [InlineData("airbyte.example.com.", "airbyte.example.com")]
    [InlineData("a-b.c-d.example", "a-b.c-d.example")]
    [InlineData("1password.example.com", "1password.example.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example", "xn--bcher-kva.example")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("例え.テスト", "xn--r8jz45g.xn--zckzah")]
    [InlineData("münchen。de", "xn--mnchen-3ya.de")]
    public void Valid_hostnames_are_normalised_to_lower_case_ascii(string text, string expected) =>
        Assert.Equal(expected, ResultAssert.Success(Hostname.TryCreate(text)).Value);

    [Fact]
    public void The_unicode_form_is_kept_readable() =>
        Assert.Equal("bücher.example", ResultAssert.Success(Hostname.TryCreate("bücher.example")).Unicode);

    [Fact]
    public void A_63_character_label_and_a_253_character_name_are_accepted()
    {
        ResultAssert.Success(Hostname.TryCreate($"{Label63}.example.com"));
        Assert.Equal(253, Name253.Length);
        ResultAssert.Success(Hostname.TryCreate(Name253));
        ResultAssert.Success(Hostname.TryCreate(Name253 + "."));
    }

    [Fact]
    public void A_64_character_label_is_rejected() =>
        ResultAssert.Failure(Hostname.TryCreate($"{Label63}a.example.com"), "64 characters", "at most 63");

    [Fact]
    public void A_254_character_name_is_rejected() =>
        ResultAssert.Failure(Hostname.TryCreate(Name253 + "e"), "254 characters", "at most 253");

    [Fact]
    public void An_internationalised_label_too_long_in_punycode_is_rejected() =>
        ResultAssert.Failure(Hostname.TryCreate(new string('ü', 60) + ".example"), "in punycode");

    [Theory]
    [InlineData(null, "hostname is needed")]
    [InlineData("", "hostname is needed")]
    [InlineData("-airbyte.example.com", "starts or ends with '-'")]
    [InlineData("airbyte-.example.com", "starts or ends with '-'")]
    [InlineData("airbyte..example.com", "empty label")]
    [InlineData(".example.com", "empty label")]
    [InlineData("example.com..", "empty label")]
    [InlineData("air_byte.example.com", "underscores are not allowed")]
    [InlineData("air byte.example.com", "a space")]
    [InlineData("airbyte.example.com\u0000", "U+0000")]
    [InlineData("air!byte.example.com", "'!'")]
    [InlineData("airbyte", "no dot")]
    [InlineData("localhost", "no dot")]
    [InlineData("10.0.0.1", "IP address")]
    [InlineData("::1", "IP address")]
    [InlineData("2001:db8::1", "IP address")]
    [InlineData("1.2.3", "all digits")]
    [InlineData("https://airbyte.example.com/", "is a URL; give only the hostname (airbyte.example.com)")]
    [InlineData("airbyte.example.com/path", "without a path")]
    [InlineData("airbyte.example.com:443", "without ':port'")]
    [InlineData("ops@example.com", "e-mail")]
    [InlineData("xn--zz-.example", "starts or ends with '-'")]
    [InlineData("☃☃\u0000.example", "U+0000")]
    public void Invalid_hostnames_are_rejected(string? text, string fragment) =>
        ResultAssert.Failure(Hostname.TryCreate(text), fragment);

    [Fact]
    public void Invalid_punycode_is_rejected() =>
        ResultAssert.Failure(Hostname.TryCreate("xn--a.example"), "punycode");

    [Fact]
    public void A_single_label_is_accepted_where_allowed() =>
        Assert.Equal("postgres", ResultAssert.Success(Hostname.TryCreate("postgres", allowSingleLabel: true)).Value);

    [Theory]
    [InlineData("*.example.com", true)]
    [InlineData("*.Bücher.example", true)]
    [InlineData("*.example.com", false)]
    public void Wildcards_are_accepted_only_when_allowed(string text, bool allowed)
    {
        var result = Hostname.TryCreate(text, allowWildcard: allowed);
        if (allowed)
        {
            Assert.True(ResultAssert.Success(result).IsWildcard);
        }
        else
        {
            ResultAssert.Failure(result, "wildcard hostname is not allowed");
        }
    }

    [Theory]
    [InlineData("*.*.example.com", "wrong place")]
    [InlineData("a.*.example.com", "wrong place")]
    [InlineData("*a.example.com", "wrong place")]
    [InlineData("a*.example.com", "wrong place")]
    [InlineData("*.com", "too broad")]
    public void A_wildcard_must_be_the_whole_leftmost_label(string text, string fragment) =>
        ResultAssert.Failure(Hostname.TryCreate(text, allowWildcard: true), fragment);

    [Theory]
    [InlineData("airbyte.example.com", "airbyte.example.com", true)]
    [InlineData("airbyte.example.com", "AIRBYTE.example.com.", true)]
    [InlineData("airbyte.example.com", "*.example.com", true)]
    [InlineData("a.b.example.com", "*.example.com", false)]
    [InlineData("example.com", "*.example.com", false)]
    [InlineData("airbyte.example.com", "*.com", false)]
    [InlineData("airbyte.example.com", "air*.example.com", false)]
    [InlineData("airbyte.example.com", "other.example.com", false)]
    [InlineData("bücher.example", "xn--bcher-kva.example", true)]
    [InlineData("www.bücher.example", "*.bücher.example", true)]
    [InlineData("*.example.com", "*.example.com", true)]
    [InlineData("*.example.com", "a.example.com", false)]
    public void Certificate_names_cover_hostnames_as_browsers_match_them(string host, string pattern, bool covered) =>
        Assert.Equal(covered, ResultAssert.Success(Hostname.TryCreate(host, allowWildcard: true)).IsCoveredBy(pattern));

    [Theory]
    [InlineData("db.example.com", "db.example.com", NetworkHostKind.Name)]
    [InlineData("postgres", "postgres", NetworkHostKind.Name)]
    [InlineData("postgres.airbyte.svc", "postgres.airbyte.svc", NetworkHostKind.Name)]
    [InlineData("bücher.example", "xn--bcher-kva.example", NetworkHostKind.Name)]
    [InlineData("10.0.0.1", "10.0.0.1", NetworkHostKind.IPv4)]
    [InlineData("2001:db8::1", "2001:db8::1", NetworkHostKind.IPv6)]
    [InlineData("[2001:db8::1]", "2001:db8::1", NetworkHostKind.IPv6)]
    [InlineData("2001:DB8:0:0::1", "2001:db8::1", NetworkHostKind.IPv6)]
    [InlineData("::1", "::1", NetworkHostKind.IPv6)]
    public void NetworkHost_accepts_names_and_addresses(string text, string expected, NetworkHostKind kind)
    {
        var host = ResultAssert.Success(NetworkHost.TryCreate(text));
        Assert.Equal(expected, host.Value);
        Assert.Equal(kind, host.Kind);
    }

    [Fact]
    public void NetworkHost_writes_IPv6_in_brackets_for_URLs() =>
        Assert.Equal("[2001:db8::1]", ResultAssert.Success(NetworkHost.TryCreate("2001:db8::1")).UriHost);

    [Theory]
    [InlineData("", "hostname or IP address is needed")]
    [InlineData("10.0.1", "not a complete IPv4 address")]
    [InlineData("010.0.0.1", "leading zero")]
    [InlineData("256.1.1.1", "larger than 255")]
    [InlineData("fe80::1%eth0", "zone index")]
    [InlineData("2001:db8::g", "not a valid IPv6 address")]
    [InlineData("db_host", "underscores")]
    [InlineData("db host", "a space")]
    public void NetworkHost_rejects_invalid_hosts(string text, string fragment) =>
        ResultAssert.Failure(NetworkHost.TryCreate(text), fragment);
}
