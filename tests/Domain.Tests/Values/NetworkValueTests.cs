using System.Net;
using Portal.Domain.Values;

namespace Portal.Domain.Tests.Values;

public sealed class NetworkValueTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData(" 192.168.1.0/24 ", "192.168.1.0/24")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("203.0.113.7", "203.0.113.7/32")]
    [InlineData("203.0.113.7/32", "203.0.113.7/32")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("2001:DB8:0::/32", "2001:db8::/32")]
    [InlineData("::/0", "::/0")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    [InlineData("fd00::/8", "fd00::/8")]
    public void CidrBlock_accepts_IPv4_and_IPv6_blocks(string text, string expected) =>
        Assert.Equal(expected, ResultAssert.Success(CidrBlock.TryCreate(text)).Value);

    [Theory]
    [InlineData("10.0.0.5/8", "10.0.0.5/8 has host bits set; did you mean 10.0.0.0/8?")]
    [InlineData("192.168.1.1/24", "192.168.1.1/24 has host bits set; did you mean 192.168.1.0/24?")]
    [InlineData("2001:db8::1/32", "2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?")]
    public void CidrBlock_with_host_bits_suggests_the_network(string text, string message) =>
        Assert.Equal(message, Assert.Single(CidrBlock.TryCreate(text).Errors).Message);

    [Theory]
    [InlineData("", "CIDR block is needed")]
    [InlineData("10.0.0.0/33", "from 0 to 32")]
    [InlineData("2001:db8::/129", "from 0 to 128")]
    [InlineData("10.0.0.0/-1", "prefix length")]
    [InlineData("10.0.0.0/", "prefix length")]
    [InlineData("10.0.0.0/8/8", "more than one '/'")]
    [InlineData("10.0.0/8", "not a complete IPv4 address")]
    [InlineData("300.0.0.0/8", "larger than 255")]
    [InlineData("abc", "not a complete IPv4 address")]
    [InlineData("10.0.0.0 /8", "a space")]
    [InlineData("10.0.0.0/8 192.168.0.0/16", "separate CIDR blocks with commas")]
    [InlineData("2001:db8::zz/32", "not a valid IPv6 address")]
    public void CidrBlock_rejects_invalid_blocks(string text, string fragment) =>
        ResultAssert.Failure(CidrBlock.TryCreate(text), fragment);

    [Fact]
    public void CidrBlock_contains_addresses_in_its_range()
    {
        var block = ResultAssert.Success(CidrBlock.TryCreate("10.0.0.0/8"));
        Assert.True(block.Contains(IPAddress.Parse("10.255.0.1")));
        Assert.False(block.Contains(IPAddress.Parse("11.0.0.1")));
        Assert.False(block.Contains(IPAddress.Parse("::1")));
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("   ", "")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("10.0.0.0/8, 192.168.0.0/16", "10.0.0.0/8,192.168.0.0/16")]
    [InlineData(" 10.0.0.0/8 ,\n2001:db8::/32,", "10.0.0.0/8,2001:db8::/32")]
    [InlineData("10.0.0.0/8,\r\n203.0.113.7", "10.0.0.0/8,203.0.113.7/32")]
    public void CidrList_accepts_comma_separated_blocks(string? text, string expected) =>
        Assert.Equal(expected, ResultAssert.Success(CidrList.TryCreate(text)).Value);

    [Fact]
    public void CidrList_reports_duplicates_after_normalising()
    {
        var messages = ResultAssert.Failure(CidrList.TryCreate("2001:db8::/32, 10.0.0.0/8, 2001:DB8::/32"), "listed more than once");
        Assert.Single(messages);
    }

    [Fact]
    public void CidrList_reports_every_bad_entry_at_once()
    {
        var messages = ResultAssert.Failure(CidrList.TryCreate("10.0.0.5/8, bad, 10.0.0.0/33, 192.168.0.0/16"),
            "did you mean 10.0.0.0/8?", "'bad'", "from 0 to 32");
        Assert.Equal(3, messages.Count);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("80", 80)]
    [InlineData(" 5432 ", 5432)]
    [InlineData("65535", 65535)]
    public void Port_accepts_1_to_65535(string text, int expected) =>
        Assert.Equal(expected, ResultAssert.Success(Port.TryCreate(text)).Number);

    [Theory]
    [InlineData("", "port number from 1 to 65535 is needed")]
    [InlineData("0", "out of range")]
    [InlineData("65536", "out of range")]
    [InlineData("99999999999999", "not a port number")]
    [InlineData("-1", "not a port number")]
    [InlineData("80.0", "not a port number")]
    [InlineData("http", "not a port number")]
    public void Port_rejects_everything_else(string text, string fragment) =>
        ResultAssert.Failure(Port.TryCreate(text), fragment);
}
