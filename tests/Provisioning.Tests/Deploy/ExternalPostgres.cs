using System.Globalization;
using Npgsql;
using Portal.Domain.Stacks;
using Portal.Provisioning.Infrastructure;
using Portal.Provisioning.Tests.Infrastructure;

namespace Portal.Provisioning.Tests.Deploy;

/// <summary>An admin role on the local PostgreSQL with CREATEDB and CREATEROLE (not superuser), as an operator would give
/// the portal; dropped with everything the test stack created on dispose.</summary>
internal sealed class ExternalPostgres : IAsyncDisposable
{
    private ExternalPostgres(string username, string password, string stack)
    {
        Username = username;
        Password = password;
        Stack = stack;
    }

    public string Username { get; }

    public string Password { get; }

    /// <summary>The stack name whose databases and roles (<c>&lt;stack&gt;_*</c>) are cleaned up.</summary>
    public string Stack { get; }

    public static string Host => new NpgsqlConnectionStringBuilder(TestDatabases.AdminConnectionString).Host!;

    public static int Port => new NpgsqlConnectionStringBuilder(TestDatabases.AdminConnectionString).Port;

    /// <summary>The test blueprint with <c>postgresql</c> in external mode on this server, logging in as this admin
    /// (or with <paramref name="adminPassword"/> instead of the right one).</summary>
    public StackSpec Spec(string @namespace, string? adminPassword = null) =>
        TestStacks.Minimal(Stack, @namespace, config => config["postgresql"] = new()
        {
            ["mode"] = "external",
            ["host"] = Host,
            ["port"] = Port.ToString(CultureInfo.InvariantCulture),
            ["sslmode"] = "disable",
            ["admin-username"] = Username,
            ["admin-password"] = adminPassword ?? Password,
        });

    public static async Task<ExternalPostgres> CreateAsync(string stack)
    {
        var username = $"portal_admin_{Guid.NewGuid():N}"[..24];
        var password = PasswordGenerator.Generate();
        await ExecuteAsync($"CREATE ROLE {username} LOGIN CREATEDB CREATEROLE PASSWORD '{password}'");
        return new ExternalPostgres(username, password, stack);
    }

    public static async Task<List<string>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabases.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in await QueryAsync($"SELECT datname FROM pg_database WHERE datname LIKE '{Stack}\\_%'"))
        {
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        }

        foreach (var role in await QueryAsync($"SELECT rolname FROM pg_roles WHERE rolname LIKE '{Stack}\\_%'"))
        {
            await ExecuteAsync($"DROP ROLE IF EXISTS \"{role}\"");
        }

        await ExecuteAsync($"DROP ROLE IF EXISTS {Username}");
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestDatabases.AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
