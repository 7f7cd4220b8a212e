using System.Security.Cryptography;
using System.Text;

namespace Portal.Provisioning.Tokens;

/// <summary>The text of an API token: <c>apt_&lt;id&gt;_&lt;secret&gt;</c>, a 12-character public id that finds the record and
/// 256 random bits; only a SHA-256 digest of the whole text is stored.</summary>
/// <remarks>An unsalted fast hash is enough here: the secret is random and long, so there is nothing to brute-force from a
/// leaked digest, and the id keeps look-ups to one row without comparing against every stored digest.</remarks>
internal static class ApiTokenFormat
{
    public const string Prefix = "apt_";
    public const int IdLength = 12;
    private const string IdAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public static (string Id, string Token) Generate()
    {
        var id = RandomNumberGenerator.GetString(IdAlphabet, IdLength);
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (id, $"{Prefix}{id}_{secret}");
    }

    /// <summary>The id of a token in the portal's format, or null for anything else (a bootstrap token, a typo).</summary>
    public static string? IdOf(string token)
    {
        if (token.Length < Prefix.Length + IdLength + 2
            || !token.StartsWith(Prefix, StringComparison.Ordinal)
            || token[Prefix.Length + IdLength] != '_')
        {
            return null;
        }

        var id = token.Substring(Prefix.Length, IdLength);
        return id.All(c => IdAlphabet.Contains(c, StringComparison.Ordinal)) ? id : null;
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Compares a presented token with a stored digest in constant time.</summary>
    public static bool Matches(string token, byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(token), storedHash);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
