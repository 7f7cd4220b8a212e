using System.Globalization;
using System.Text;
using k8s;
using Npgsql;
using Portal.Domain.Naming;
using Portal.Testing;

namespace Portal.Crash.Tests;

/// <summary>PostgreSQL as the chaos tests use it twice: a fresh database for the portal itself (with Hangfire), on the shared local
/// server or on a private one (<see cref="PrivatePostgres"/>), and the stacks' external postgresql on the shared server
/// (<see cref="ExternalPostgres"/>); all dropped on dispose.</summary>
internal sealed class CrashPostgres : IAsyncDisposable
{
    private readonly string _portalServer;
    private readonly string _portalDatabase;
    private readonly ExternalPostgres _external;

    private CrashPostgres(string portalServer, string portalDatabase, ExternalPostgres external)
    {
        _portalServer = portalServer;
        _portalDatabase = portalDatabase;
        _external = external;
    }

    public string PortalConnectionString =>
        new NpgsqlConnectionStringBuilder(_portalServer) { Database = _portalDatabase }.ConnectionString;

    /// <summary>Creates the portal's database on <paramref name="portalServer"/> (a superuser connection; the shared server when null)
    /// and the stacks' admin role on the shared server.</summary>
    public static async Task<CrashPostgres> CreateAsync(string suffix, string? portalServer = null)
    {
        var server = portalServer ?? ExternalPostgres.AdminConnectionString;
        var portalDatabase = $"portal_crash_{suffix}";
        await ExecuteAsync(server, $"CREATE DATABASE \"{portalDatabase}\"");
        try
        {
            return new CrashPostgres(server, portalDatabase, await ExternalPostgres.CreateAsync($"crash_admin_{suffix}"));
        }
        catch
        {
            await ExecuteAsync(server, $"DROP DATABASE IF EXISTS \"{portalDatabase}\" WITH (FORCE)");
            throw;
        }
    }

    /// <summary>The body of <c>POST /api/v1/stacks</c>: the blueprint on <paramref name="cluster"/>, PostgreSQL external on the shared
    /// server, hostnames under <c>&lt;name&gt;.example.com</c>.</summary>
    public object StackBody(string name, string @namespace, string cluster) => new
    {
        name,
        blueprint = "charmed-airbyte",
        cluster,
        @namespace,
        config = _external.AirbyteConfig(name, $"{name}.example.com"),
    };

    /// <summary>The stack's databases exist once each, one per relation Secret, and each Secret's password logs in.</summary>
    public static async Task AssertDatabasesAsync(IKubernetes client, string @namespace, string stack, CancellationToken ct)
    {
        var secrets = (await client.CoreV1.ListNamespacedSecretAsync(@namespace, cancellationToken: ct)).Items
            .Where(s => s.Metadata.Labels?.ContainsKey(PortalLabels.Relation) == true && s.Data?.ContainsKey(RelationData.Database) == true)
            .Where(s => s.Metadata.Labels?.ContainsKey("portal.airbyte.io/revision-of") != true)
            .ToList();
        Assert.Equal(3, secrets.Count);

        var databases = await ExternalPostgres.DatabasesOfAsync(stack);
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
            try
            {
                await connection.OpenAsync(ct);
            }
            catch (PostgresException e)
            {
                Assert.Fail($"the password in Secret {@namespace}/{secret.Metadata.Name} (revision {(secret.Metadata.Annotations?.TryGetValue(PortalLabels.RevisionAnnotation, out var revision) == true ? revision : "1")}) does not log in as {Value(RelationData.Username)}: {e.MessageText}");
            }

            await using var command = new NpgsqlCommand("SELECT current_database()", connection);
            Assert.Equal(Value(RelationData.Database), await command.ExecuteScalarAsync(ct));
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ExecuteAsync(_portalServer, $"DROP DATABASE IF EXISTS \"{_portalDatabase}\" WITH (FORCE)");
        }
        catch (NpgsqlException)
        {
            // A private server already stopped takes its databases with it.
        }

        await _external.DisposeAsync();
    }

    private static async Task ExecuteAsync(string server, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
