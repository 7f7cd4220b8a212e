using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portal.Provisioning.Infrastructure;
using Portal.Provisioning.Relations.Postgresql;

namespace Portal.Provisioning.Tests.Relations.Postgresql;

/// <summary>Checking the admin login, and what the operator reads when the server cannot be reached or trusted.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AdminLoginTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_admin_with_only_createdb_and_createrole_is_ready()
    {
        var check = await postgres.CreateDatabaseAdmin().TestAdminLoginAsync(postgres.Admin, Ct);

        Assert.True(check.IsReady, check.Message);
        Assert.False(check.IsSuperuser);
        Assert.True(check.CanCreateDatabases);
        Assert.True(check.CanCreateRoles);
        Assert.False(string.IsNullOrEmpty(check.ServerVersion));
        Assert.Equal($"{postgres.Admin.Username} can log in on {postgres.Server} (PostgreSQL {check.ServerVersion}) and may create databases and roles", check.Message);
    }

    [Fact]
    public async Task A_superuser_admin_is_ready_and_told_that_less_would_do()
    {
        var superuser = PostgresAdminLogin.Create(postgres.Server, postgres.SuperuserSettings.Username!, postgres.SuperuserSettings.Password!).Value;

        var check = await postgres.CreateDatabaseAdmin().TestAdminLoginAsync(superuser, Ct);

        Assert.True(check.IsReady);
        Assert.True(check.IsSuperuser);
        Assert.Contains("a role with only CREATEDB and CREATEROLE would be enough", check.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LOGIN CREATEDB", "CREATEROLE")]
    [InlineData("LOGIN CREATEROLE", "CREATEDB")]
    [InlineData("LOGIN", "CREATEDB and CREATEROLE")]
    [InlineData("LOGIN CREATEDB CREATEROLE NOINHERIT", "INHERIT")]
    public async Task An_admin_missing_a_privilege_can_log_in_but_is_not_ready(string attributes, string missing)
    {
        var role = await postgres.CreateForeignRoleAsync(attributes);
        var login = PostgresAdminLogin.Create(postgres.Server, role, "foreign").Value;

        var check = await postgres.CreateDatabaseAdmin().TestAdminLoginAsync(login, Ct);

        Assert.True(check.CanLogIn);
        Assert.False(check.IsReady);
        Assert.Equal(DatabaseFailure.InsufficientPrivilege, check.Failure);
        Assert.StartsWith($"{role} can log in on {postgres.Server} but lacks {missing}; a superuser can grant it with: ALTER ROLE \"{role}\" ", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_admin_password_gives_a_plain_message_without_the_password_anywhere()
    {
        var logger = new CapturingLogger<ExternalDatabaseAdmin>();
        var admin = postgres.CreateDatabaseAdmin(logger);
        var wrongPassword = "wrong-" + PasswordGenerator.Generate();
        var login = PostgresAdminLogin.Create(postgres.Server, postgres.Admin.Username, wrongPassword).Value;
        var name = postgres.RelationName();

        var check = await admin.TestAdminLoginAsync(login, Ct);
        var thrown = await Assert.ThrowsAsync<DatabaseAdminException>(() =>
            admin.EnsureDatabaseAsync(login, name, name, PasswordGenerator.Generate(), ExistingRolePassword.Keep, Ct));

        Assert.False(check.CanLogIn);
        Assert.Equal(DatabaseFailure.AuthenticationFailed, check.Failure);
        var expected = $"cannot log in as {postgres.Admin.Username} on {postgres.Server}: password authentication failed";
        Assert.Equal(expected, check.Message);
        Assert.Equal(expected, thrown.Message);
        Assert.Equal(DatabaseFailure.AuthenticationFailed, thrown.Failure);
        Assert.Equal("28P01", thrown.SqlState);
        Assert.False(thrown.IsTransient);
        Assert.Null(thrown.InnerException);
        Assert.DoesNotContain(wrongPassword, thrown.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrongPassword, logger.All, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongPassword, login.ToString(), StringComparison.Ordinal);
        Assert.False(await postgres.RoleExistsAsync(name));
    }

    [Fact]
    public async Task A_closed_port_is_reported_as_connection_refused()
    {
        var server = PostgresServer.Create("127.0.0.1", ClosedPort(), PostgresSslMode.Prefer).Value;
        var login = PostgresAdminLogin.Create(server, "portal_admin", "secret").Value;

        var check = await postgres.CreateDatabaseAdmin().TestAdminLoginAsync(login, Ct);

        Assert.Equal(DatabaseFailure.Unreachable, check.Failure);
        Assert.Equal($"cannot log in as portal_admin on {server}: connection refused", check.Message);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_reported_as_a_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var server = PostgresServer.Create("127.0.0.1", port, PostgresSslMode.Prefer).Value;
        var login = PostgresAdminLogin.Create(server, "portal_admin", "secret").Value;

        var check = await postgres.CreateDatabaseAdmin(connectTimeout: TimeSpan.FromSeconds(1)).TestAdminLoginAsync(login, Ct);

        Assert.Equal(DatabaseFailure.Timeout, check.Failure);
        Assert.Equal($"cannot log in as portal_admin on {server}: no answer within 1 s", check.Message);
    }

    [Fact]
    public async Task An_unknown_host_is_reported_as_host_not_found()
    {
        var server = PostgresServer.Create("no-such-host.invalid", 5432, PostgresSslMode.Prefer).Value;
        var login = PostgresAdminLogin.Create(server, "portal_admin", "secret").Value;

        var check = await postgres.CreateDatabaseAdmin(connectTimeout: TimeSpan.FromSeconds(5)).TestAdminLoginAsync(login, Ct);

        Assert.Equal(DatabaseFailure.Unreachable, check.Failure);
        Assert.Equal("cannot log in as portal_admin on no-such-host.invalid:5432: host not found", check.Message);
    }

    [Theory]
    [InlineData(PostgresSslMode.Disable)]
    [InlineData(PostgresSslMode.Allow)]
    [InlineData(PostgresSslMode.Prefer)]
    [InlineData(PostgresSslMode.Require)]
    public async Task Every_sslmode_that_does_not_verify_the_certificate_connects(PostgresSslMode mode)
    {
        Assert.SkipUnless(postgres.ServerHasSsl || mode < PostgresSslMode.Require, "the server has ssl = off");
        var server = PostgresServer.Create(postgres.Server.Host, postgres.Server.Port, mode).Value;
        var login = PostgresAdminLogin.Create(server, postgres.Admin.Username, postgres.AdminPassword).Value;

        var check = await postgres.CreateDatabaseAdmin().TestAdminLoginAsync(login, Ct);

        Assert.True(check.IsReady, check.Message);
    }

    [Fact]
    public async Task Verify_full_with_the_servers_ca_connects_by_its_certificate_name()
    {
        var certificate = await ServerCertificateAsync();
        Assert.SkipWhen(certificate is null, "the server has no readable self-signed certificate for localhost");
        var server = PostgresServer.Create("localhost", postgres.Server.Port, PostgresSslMode.VerifyFull, certificate).Value;
        var login = PostgresAdminLogin.Create(server, postgres.Admin.Username, postgres.AdminPassword).Value;

        var check = await postgres.CreateDatabaseAdmin().TestAdminLoginAsync(login, Ct);

        Assert.True(check.IsReady, check.Message);
    }

    [Fact]
    public async Task Verify_full_by_a_name_the_certificate_does_not_carry_is_an_ssl_failure()
    {
        var certificate = await ServerCertificateAsync();
        Assert.SkipWhen(certificate is null, "the server has no readable self-signed certificate for localhost");
        var server = PostgresServer.Create("127.0.0.1", postgres.Server.Port, PostgresSslMode.VerifyFull, certificate).Value;
        var login = PostgresAdminLogin.Create(server, postgres.Admin.Username, postgres.AdminPassword).Value;

        var check = await postgres.CreateDatabaseAdmin().TestAdminLoginAsync(login, Ct);

        Assert.Equal(DatabaseFailure.Ssl, check.Failure);
        Assert.StartsWith($"cannot log in as {postgres.Admin.Username} on {server}: the server's TLS certificate is not trusted", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ca_with_an_unrelated_ca_is_an_ssl_failure()
    {
        Assert.SkipUnless(postgres.ServerHasSsl, "the server has ssl = off");
        var server = PostgresServer.Create(postgres.Server.Host, postgres.Server.Port, PostgresSslMode.VerifyCa, UnrelatedCa()).Value;
        var login = PostgresAdminLogin.Create(server, postgres.Admin.Username, postgres.AdminPassword).Value;

        var check = await postgres.CreateDatabaseAdmin().TestAdminLoginAsync(login, Ct);

        Assert.False(check.CanLogIn);
        Assert.Equal(DatabaseFailure.Ssl, check.Failure);
    }

    [Fact]
    public async Task Verify_ca_with_the_servers_ca_connects_by_ip_address()
    {
        var certificate = await ServerCertificateAsync();
        Assert.SkipWhen(certificate is null, "the server has no readable self-signed certificate");
        var server = PostgresServer.Create(postgres.Server.Host, postgres.Server.Port, PostgresSslMode.VerifyCa, certificate).Value;
        var login = PostgresAdminLogin.Create(server, postgres.Admin.Username, postgres.AdminPassword).Value;

        var check = await postgres.CreateDatabaseAdmin().TestAdminLoginAsync(login, Ct);

        Assert.True(check.IsReady, check.Message);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The server's certificate when it is self-signed (Debian's snakeoil), usable as its own CA.</summary>
    private async Task<string?> ServerCertificateAsync()
    {
        if (!postgres.ServerHasSsl)
        {
            return null;
        }

        var path = await postgres.ScalarAsync<string>("SHOW ssl_cert_file");
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        try
        {
            var pem = await File.ReadAllTextAsync(path, Ct);
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return certificate.SubjectName.Name == certificate.IssuerName.Name && certificate.MatchesHostname("localhost") ? pem : null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string UnrelatedCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Unrelated Test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }
}
