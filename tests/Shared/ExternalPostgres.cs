using System.Security.Cryptography;
using Npgsql;

namespace Portal.Testing;

/// <summary>The local PostgreSQL as a stack's external <c>postgresql</c>: a dedicated non-superuser admin role
/// (LOGIN CREATEDB CREATEROLE) that the portal uses to create each relation's database and role. On dispose it drops
/// the databases and roles of every stack it gave a config for, then the admin role.</summary>
internal sealed class ExternalPostgres : IAsyncDisposable
{
    private readonly HashSet<string> _stacks = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private ExternalPostgres(string adminRole, string adminPassword)
    {
        AdminRole = adminRole;
        AdminPassword = adminPassword;
    }

    /// <summary>The superuser connection .ci/run sets up; PORTAL_TEST_POSTGRES overrides it (as in the other test projects).</summary>
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES") is { Length: > 0 } configured
            ? configured
            : "Host=127.0.0.1;Port=5432;Username=portal_ci;Password=portal_ci;Database=postgres";

    public string AdminRole { get; }

    public string AdminPassword { get; }

    /// <summary>Creates the admin role <paramref name="adminRole"/> (a plain identifier: letters, digits, underscores).</summary>
    public static async Task<ExternalPostgres> CreateAsync(string adminRole)
    {
        var postgres = new ExternalPostgres(adminRole, Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        await ExecuteAsync($"CREATE ROLE {adminRole} LOGIN CREATEDB CREATEROLE PASSWORD '{postgres.AdminPassword}'");
        return postgres;
    }

    /// <summary>The <c>config</c> of <c>POST /api/v1/stacks</c> for the charmed-airbyte blueprint, with PostgreSQL external
    /// on this server; hostnames under <paramref name="domain"/>. The stack's databases and roles are dropped on dispose.</summary>
    public Dictionary<string, Dictionary<string, object>> AirbyteConfig(string stack, string domain)
    {
        lock (_gate)
        {
            _stacks.Add(stack);
        }

        var server = new NpgsqlConnectionStringBuilder(AdminConnectionString);
        return new Dictionary<string, Dictionary<string, object>>
        {
            ["airbyte"] = new() { ["external-hostname"] = $"airbyte.{domain}" },
            ["airbyte-webhooks"] = new() { ["external-hostname"] = $"hooks.{domain}", ["image"] = "registry.example.com/airbyte-webhooks:1.0" },
            ["oauth2-proxy"] = new() { ["provider"] = "github", ["client-id"] = "test-client", ["client-secret"] = "test-client-secret-xyz" },
            ["lego"] = new() { ["email"] = "ops@example.com", ["issuer"] = "internal-ca" },
            ["postgresql"] = new()
            {
                ["mode"] = "external", ["host"] = server.Host!, ["port"] = server.Port, ["sslmode"] = "disable",
                ["admin-username"] = AdminRole, ["admin-password"] = AdminPassword,
            },
        };
    }

    /// <summary>The databases PostgreSQL holds for <paramref name="stack"/> (named <c>&lt;stack&gt;_…</c>, see ObjectNames.Database).</summary>
    public static Task<List<string>> DatabasesOfAsync(string stack) =>
        QueryAsync($"SELECT datname FROM pg_database WHERE datname LIKE '{LikePrefix(stack)}\\_%'");

    public static async Task<List<string>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
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

    public static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        List<string> stacks;
        lock (_gate)
        {
            stacks = [.. _stacks];
        }

        foreach (var stack in stacks)
        {
            foreach (var database in await DatabasesOfAsync(stack))
            {
                await ExecuteAsync($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            }

            foreach (var role in await QueryAsync($"SELECT rolname FROM pg_roles WHERE rolname LIKE '{LikePrefix(stack)}\\_%'"))
            {
                await ExecuteAsync($"DROP ROLE IF EXISTS \"{role}\"");
            }
        }

        await ExecuteAsync($"DROP ROLE IF EXISTS {AdminRole}");
    }

    // Database and role names start with the stack name in lower case with underscores for dashes; in a LIKE pattern an
    // underscore matches any character, so it is escaped.
    private static string LikePrefix(string stack) => stack.Replace('-', '_').ToLowerInvariant().Replace("_", "\\_", StringComparison.Ordinal);
}
