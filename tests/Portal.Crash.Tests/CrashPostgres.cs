using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using k8s;
using Npgsql;
using Portal.Domain.Naming;

namespace Portal.Crash.Tests;

/// <summary>The local PostgreSQL as the crash test uses it twice: a fresh database for the portal itself (with Hangfire),
/// and a non-superuser admin role (CREATEDB CREATEROLE) for the stack's external postgresql; all dropped on dispose.</summary>
internal sealed class CrashPostgres : IAsyncDisposable
{
    private readonly string _portalDatabase;
    private readonly string _adminRole;
    private readonly string _adminPassword;
    private readonly string _stack;

    private CrashPostgres(string portalDatabase, string adminRole, string adminPassword, string stack)
    {
        _portalDatabase = portalDatabase;
        _adminRole = adminRole;
        _adminPassword = adminPassword;
        _stack = stack;
    }

    /// <summary>The server .ci/run starts; PORTAL_TEST_POSTGRES overrides it (as in the other test projects).</summary>
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES") is { Length: > 0 } configured
            ? configured
            : "Host=127.0.0.1;Port=5432;Username=portal_ci;Password=portal_ci;Database=postgres";

    public string PortalConnectionString =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = _portalDatabase }.ConnectionString;

    public static async Task<CrashPostgres> CreateAsync(string stack, string suffix)
    {
        var postgres = new CrashPostgres($"portal_crash_{suffix}", $"crash_admin_{suffix}", Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), stack);
        await ExecuteAsync($"CREATE DATABASE \"{postgres._portalDatabase}\"");
        await ExecuteAsync($"CREATE ROLE {postgres._adminRole} LOGIN CREATEDB CREATEROLE PASSWORD '{postgres._adminPassword}'");
        return postgres;
    }

    /// <summary>The body of <c>POST /api/v1/stacks</c>: the blueprint on cluster "crash", PostgreSQL external on this server.</summary>
    public object StackBody(string name, string @namespace)
    {
        var server = new NpgsqlConnectionStringBuilder(AdminConnectionString);
        return new
        {
            name,
            blueprint = "charmed-airbyte",
            cluster = "crash",
            @namespace,
            config = new Dictionary<string, Dictionary<string, object>>
            {
                ["airbyte"] = new() { ["external-hostname"] = "airbyte.crash.example.com" },
                ["airbyte-webhooks"] = new() { ["external-hostname"] = "hooks.crash.example.com", ["image"] = "registry.example.com/airbyte-webhooks:1.0" },
                ["oauth2-proxy"] = new() { ["provider"] = "github", ["client-id"] = "crash-client", ["client-secret"] = "crash-client-secret-xyz" },
                ["lego"] = new() { ["email"] = "ops@example.com" },
                ["postgresql"] = new()
                {
                    ["mode"] = "external", ["host"] = server.Host!, ["port"] = server.Port, ["sslmode"] = "disable",
                    ["admin-username"] = _adminRole, ["admin-password"] = _adminPassword,
                },
            },
        };
    }

    /// <summary>The stack's databases exist once each, one per relation Secret, and each Secret's password logs in.</summary>
    public async Task AssertDatabasesAsync(string kubeconfig, string @namespace, CancellationToken ct)
    {
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        var secrets = (await client.CoreV1.ListNamespacedSecretAsync(@namespace, cancellationToken: ct)).Items
            .Where(s => s.Metadata.Labels?.ContainsKey(PortalLabels.Relation) == true && s.Data?.ContainsKey(RelationData.Database) == true)
            .ToList();
        Assert.Equal(3, secrets.Count);

        var databases = await QueryAsync($"SELECT datname FROM pg_database WHERE datname LIKE '{_stack}\\_%'");
        Assert.Equal(3, databases.Count);
        Assert.Equal(databases.Order(StringComparer.Ordinal), secrets.Select(s => Encoding.UTF8.GetString(s.Data[RelationData.Database])).Order(StringComparer.Ordinal));

        foreach (var secret in secrets)
        {
            string Value(string key) => Encoding.UTF8.GetString(secret.Data[key]);
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
            {
                Host = Value(RelationData.Host),
                Port = int.Parse(Value(RelationData.Port), CultureInfo.InvariantCulture),
                Database = Value(RelationData.Database),
                Username = Value(RelationData.Username),
                Password = Value(RelationData.Password),
                SslMode = SslMode.Disable,
                Pooling = false,
            }.ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT current_database()", connection);
            Assert.Equal(Value(RelationData.Database), await command.ExecuteScalarAsync(ct));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{_portalDatabase}\" WITH (FORCE)");
        foreach (var database in await QueryAsync($"SELECT datname FROM pg_database WHERE datname LIKE '{_stack}\\_%'"))
        {
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        }

        foreach (var role in await QueryAsync($"SELECT rolname FROM pg_roles WHERE rolname LIKE '{_stack}\\_%'"))
        {
            await ExecuteAsync($"DROP ROLE IF EXISTS \"{role}\"");
        }

        await ExecuteAsync($"DROP ROLE IF EXISTS {_adminRole}");
    }

    private static async Task<List<string>> QueryAsync(string sql)
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

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
