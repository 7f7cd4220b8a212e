using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>An IPv4 or IPv6 network in CIDR notation, e.g. <c>10.0.0.0/8</c> or <c>2001:db8::/32</c>; a bare address
/// means that one address (<c>/32</c> or <c>/128</c>).</summary>
public sealed record CidrBlock
{
    private CidrBlock(IPAddress network, int prefixLength)
    {
        Network = network;
        PrefixLength = prefixLength;
    }

    /// <summary>The network address (host bits zero).</summary>
    public IPAddress Network { get; }

    public int PrefixLength { get; }

    public bool IsIPv6 => Network.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>Canonical text, e.g. <c>10.0.0.0/8</c>, <c>2001:db8::/32</c>.</summary>
    public string Value => $"{Network}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != Network.AddressFamily)
        {
            return false;
        }

        return Mask(address.GetAddressBytes(), PrefixLength).AsSpan().SequenceEqual(Network.GetAddressBytes());
    }

    public static Result<CidrBlock> TryCreate(string? text)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return Errors.Fail<CidrBlock>("A CIDR block is needed, such as 10.0.0.0/8 or 2001:db8::/32.");
        }

        var quoted = Show.QuoteStart(value);
        if (value.Any(char.IsWhiteSpace))
        {
            return Errors.Fail<CidrBlock>($"{quoted} contains a space; separate CIDR blocks with commas.");
        }

        var parts = value.Split('/');
        if (parts.Length > 2)
        {
            return Errors.Fail<CidrBlock>($"{quoted} has more than one '/'; a CIDR block is an address, '/' and a prefix length, such as 10.0.0.0/8.");
        }

        var addressText = parts[0];
        IPAddress address;
        string error;
        var parsed = IpText.LooksLikeIPv6(addressText)
            ? IpText.TryParseIPv6(addressText, out address, out error)
            : IpText.TryParseIPv4(addressText, out address, out error);
        if (!parsed)
        {
            return Errors.Fail<CidrBlock>($"{error} A CIDR block such as 10.0.0.0/8 or 2001:db8::/32 is expected.");
        }

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        var prefix = maxPrefix;
        if (parts.Length == 2)
        {
            var prefixText = parts[1];
            if (prefixText.Length == 0 || prefixText.Length > 3 || !prefixText.All(char.IsAsciiDigit)
                || (prefix = int.Parse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture)) > maxPrefix)
            {
                var family = maxPrefix == 32 ? "IPv4" : "IPv6";
                return Errors.Fail<CidrBlock>($"{quoted} has prefix length {Show.Quote(prefixText)}; an {family} prefix length is a number from 0 to {maxPrefix}.");
            }
        }

        var network = new IPAddress(Mask(address.GetAddressBytes(), prefix));
        var block = new CidrBlock(network, prefix);
        if (!network.Equals(address))
        {
            return Errors.Fail<CidrBlock>($"{value} has host bits set; did you mean {block.Value}?");
        }

        return block;
    }

    public override string ToString() => Value;

    private static byte[] Mask(byte[] bytes, int prefix)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return bytes;
    }
}

/// <summary>A comma-separated list of CIDR blocks (IPv4 and IPv6 mixed), e.g. an ingress source-range allow list;
/// the empty list is valid.</summary>
public sealed record CidrList
{
    private CidrList(IReadOnlyList<CidrBlock> blocks) => Blocks = blocks;

    public IReadOnlyList<CidrBlock> Blocks { get; }

    public bool IsEmpty => Blocks.Count == 0;

    /// <summary>Canonical text: blocks joined by commas without spaces.</summary>
    public string Value => string.Join(',', Blocks.Select(b => b.Value));

    public static Result<CidrList> TryCreate(string? text)
    {
        var messages = new List<string>();
        var blocks = new List<CidrBlock>();
        foreach (var item in ListText.Split(text).TakeWhile(_ => !Errors.Enough(messages)))
        {
            var block = CidrBlock.TryCreate(item);
            if (block.IsSuccess)
            {
                blocks.Add(block.Value);
            }
            else
            {
                messages.AddRange(block.Errors.Select(e => e.Message));
            }
        }

        ListText.ReportDuplicates(blocks.Select(b => b.Value), messages, StringComparer.Ordinal);
        return Errors.Finish(messages, () => new CidrList(blocks));
    }

    public bool Equals(CidrList? other) => other is not null && Value == other.Value;

    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Value;
}
