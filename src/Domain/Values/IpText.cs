using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Portal.Domain.Values;

/// <summary>Strict parsing of IP address literals.</summary>
/// <remarks><see cref="IPAddress.TryParse(string?, out IPAddress?)"/> accepts shorthand such as <c>10.1</c>, octal-looking
/// <c>010.0.0.1</c>, brackets and ports; operator input must be the plain dotted quad or IPv6 text.</remarks>
internal static class IpText
{
    /// <summary>Only digits and dots: meant as an IPv4 address (and never a valid hostname, whose last label has a letter).</summary>
    public static bool LooksLikeIPv4(string text) =>
        text.Length > 0 && text.Any(char.IsAsciiDigit) && text.All(c => char.IsAsciiDigit(c) || c == '.');

    public static bool LooksLikeIPv6(string text) => text.Contains(':', StringComparison.Ordinal);

    public static bool TryParseIPv4(string text, out IPAddress address, out string error)
    {
        address = IPAddress.None;
        error = "";
        var parts = text.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length == 0 || p.Length > 3 || !p.All(char.IsAsciiDigit)))
        {
            error = $"{Show.QuoteStart(text)} is not a complete IPv4 address; four numbers from 0 to 255 separated by dots are expected (e.g. 192.0.2.10).";
            return false;
        }

        if (parts.Any(p => p.Length > 1 && p[0] == '0'))
        {
            error = $"{Show.QuoteStart(text)} has a number with a leading zero, which some tools read as octal; write it without the zero.";
            return false;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var number = int.Parse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture);
            if (number > 255)
            {
                error = $"{Show.QuoteStart(text)} is not an IPv4 address: {number} is larger than 255.";
                return false;
            }

            bytes[i] = (byte)number;
        }

        address = new IPAddress(bytes);
        return true;
    }

    public static bool TryParseIPv6(string text, out IPAddress address, out string error)
    {
        address = IPAddress.IPv6None;
        error = "";
        if (text.Contains('%', StringComparison.Ordinal))
        {
            error = $"{Show.QuoteStart(text)} has a zone index (after %), which only means something on one machine; give the address alone.";
            return false;
        }

        if (!text.All(c => char.IsAsciiHexDigit(c) || c == ':' || c == '.')
            || !IPAddress.TryParse(text, out var parsed)
            || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            error = $"{Show.QuoteStart(text)} is not a valid IPv6 address (e.g. 2001:db8::10).";
            return false;
        }

        address = parsed;
        return true;
    }
}
