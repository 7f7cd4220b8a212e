using System.Net;
using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>What a <see cref="NetworkHost"/> is.</summary>
public enum NetworkHostKind
{
    Name,
    IPv4,
    IPv6,
}

/// <summary>A server to connect to: a hostname (a single label such as an in-cluster service name is fine) or an IPv4/IPv6
/// literal; an IPv6 address may be given in brackets.</summary>
public sealed record NetworkHost
{
    private NetworkHost(string value, NetworkHostKind kind)
    {
        Value = value;
        Kind = kind;
    }

    /// <summary>The hostname in ASCII (punycode) form, or the address in its canonical text (IPv6 without brackets).</summary>
    public string Value { get; }

    public NetworkHostKind Kind { get; }

    public IPAddress? Address => Kind == NetworkHostKind.Name ? null : IPAddress.Parse(Value);

    /// <summary>The host as it appears in a URL: IPv6 in brackets.</summary>
    public string UriHost => Kind == NetworkHostKind.IPv6 ? $"[{Value}]" : Value;

    public static Result<NetworkHost> TryCreate(string? text)
    {
        var value = text?.Trim() ?? "";
        if (value.Length == 0)
        {
            return Errors.Fail<NetworkHost>("A hostname or IP address is needed, such as db.example.com or 192.0.2.10.");
        }

        if (value.StartsWith('[') && value.EndsWith(']'))
        {
            value = value[1..^1];
        }

        if (IpText.LooksLikeIPv6(value) && !value.Contains("://", StringComparison.Ordinal))
        {
            return IpText.TryParseIPv6(value, out var v6, out var error)
                ? new NetworkHost(v6.ToString(), NetworkHostKind.IPv6)
                : Errors.Fail<NetworkHost>(error);
        }

        if (IpText.LooksLikeIPv4(value))
        {
            return IpText.TryParseIPv4(value, out var v4, out var error)
                ? new NetworkHost(v4.ToString(), NetworkHostKind.IPv4)
                : Errors.Fail<NetworkHost>(error);
        }

        var hostname = Hostname.TryCreate(value, allowWildcard: false, allowSingleLabel: true);
        return hostname.IsSuccess
            ? new NetworkHost(hostname.Value.Value, NetworkHostKind.Name)
            : Result<NetworkHost>.Failure(hostname.Errors);
    }

    public override string ToString() => Value;
}
