using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Portal.Provisioning.Relations.Postgresql;

namespace Portal.Provisioning.Tests.Relations.Postgresql;

/// <summary>How names, literals and verifiers go into SQL text, and how driver errors read; no server needed.</summary>
public sealed class PostgresSqlTextTests
{
    [Theory]
    [InlineData("prod_airbyte", "\"prod_airbyte\"")]
    [InlineData("Prod-Airbyte", "\"Prod-Airbyte\"")]
    [InlineData("a\"b", "\"a\"\"b\"")]
    [InlineData("x\"; DROP ROLE postgres; --", "\"x\"\"; DROP ROLE postgres; --\"")]
    public void Quote_AnyName_IsOneDoubleQuotedIdentifier(string name, string expected)
    {
        Assert.Equal(expected, PostgresNames.Quote(name));
    }

    [Theory]
    [InlineData("plain", "E'plain'")]
    [InlineData("it's", "E'it''s'")]
    [InlineData(@"back\slash", @"E'back\\slash'")]
    [InlineData(@"\'", @"E'\\'''")]
    [InlineData("日本語 🔑 é", "E'日本語 🔑 é'")]
    public void Literal_QuotesBackslashesAndUnicode_AreEscapedExactly(string value, string expected)
    {
        Assert.Equal(expected, PostgresNames.Literal(value));
    }

    [Fact]
    public void Literal_NulCharacter_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => PostgresNames.Literal("a\0b"));
    }

    [Theory]
    [InlineData("prod_airbyte", true)]
    [InlineData("", false)]
    [InlineData("a\0b", false)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true)] // 63 bytes
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)] // 64 bytes
    [InlineData("ééééééééééééééééééééééééééééééééé", false)] // 33 characters, 66 bytes
    public void IsValid_FollowsPostgresqlsByteLimit(string name, bool valid)
    {
        Assert.Equal(valid, PostgresNames.IsValid(name));
    }

    [Fact]
    public void ScramVerifier_HasPostgresqlsFormatAndANewSaltEachTime()
    {
        var first = ScramVerifier.Create("pencil");
        var second = ScramVerifier.Create("pencil");

        Assert.Matches(@"^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$", first);
        Assert.NotEqual(first, second);
        Assert.DoesNotContain("pencil", first, StringComparison.Ordinal);
    }

    [Fact]
    public void ScramVerifier_MatchesRfc7677()
    {
        // RFC 7677 §3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations. The client's proof
        // must check out against StoredKey, and the server's signature must come from ServerKey.
        var verifier = ScramVerifier.Create("pencil", Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
        var keys = verifier.Split('$')[2].Split(':');
        var storedKey = Convert.FromBase64String(keys[0]);
        var serverKey = Convert.FromBase64String(keys[1]);
        var authMessage = Encoding.UTF8.GetBytes(
            "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
        var clientProof = Convert.FromBase64String("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");

        var clientSignature = HMACSHA256.HashData(storedKey, authMessage);
        var clientKey = clientProof.Zip(clientSignature, (a, b) => (byte)(a ^ b)).ToArray();
        var serverSignature = HMACSHA256.HashData(serverKey, authMessage);

        Assert.Equal(storedKey, SHA256.HashData(clientKey));
        Assert.Equal("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", Convert.ToBase64String(serverSignature));
    }

    [Theory]
    [InlineData("28P01", "password authentication failed for user \"x\"", DatabaseFailure.AuthenticationFailed, "password authentication failed")]
    [InlineData("28000", "no pg_hba.conf entry for host \"10.0.0.1\", user \"x\", database \"y\", no encryption", DatabaseFailure.Ssl,
        "the server accepts only encrypted connections from here; use sslmode require or stricter")]
    [InlineData("28000", "no pg_hba.conf entry for host \"10.0.0.1\", user \"x\", database \"y\", SSL off", DatabaseFailure.Ssl,
        "the server accepts only encrypted connections from here; use sslmode require or stricter")]
    [InlineData("28000", "role \"x\" is not permitted to log in", DatabaseFailure.AuthenticationFailed, "role \"x\" is not permitted to log in")]
    [InlineData("42501", "permission denied to create database", DatabaseFailure.InsufficientPrivilege, "permission denied to create database")]
    [InlineData("3D000", "database \"y\" does not exist", DatabaseFailure.DatabaseMissing, "database \"y\" does not exist")]
    [InlineData("53300", "sorry, too many clients already", DatabaseFailure.Unreachable, "the server has too many connections")]
    [InlineData("57P03", "the database system is starting up", DatabaseFailure.Unreachable, "the server is starting up or shutting down")]
    [InlineData("57014", "canceling statement due to statement timeout", DatabaseFailure.Timeout, "the statement took too long")]
    [InlineData("XX000", "tuple concurrently updated", DatabaseFailure.ServerError, "tuple concurrently updated (SQLSTATE XX000)")]
    public void Describe_ServerErrors_ReadAsPlainReasons(string sqlState, string messageText, DatabaseFailure failure, string reason)
    {
        var described = PostgresErrors.Describe(new PostgresException(messageText, "FATAL", "FATAL", sqlState), TimeSpan.FromSeconds(15));

        Assert.Equal((failure, reason, sqlState), described);
    }

    public static TheoryData<Exception, DatabaseFailure, string> DriverErrors => new()
    {
        { new SocketException((int)SocketError.ConnectionRefused), DatabaseFailure.Unreachable, "connection refused" },
        { new SocketException((int)SocketError.HostNotFound), DatabaseFailure.Unreachable, "host not found" },
        { new SocketException((int)SocketError.NetworkUnreachable), DatabaseFailure.Unreachable, "no route to the host" },
        { new TimeoutException(), DatabaseFailure.Timeout, "no answer within 15 s" },
        { new AuthenticationException("The remote certificate was rejected"), DatabaseFailure.Ssl,
            "the server's TLS certificate is not trusted (check ca-certificate, and the hostname for verify-full)" },
        { new IOException("Unable to read data", new SocketException((int)SocketError.ConnectionReset)), DatabaseFailure.Unreachable,
            "the server closed the connection" },
    };

    [Theory]
    [MemberData(nameof(DriverErrors))]
    public void Describe_DriverErrors_ReadAsPlainReasons(Exception inner, DatabaseFailure failure, string reason)
    {
        var described = PostgresErrors.Describe(new NpgsqlException("Failed to connect", inner), TimeSpan.FromSeconds(15));

        Assert.Equal((failure, reason, (string?)null), described);
    }
}
