using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Api.Tests.Security;
using Portal.Domain.Access;
using Portal.Sandbox;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests.BadInput;

/// <summary>The portal as it runs in production for the bad-input properties: its database on the local PostgreSQL (a fresh one,
/// dropped at the end), the embedded sandbox as cluster <c>sandbox</c>, and stack <c>prod</c> deployed on it (its steps marked done;
/// nothing runs), with an admin token. It knows every API endpoint (from the authorization matrix) and which take a JSON body
/// (from the OpenAPI document), and takes snapshots of everything a request could change.</summary>
public sealed class BadInputPortal : IAsyncLifetime
{
    /// <summary>The stack every sample URL of the authorization matrix names.</summary>
    public const string Stack = "prod";

    /// <summary>The host every certificate URL of the authorization matrix names.</summary>
    public const string Host = "airbyte.example.com";

    private string? _database;
    private NpgsqlDataSource? _portalDatabase;

    public PortalApiFactory Factory { get; } = new();

    /// <summary>A client with an admin token that lets every answer through (the properties judge them).</summary>
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>Every /api/v1 endpoint as the authorization matrix lists it.</summary>
    public IReadOnlyList<ApiEndpoint> Endpoints { get; private set; } = [];

    /// <summary>The id of the operation that deployed <see cref="Stack"/>, for operation URLs.</summary>
    public Guid DeployOperation { get; private set; }

    public async ValueTask InitializeAsync()
    {
        _database = $"portal_badinput_{Guid.NewGuid():N}"[..40];
        await ExecuteAsync($"CREATE DATABASE \"{_database}\"");
        var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = _database }.ConnectionString;
        Factory.Settings["ConnectionStrings:Portal"] = connectionString;
        _portalDatabase = NpgsqlDataSource.Create(connectionString);
        Factory.Settings["Portal:EmbeddedSandbox"] = "true";

        Admin = Factory.Client(await Factory.TokenAsync(PortalRole.Admin), allowServerErrors: true);
        var body = CreateBody(Stack);
        body["cluster"] = "sandbox";
        body["config"]!["airbyte"]!["external-hostname"] = Host;
        var created = await Admin.PostJsonAsync("/api/v1/stacks", body);
        Assert.True(created.StatusCode == HttpStatusCode.Accepted, await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        await Factory.CompleteActiveOperationAsync(Stack);
        await using (var db = Factory.Database())
        {
            DeployOperation = (await db.Stacks.SingleAsync(s => s.Name == Stack)).LastOperationId!.Value;
        }

        Endpoints = await DiscoverAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        await Factory.DisposeAsync();
        if (_portalDatabase is not null)
        {
            await _portalDatabase.DisposeAsync();
        }

        if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)");
        }
    }

    /// <summary>Everything a request could change: rows of stacks (with their versions), clusters, operations, accepted audit entries
    /// and tokens; steps handed to the job queue; specs handed to the secret store; and the sandbox's resource version, which every
    /// write to the cluster moves.</summary>
    public async Task<Snapshot> SnapshotAsync()
    {
        // One round trip: the properties take a snapshot before and after every case.
        await using var command = _portalDatabase!.CreateCommand("""
            SELECT (SELECT coalesce(string_agg("Name" || '@' || "Version", ',' ORDER BY "Name"), '') FROM stacks),
                   (SELECT count(*) FROM clusters),
                   (SELECT count(*) FROM operations),
                   (SELECT count(*) FROM audit WHERE "Result" NOT LIKE 'refused%'),
                   (SELECT count(*) FROM api_tokens)
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var sandbox = await Factory.Services.GetRequiredService<SandboxClusterHost>().Started;
        return new Snapshot(
            reader.GetString(0),
            (int)reader.GetInt64(1),
            (int)reader.GetInt64(2),
            (int)reader.GetInt64(3),
            (int)reader.GetInt64(4),
            Factory.Scheduler.Enqueued.Count,
            Factory.Secrets.Stored.Count,
            sandbox.ResourceVersion);
    }

    /// <summary>A request on the endpoint with its route parameters filled in (<see cref="ApiEndpoint.SampleUrl"/> unless given).</summary>
    public static HttpRequestMessage Request(ApiEndpoint endpoint, HttpContent? content, string? url = null) =>
        new(new HttpMethod(endpoint.Method), url ?? endpoint.SampleUrl) { Content = content };

    /// <summary>The endpoints from the matrix (its private list, read by reflection so that a new row is covered here at once), with
    /// the JSON body each takes according to the OpenAPI document.</summary>
    private async Task<IReadOnlyList<ApiEndpoint>> DiscoverAsync()
    {
        var field = typeof(Security.AuthorizationMatrixTests).GetField("ApiEndpoints", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException("AuthorizationMatrixTests.ApiEndpoints is gone; point the bad-input properties at the endpoint list.");
        var rows = ((Array)field.GetValue(null)!).Cast<object>()
            .Select(row => row.GetType().GetFields().Select(f => f.GetValue(row)).ToArray())
            .Select(values => (Method: (string)values[0]!, Pattern: (string)values[1]!, Url: (string)values[2]!))
            .ToList();

        using var anonymous = Factory.Client(token: null, allowServerErrors: true);
        var document = JsonNode.Parse(await anonymous.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!;
        var schemas = document["components"]?["schemas"]?.AsObject();
        return rows.Select(row =>
        {
            var operation = document["paths"]?[row.Pattern]?[row.Method.ToLowerInvariant()];
            var reference = operation?["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>();
            var schema = reference is null ? null : schemas?[reference.Split('/')[^1]];
            var required = operation?["requestBody"]?["required"]?.GetValue<bool>() ?? false;
            var properties = schema?["properties"]?.AsObject().Select(p => new BodyProperty(p.Key, KindOf(p.Value!, schemas))).ToList();
            var url = row.Url.Replace("/00000000-0000-0000-0000-000000000001", "/" + DeployOperation, StringComparison.Ordinal);
            return new ApiEndpoint(row.Method, row.Pattern, url, properties, required);
        }).ToList();
    }

    private static JsonKind KindOf(JsonNode property, JsonObject? schemas)
    {
        if (property["$ref"]?.GetValue<string>() is { } reference)
        {
            return KindOf(schemas![reference.Split('/')[^1]]!, schemas);
        }

        var types = property["type"] switch
        {
            JsonArray array => array.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue value => [value.GetValue<string>()],
            _ => [],
        };
        return types.FirstOrDefault(t => t != "null") switch
        {
            "string" => JsonKind.Text,
            "integer" => JsonKind.Integer,
            "array" => JsonKind.List,
            "object" => JsonKind.Object,
            var other => throw new InvalidOperationException($"A body property of type {other ?? property.ToJsonString()} needs a generator."),
        };
    }

    private static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES") is { Length: > 0 } configured
            ? configured
            : "Host=127.0.0.1;Port=5432;Username=portal_ci;Password=portal_ci;Database=postgres";

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>What the properties compare before and after a request.</summary>
public sealed record Snapshot(
    string Stacks, int Clusters, int Operations, int AcceptedAudit, int Tokens, int EnqueuedSteps, int StoredSecrets, long SandboxVersion);

public enum JsonKind
{
    Text,
    Integer,
    List,
    Object,
}

/// <summary>A property of a request body as the OpenAPI document describes it.</summary>
public sealed record BodyProperty(string Name, JsonKind Kind);

/// <summary>An API endpoint: method, route pattern, a URL naming real things (stack prod, its host and secrets), and its JSON body.</summary>
public sealed record ApiEndpoint(string Method, string Pattern, string SampleUrl, IReadOnlyList<BodyProperty>? Body, bool BodyRequired)
{
    public bool TakesBody => Body is not null;

    public override string ToString() => $"{Method} {SampleUrl}";
}
