using System.Security.Cryptography;

namespace Portal.Provisioning.Infrastructure;

/// <summary>Generates passwords and secrets the portal owns (database roles, cookie secrets…).</summary>
/// <remarks>Cross-cutting on purpose: every <c>SecretDefinition</c> with a generated length draws from here.
/// The alphabet is URL-safe and needs no quoting anywhere the value travels: a connection string, a JDBC URL,
/// an environment variable, a YAML file, a shell.</remarks>
internal static class PasswordGenerator
{
    /// <summary>Letters, digits, '-' and '_': 64 symbols, so each character carries 6 bits (32 characters = 192 bits).</summary>
    public const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    public const int DefaultLength = 32;

    /// <summary>A new password from the operating system's CSPRNG, every symbol equally likely (no modulo bias).</summary>
    public static string Generate(int length = DefaultLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 16);
        return RandomNumberGenerator.GetString(Alphabet, length);
    }
}
