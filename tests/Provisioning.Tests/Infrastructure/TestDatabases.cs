using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Tests.Infrastructure;

/// <summary>Real databases for tests: a fresh PostgreSQL database on the local server, or a fresh SQLite file.</summary>
internal static class TestDatabases
{
    /// <summary>The local PostgreSQL that .ci/run starts; PORTAL_TEST_POSTGRES overrides it.</summary>
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES") is { Length: > 0 } configured
            ? configured
            : "Host=127.0.0.1;Port=5432;Username=portal_ci;Password=portal_ci;Database=postgres";

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public static async Task<string> CreatePostgresAsync(string purpose)
    {
        var name = $"portal_test_{purpose}_{Guid.NewGuid():N}"[..50].ToLowerInvariant();
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = false }.ConnectionString;
    }

    public static async Task DropPostgresAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public static string NewSqlitePath() => Path.Combine(Path.GetTempPath(), "portal-tests", $"{Guid.NewGuid():N}.db");

    /// <summary>Both providers, for tests that must hold on each.</summary>
    /// <param name="interceptors">EF Core interceptors for every context of the database (see <see cref="ConcurrentStackWrite"/>).</param>
    public static async Task<(PortalDatabase Database, Func<Task> Cleanup)> CreateAsync(string provider, string purpose, params IInterceptor[] interceptors)
    {
        if (provider == "postgres")
        {
            var connectionString = await CreatePostgresAsync(purpose);
            var database = new PortalDatabase(new PortalDatabaseOptions(connectionString, ""), interceptors);
            await database.MigrateAsync(CancellationToken.None);
            return (database, () => DropPostgresAsync(connectionString));
        }

        var path = NewSqlitePath();
        var sqlite = new PortalDatabase(new PortalDatabaseOptions(null, path), interceptors);
        await sqlite.MigrateAsync(CancellationToken.None);
        return (sqlite, () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(path);
            return Task.CompletedTask;
        });
    }
}
