using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Provisioning.Infrastructure;
using Portal.Provisioning.Relations.Postgresql;

namespace Portal.Provisioning.Tests.Relations.Postgresql;

/// <summary>The real local PostgreSQL: a superuser connection (env <c>PORTAL_TEST_POSTGRES</c>, CI's default otherwise) and,
/// for the code under test, an admin role with only CREATEDB and CREATEROLE, as an operator would give the portal.</summary>
/// <remarks>Every role and database the tests make starts with <see cref="Prefix"/> (random per run) and is dropped at the
/// end, so runs never see each other's leftovers.</remarks>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string DefaultConnectionString = "Host=127.0.0.1;Port=5432;Username=portal_ci;Password=portal_ci;Database=postgres";

    private int _counter;

    public PostgresFixture()
    {
        var connectionString = Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES") is { Length: > 0 } configured
            ? configured
            : DefaultConnectionString;
        SuperuserSettings = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        Superuser = NpgsqlDataSource.Create(SuperuserSettings.ConnectionString);
        Prefix = "pt" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 8);
        AdminPassword = PasswordGenerator.Generate();
        Server = PostgresServer.Create(SuperuserSettings.Host!, SuperuserSettings.Port, PostgresSslMode.Prefer).Value;
        Admin = PostgresAdminLogin.Create(Server, Prefix + "_admin", AdminPassword).Value;
    }

    public NpgsqlConnectionStringBuilder SuperuserSettings { get; }

    public NpgsqlDataSource Superuser { get; }

    public string Prefix { get; }

    public PostgresServer Server { get; }

    /// <summary>The least-privilege admin: LOGIN CREATEDB CREATEROLE, nothing else.</summary>
    public PostgresAdminLogin Admin { get; }

    public string AdminPassword { get; }

    /// <summary>Whether the server accepts TLS (Debian's cluster does, with its snakeoil certificate).</summary>
    public bool ServerHasSsl { get; private set; }

    public async ValueTask InitializeAsync()
    {
        await ExecuteAsync($"CREATE ROLE {Admin.Username} LOGIN CREATEDB CREATEROLE PASSWORD '{AdminPassword}'");
        ServerHasSsl = await ScalarAsync<string>("SHOW ssl") == "on";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in await StringsAsync("SELECT datname FROM pg_database WHERE datname LIKE $1", Prefix + "%"))
        {
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        }

        foreach (var role in await StringsAsync("SELECT rolname FROM pg_roles WHERE rolname LIKE $1 ORDER BY rolname = $2", Prefix + "%", Admin.Username))
        {
            await ExecuteAsync($"DROP ROLE IF EXISTS \"{role}\"");
        }

        await Superuser.DisposeAsync();
    }

    internal IDatabaseAdmin CreateDatabaseAdmin(ILogger<ExternalDatabaseAdmin>? logger = null, TimeSpan? connectTimeout = null, TimeSpan? commandTimeout = null) =>
        new ExternalDatabaseAdmin(
            Options.Create(new PostgresqlAdminOptions
            {
                ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(15),
                CommandTimeout = commandTimeout ?? TimeSpan.FromSeconds(60),
            }),
            logger ?? new CapturingLogger<ExternalDatabaseAdmin>());

    /// <summary>A stack name no other test uses, e.g. <c>pt1a2b3c4d_3</c>.</summary>
    public string NewStack() => $"{Prefix}_{Interlocked.Increment(ref _counter)}";

    /// <summary>The database (and role) name a relation of <paramref name="stack"/> gets, e.g. <c>pt1a2b3c4d_3_airbyte</c>.</summary>
    public static string RelationName(string stack, string requirer = "airbyte:db") =>
        ObjectNames.Database(stack, RelationSpec.Of(requirer, "postgresql:database", Interfaces.PostgresqlClient));

    /// <summary>The <c>airbyte:db</c> relation name of a fresh stack.</summary>
    public string RelationName() => RelationName(NewStack());

    /// <summary>Another login role made by hand with the superuser, e.g. an existing application's.</summary>
    public async Task<string> CreateForeignRoleAsync(string attributes = "LOGIN")
    {
        var role = $"{Prefix}_foreign_{Interlocked.Increment(ref _counter)}";
        await ExecuteAsync($"CREATE ROLE {role} {attributes} PASSWORD 'foreign'");
        return role;
    }

    public async Task ExecuteAsync(string sql, params object[] arguments)
    {
        await using var command = Superuser.CreateCommand(sql);
        foreach (var argument in arguments)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = argument });
        }

        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    public async Task<T?> ScalarAsync<T>(string sql, params object[] arguments)
    {
        await using var command = Superuser.CreateCommand(sql);
        foreach (var argument in arguments)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = argument });
        }

        var value = await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
        return value is null or DBNull ? default : (T)value;
    }

    public async Task<List<string>> StringsAsync(string sql, params object[] arguments)
    {
        await using var command = Superuser.CreateCommand(sql);
        foreach (var argument in arguments)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = argument });
        }

        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            values.Add(reader.IsDBNull(0) ? "" : reader.GetString(0));
        }

        return values;
    }

    /// <summary>The owner of a database, or null when it does not exist.</summary>
    public Task<string?> DatabaseOwnerAsync(string database) =>
        ScalarAsync<string>("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", database);

    public async Task<bool> RoleExistsAsync(string role) =>
        await ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role);

    /// <summary>Everything about a relation that provisioning may change, as text, to compare before and after a call.</summary>
    public async Task<string> SnapshotAsync(string database, string role)
    {
        var roleRow = await StringsAsync(
            """
            SELECT concat_ws(',', rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolreplication, rolbypassrls, rolpassword)
            FROM pg_authid WHERE rolname = $1
            """,
            role);
        var databaseRow = await StringsAsync("SELECT concat_ws(',', pg_get_userbyid(datdba), datacl::text) FROM pg_database WHERE datname = $1", database);
        var members = await StringsAsync(
            "SELECT string_agg(pg_get_userbyid(member), ',' ORDER BY member) FROM pg_auth_members WHERE roleid = (SELECT oid FROM pg_roles WHERE rolname = $1)",
            role);
        var schema = await InDatabaseAsync(database, "SELECT concat_ws(',', pg_get_userbyid(nspowner), nspacl::text) FROM pg_namespace WHERE nspname = 'public'");
        return string.Join(" | ", roleRow.Concat(databaseRow).Concat(members).Append(schema));
    }

    /// <summary>Runs one query as the superuser inside <paramref name="database"/>.</summary>
    public async Task<string> InDatabaseAsync(string database, string sql)
    {
        var settings = new NpgsqlConnectionStringBuilder(SuperuserSettings.ConnectionString) { Database = database };
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))?.ToString() ?? "";
    }

    /// <summary>Opens a connection as a relation role, the way Airbyte or Temporal would.</summary>
    public async Task<NpgsqlConnection> ConnectAsAsync(string database, string role, string password)
    {
        var settings = new NpgsqlConnectionStringBuilder(SuperuserSettings.ConnectionString)
        {
            Database = database,
            Username = role,
            Password = password,
        };
        var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
