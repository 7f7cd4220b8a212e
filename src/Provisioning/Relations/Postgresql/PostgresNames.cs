using System.Text;
using Npgsql;

namespace Portal.Provisioning.Relations.Postgresql;

/// <summary>Role and database names as PostgreSQL stores them, and how they and literals go into SQL text.</summary>
/// <remarks>DDL such as <c>CREATE ROLE</c>, <c>CREATE DATABASE</c> and <c>ALTER ROLE … PASSWORD</c> takes no bind
/// parameters, so names and the password verifier are spliced into the statement: always through
/// <see cref="Quote"/> and <see cref="Literal"/>, never by concatenating raw text. Catalog queries use parameters.</remarks>
internal static class PostgresNames
{
    /// <summary>NAMEDATALEN - 1: PostgreSQL silently truncates longer names, after which nothing would find the object again.</summary>
    public const int MaxBytes = 63;

    public const string Rule = "must be 1 to 63 bytes of UTF-8 without NUL characters";

    public static bool IsValid(string name) =>
        name.Length > 0 && !name.Contains('\0', StringComparison.Ordinal) && Encoding.UTF8.GetByteCount(name) <= MaxBytes;

    /// <summary>Throws for a name PostgreSQL would truncate or reject: the names come from <c>ObjectNames</c>, so a bad
    /// one is a bug or a stack name the validator should have refused.</summary>
    public static string Require(string name, string parameter)
    {
        ArgumentNullException.ThrowIfNull(name, parameter);
        return IsValid(name) ? name : throw new ArgumentException($"'{name}' is not a usable PostgreSQL name: it {Rule}.", parameter);
    }

    /// <summary>A double-quoted identifier, exactly as given (case kept, embedded quotes doubled), by Npgsql's own quoting.</summary>
    public static string Quote(string name)
    {
        using var builder = new NpgsqlCommandBuilder();
        return builder.QuoteIdentifier(Require(name, nameof(name)));
    }

    /// <summary>A string literal that means <paramref name="value"/> whatever the server's <c>standard_conforming_strings</c>.</summary>
    /// <remarks>An escape string (<c>E'…'</c>) reads backslashes as escapes on every server, so doubling both backslashes and
    /// single quotes is exact. A plain <c>'…'</c> literal would depend on that setting. Text is sent as UTF-8 (Npgsql sets
    /// <c>client_encoding</c>), so any Unicode character passes unchanged; NUL cannot be stored in a PostgreSQL string.</remarks>
    public static string Literal(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("PostgreSQL strings cannot contain a NUL character.", nameof(value));
        }

        var builder = new StringBuilder(value.Length + 3);
        builder.Append("E'");
        foreach (var c in value)
        {
            if (c is '\'' or '\\')
            {
                builder.Append(c);
            }

            builder.Append(c);
        }

        return builder.Append('\'').ToString();
    }
}
