using System.Net;
using Npgsql;
using Portal.Testing;

namespace Portal.Api.Tests.Observability;

/// <summary>The portal on its production setup (PostgreSQL for its database and Hangfire): ready while the database answers, 503
/// naming the database when it stops accepting connections (a real outage of a real server, not a fake), ready again once it is
/// back; the body never shows the connection string, the server or the password.</summary>
public sealed class DatabaseReadinessTests : IAsyncLifetime
{
    private readonly string _database = $"portal_ready_{Guid.NewGuid():N}"[..40];
    private string _connectionString = "";

    public async ValueTask InitializeAsync()
    {
        await ExternalPostgres.ExecuteAsync($"CREATE DATABASE \"{_database}\"");
        _connectionString = new NpgsqlConnectionStringBuilder(ExternalPostgres.AdminConnectionString) { Database = _database, Timeout = 3 }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        await ExternalPostgres.ExecuteAsync($"ALTER DATABASE \"{_database}\" ALLOW_CONNECTIONS true");
        await ExternalPostgres.ExecuteAsync($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)");
    }

    [Fact]
    public async Task Readiness_names_the_database_while_it_refuses_connections_and_recovers_when_it_is_back()
    {
        await using var factory = new PortalApiFactory();
        factory.Settings["ConnectionStrings:Portal"] = _connectionString;
        using var anonymous = factory.Client(token: null, allowServerErrors: true);

        var ready = await Eventually.GetAsync(() => Health.GetAsync(anonymous, "/readyz"), h => h.Code == HttpStatusCode.OK, "the portal is ready on PostgreSQL",
            // Hangfire's server announces itself once its schema is in place: slow on a loaded machine.
            TimeSpan.FromMinutes(2));
        Assert.Equal("The portal database (PostgreSQL) answers.", ready.Description("database"));

        await ExternalPostgres.ExecuteAsync($"ALTER DATABASE \"{_database}\" ALLOW_CONNECTIONS false");
        await ExternalPostgres.ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{_database}'");
        var down = await Eventually.GetAsync(
            () => Health.GetAsync(anonymous, "/readyz"),
            h => h.Code == HttpStatusCode.ServiceUnavailable && h.CheckStatus("database") == "Unhealthy",
            "the database is reported down");

        Assert.Equal("Unhealthy", down.Status);
        Assert.StartsWith("The portal database (PostgreSQL) cannot be reached", down.Description("database"), StringComparison.Ordinal);
        var body = down.Json.GetRawText();
        var server = new NpgsqlConnectionStringBuilder(_connectionString);
        foreach (var secret in new[] { _database, server.Password!, server.Username!, $"{server.Host}:{server.Port}", "Host=", "Password" })
        {
            Assert.DoesNotContain(secret, body, StringComparison.OrdinalIgnoreCase);
        }

        await ExternalPostgres.ExecuteAsync($"ALTER DATABASE \"{_database}\" ALLOW_CONNECTIONS true");
        await Eventually.GetAsync(() => Health.GetAsync(anonymous, "/readyz"), h => h.Code == HttpStatusCode.OK, "the portal is ready again", TimeSpan.FromMinutes(2));
    }
}
