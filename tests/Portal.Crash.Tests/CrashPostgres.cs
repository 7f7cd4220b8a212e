using System.Globalization;
using System.Text;
using k8s;
using Npgsql;
using Portal.Domain.Naming;
using Portal.Testing;

namespace Portal.Crash.Tests;

/// <summary>The local PostgreSQL as the crash test uses it twice: a fresh database for the portal itself (with Hangfire),
/// and the stack's external postgresql (<see cref="ExternalPostgres"/>); all dropped on dispose.</summary>
internal sealed class CrashPostgres : IAsyncDisposable
{
    private readonly string _portalDatabase;
    private readonly ExternalPostgres _external;
    private readonly string _stack;

    private CrashPostgres(string portalDatabase, ExternalPostgres external, string stack)
    {
        _portalDatabase = portalDatabase;
        _external = external;
        _stack = stack;
    }

    public string PortalConnectionString =>
        new NpgsqlConnectionStringBuilder(ExternalPostgres.AdminConnectionString) { Database = _portalDatabase }.ConnectionString;

    public static async Task<CrashPostgres> CreateAsync(string stack, string suffix)
    {
        var portalDatabase = $"portal_crash_{suffix}";
        await ExternalPostgres.ExecuteAsync($"CREATE DATABASE \"{portalDatabase}\"");
        try
        {
            return new CrashPostgres(portalDatabase, await ExternalPostgres.CreateAsync($"crash_admin_{suffix}"), stack);
        }
        catch
        {
            await ExternalPostgres.ExecuteAsync($"DROP DATABASE IF EXISTS \"{portalDatabase}\" WITH (FORCE)");
            throw;
        }
    }

    /// <summary>The body of <c>POST /api/v1/stacks</c>: the blueprint on cluster "crash", PostgreSQL external on this server.</summary>
    public object StackBody(string name, string @namespace) => new
    {
        name,
        blueprint = "charmed-airbyte",
        cluster = "crash",
        @namespace,
        config = _external.AirbyteConfig(name, "crash.example.com"),
    };

    /// <summary>The stack's databases exist once each, one per relation Secret, and each Secret's password logs in.</summary>
    public async Task AssertDatabasesAsync(string kubeconfig, string @namespace, CancellationToken ct)
    {
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        var secrets = (await client.CoreV1.ListNamespacedSecretAsync(@namespace, cancellationToken: ct)).Items
            .Where(s => s.Metadata.Labels?.ContainsKey(PortalLabels.Relation) == true && s.Data?.ContainsKey(RelationData.Database) == true)
            .ToList();
        Assert.Equal(3, secrets.Count);

        var databases = await ExternalPostgres.DatabasesOfAsync(_stack);
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
        await ExternalPostgres.ExecuteAsync($"DROP DATABASE IF EXISTS \"{_portalDatabase}\" WITH (FORCE)");
        await _external.DisposeAsync();
    }
}
