using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portal.Provisioning.Relations.Postgresql;

namespace Portal.Provisioning.Tests.Relations.Postgresql;

/// <summary>Reading the external server's options into connection info, without a server.</summary>
public sealed class PostgresConnectionInfoTests
{
    private static Dictionary<string, string> Options(Action<Dictionary<string, string>>? change = null)
    {
        var options = new Dictionary<string, string>
        {
            ["mode"] = "external",
            ["host"] = "db.example.com",
            ["port"] = "5432",
            ["sslmode"] = "require",
            ["ca-certificate"] = "",
            ["admin-username"] = "portal_admin",
            ["admin-password"] = "s3cret'\\pw",
        };
        change?.Invoke(options);
        return options;
    }

    [Fact]
    public void FromOptions_ValidOptions_ReadsEveryValue()
    {
        var login = PostgresAdminLogin.FromOptions(Options()).Value;

        Assert.Equal("db.example.com", login.Server.Host);
        Assert.Equal(5432, login.Server.Port);
        Assert.Equal(PostgresSslMode.Require, login.Server.SslMode);
        Assert.Equal("require", login.Server.SslModeName);
        Assert.Equal("portal_admin", login.Username);
        Assert.Equal("s3cret'\\pw", login.Password);
        Assert.Equal("postgres", login.MaintenanceDatabase);
    }

    [Fact]
    public void FromOptions_EverythingWrong_ListsEveryProblemAtOnce()
    {
        var result = PostgresAdminLogin.FromOptions(new Dictionary<string, string>
        {
            ["host"] = "",
            ["port"] = "99999",
            ["sslmode"] = "sometimes",
            ["ca-certificate"] = "not a certificate",
        });

        Assert.Equal(
            ["sslmode", "host", "port", "ca-certificate", "admin-username", "admin-password"],
            result.Errors.Select(e => e.Path));
    }

    [Theory]
    [InlineData("abc", "must be between 1 and 65535")]
    [InlineData("", "is required")]
    [InlineData("-1", "must be between 1 and 65535")]
    [InlineData("0", "must be between 1 and 65535")]
    public void FromOptions_BadPort_IsReportedOnce(string port, string message)
    {
        var result = PostgresAdminLogin.FromOptions(Options(o => o["port"] = port));

        var error = Assert.Single(result.Errors);
        Assert.Equal("port", error.Path);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("disable", PostgresSslMode.Disable)]
    [InlineData("allow", PostgresSslMode.Allow)]
    [InlineData("prefer", PostgresSslMode.Prefer)]
    [InlineData("require", PostgresSslMode.Require)]
    [InlineData("verify-ca", PostgresSslMode.VerifyCa)]
    [InlineData("verify-full", PostgresSslMode.VerifyFull)]
    [InlineData(" Verify-Full ", PostgresSslMode.VerifyFull)]
    public void ParseSslMode_EveryLibpqValue_RoundTrips(string value, PostgresSslMode expected)
    {
        var mode = PostgresServer.ParseSslMode(value).Value;

        Assert.Equal(expected, mode);
        Assert.Equal(value.Trim().ToLowerInvariant(), PostgresServer.SslModeNameOf(mode));
    }

    [Fact]
    public void Create_CaCertificatePem_IsAcceptedAndLoaded()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = new CertificateRequest("CN=Test CA", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        var server = PostgresServer.Create("db.example.com", 5432, PostgresSslMode.VerifyFull, ca.ExportCertificatePem()).Value;
        using var loaded = server.LoadCaCertificates()[0];

        Assert.Equal(ca.Thumbprint, loaded.Thumbprint);
    }

    [Fact]
    public void The_admin_password_never_shows_in_text()
    {
        var login = PostgresAdminLogin.FromOptions(Options()).Value;

        Assert.Equal("portal_admin on db.example.com:5432", login.ToString());
        Assert.DoesNotContain("s3cret", login.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_ipv6_server_is_named_in_brackets()
    {
        Assert.Equal("[::1]:5432", PostgresServer.Create("::1", 5432, PostgresSslMode.Prefer).Value.ToString());
    }

    [Theory]
    [InlineData("", "admin-username")]
    [InlineData("this_admin_name_is_far_too_long_for_postgresql_which_keeps_63_bytes", "admin-username")]
    public void Create_UnusableAdminName_IsRefused(string username, string path)
    {
        var server = PostgresServer.Create("db.example.com", 5432, PostgresSslMode.Require).Value;

        Assert.Equal(path, Assert.Single(PostgresAdminLogin.Create(server, username, "pw").Errors).Path);
    }
}
