using System.Globalization;
using System.Text;
using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Tests.Deploy;
using Portal.Provisioning.Tests.Steps;

namespace Portal.Provisioning.Tests.Secrets.Rotation;

/// <summary>The blueprint deployed into the sandbox through the real handlers, PostgreSQL in external mode on the local server, and
/// the stack's record in the portal database, ready for <see cref="ISecretRotations"/>.</summary>
internal sealed class RotationWorld : IAsyncDisposable
{
    public const string DatabaseSecret = "postgresql.airbyte-db";

    private RotationWorld(ExternalPostgres postgres, StackHarness harness, StackSpec spec)
    {
        Postgres = postgres;
        Harness = harness;
        Spec = spec;
    }

    public ExternalPostgres Postgres { get; }

    public StackHarness Harness { get; }

    public StackSpec Spec { get; }

    public ISecretRotations Rotations => Harness.Get<ISecretRotations>();

    /// <param name="inClusterDatabase">Run PostgreSQL in the cluster (roles and passwords set by Jobs) instead of on the local server.</param>
    /// <param name="provider">The portal database: <c>sqlite</c> or <c>postgres</c>.</param>
    public static async Task<RotationWorld> StartAsync(bool inClusterDatabase = false, string provider = "sqlite")
    {
        var ct = TestContext.Current.CancellationToken;
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var postgres = await ExternalPostgres.CreateAsync($"r{suffix}");
        var spec = inClusterDatabase
            ? TestStacks.Minimal(postgres.Stack, $"rot-{suffix}", config => config["postgresql"] = new() { ["mode"] = "in-cluster" })
            : postgres.Spec($"rot-{suffix}");
        var harness = await StackHarness.StartAsync(provider: provider);
        await harness.StackSecrets.StoreInputsAsync(spec, ct);
        var deploy = await harness.RunAsync(OperationKind.Deploy, StackPlanner.Default.Deploy(spec).Value, spec);
        Assert.True(deploy.State == OperationState.Succeeded, Describe(deploy));

        var stored = await harness.SaveDeployedStackAsync(spec, ct);

        return new RotationWorld(postgres, harness, stored);
    }

    public async Task<V1Secret> SecretAsync(string name) =>
        (await Harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", Spec.Namespace, name, TestContext.Current.CancellationToken))!;

    public async Task<V1Secret?> FindSecretAsync(string name) =>
        await Harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", Spec.Namespace, name, TestContext.Current.CancellationToken);

    public static string Value(V1Secret secret, string key) => Encoding.UTF8.GetString(secret.Data[key]);

    public static int Revision(V1Secret secret) => int.Parse(secret.Metadata.Annotations[PortalLabels.RevisionAnnotation], CultureInfo.InvariantCulture);

    /// <summary>The secret-revisions annotation of every Deployment's and StatefulSet's pod template, by "Kind/name".</summary>
    public async Task<Dictionary<string, string>> TemplatesAsync()
    {
        var objects = await Harness.StackObjectsAsync(Spec);
        return objects.Where(o => o.Value is V1Deployment or V1StatefulSet).ToDictionary(
            o => o.Key,
            o => (o.Value is V1Deployment d ? d.Spec.Template : ((V1StatefulSet)o.Value).Spec.Template).Metadata.Annotations[PortalLabels.SecretRevisionsAnnotation],
            StringComparer.Ordinal);
    }

    /// <summary>Whether the relation role of the airbyte database logs in with <paramref name="password"/>.</summary>
    public async Task<bool> LogsInAsync(V1Secret relation, string password)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = Value(relation, RelationData.Host),
            Port = int.Parse(Value(relation, RelationData.Port), CultureInfo.InvariantCulture),
            Database = Value(relation, RelationData.Database),
            Username = Value(relation, RelationData.Username),
            Password = password,
            SslMode = SslMode.Disable,
            Pooling = false,
        }.ConnectionString);
        try
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidPassword)
        {
            return false;
        }
    }

    public async Task<Operation> OperationAsync(Guid id)
    {
        return (await Harness.Get<OperationStore>().FindAsync(id, TestContext.Current.CancellationToken))!;
    }

    public async Task<int> OperationCountAsync()
    {
        await using var context = Harness.Database.CreateContext();
        return await context.Operations.CountAsync(o => o.Stack == Spec.Name, TestContext.Current.CancellationToken);
    }

    /// <summary>Asserts that none of <paramref name="values"/> is in the captured logs, the portal database file (every table) or the
    /// operation's rows.</summary>
    public async Task AssertNowhereAsync(IEnumerable<string> values, params Operation[] operations)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var database = new StringBuilder();
        foreach (var path in new[] { Harness.DatabasePath, Harness.DatabasePath + "-wal" }.Where(File.Exists))
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            database.Append(await reader.ReadToEndAsync(TestContext.Current.CancellationToken));
        }

        Assert.True(database.Length > 0, "the portal database file was not found");
        var logs = string.Join("\n", Harness.Logs.Lines);
        Assert.NotEmpty(Harness.Logs.Lines);
        var rows = string.Join("\n", operations.Select(Describe));
        foreach (var value in values)
        {
            Assert.DoesNotContain(value, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(value, database.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(value, rows, StringComparison.Ordinal);
        }
    }

    public static string Describe(Operation operation) =>
        $"{operation.Kind} {operation.State}: {operation.Error} {operation.Reason}\n"
        + string.Join("\n", operation.Steps.OrderBy(s => s.Order).Select(s => $"  {s.Key}: {s.State} {s.Description} | {s.Message} | {s.Error}"));

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}
