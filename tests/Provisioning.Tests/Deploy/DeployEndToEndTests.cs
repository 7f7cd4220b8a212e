using System.Globalization;
using System.Text;
using k8s;
using k8s.Models;
using Npgsql;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Status;
using Portal.Provisioning.Tests.Steps;
using Portal.Testing;

namespace Portal.Provisioning.Tests.Deploy;

/// <summary>The whole Charmed Airbyte blueprint deployed into the sandbox through the real handlers, with PostgreSQL in
/// external mode on the local server; then deployed again (nothing changes) and torn down (databases kept).</summary>
public sealed class DeployEndToEndTests
{
    // Keys whose values are secrets; the others in relation Secrets (host, port, database…) are plain facts.
    private static readonly string[] SecretKeys =
        ["password", "secret-key", "root-password", "cookie-secret", "signing-secret", "client-secret", "admin-password", "superuser-password", "tls.key"];

    [Fact]
    public async Task The_blueprint_deploys_into_the_sandbox_again_without_changes_and_tears_down_keeping_the_databases()
    {
        var ct = TestContext.Current.CancellationToken;
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var stackName = $"e2e{suffix}";
        await using var postgres = await ExternalPostgres.CreateAsync(stackName);
        var spec = postgres.Spec($"airbyte-{suffix}");
        await using var harness = await StackHarness.StartAsync();

        // The API stores the operator's secrets in the cluster, then starts the operation on the spec without them.
        await harness.StackSecrets.StoreInputsAsync(spec, ct);
        var deploy = await harness.RunAsync(OperationKind.Deploy, StackPlanner.Default.Deploy(spec).Value, spec);
        Assert.True(deploy.State == OperationState.Succeeded, Describe(deploy));

        // Every rendered object exists, labelled, with the rendered images.
        var live = await harness.StackObjectsAsync(spec);
        var rendered = harness.Renderer.Render(spec);
        Assert.NotEmpty(rendered);
        foreach (var expected in rendered)
        {
            Assert.True(live.TryGetValue($"{expected.Kind}/{expected.Name}", out var actual), $"{expected} was not applied");
            var labels = actual.Metadata.Labels;
            Assert.Equal(PortalLabels.ManagedByValue, labels[PortalLabels.ManagedBy]);
            Assert.Equal(spec.Name, labels[PortalLabels.Stack]);
            Assert.Equal(expected.Component, labels[PortalLabels.Component]);
            if (Template(expected.Object) is { } template)
            {
                Assert.Equal(template.Spec.Containers.Select(c => c.Image), Template(actual)!.Spec.Containers.Select(c => c.Image));
            }
        }

        // Credentials reach the workloads through secretKeyRef only.
        var airbyteEnv = live.Values.OfType<V1Deployment>().Where(d => d.Metadata.Labels[PortalLabels.Component] == "airbyte")
            .SelectMany(d => d.Spec.Template.Spec.Containers).SelectMany(c => c.Env ?? []).ToList();
        Assert.Contains(airbyteEnv, e => e.ValueFrom?.SecretKeyRef is { Key: RelationData.Password } r && r.Name == "airbyte-db-relation");
        Assert.Contains(airbyteEnv, e => e.ValueFrom?.SecretKeyRef is { Key: RelationData.SecretKey } r && r.Name == "airbyte-object-storage-relation");

        // Every credential-looking variable of every workload comes from a Secret.
        var env = live.Values.Select(Template).OfType<V1PodTemplateSpec>()
            .SelectMany(t => t.Spec.Containers).SelectMany(c => c.Env ?? []).ToList();
        var credentials = env.Where(e => e.Name.Contains("PASSWORD", StringComparison.Ordinal) || e.Name.EndsWith("SECRET", StringComparison.Ordinal)
            || e.Name.EndsWith("SECRET_KEY", StringComparison.Ordinal)).ToList();
        Assert.True(credentials.Count >= 10, $"expected the workloads' credentials, found {credentials.Count}");
        Assert.All(credentials, e => Assert.True(e.ValueFrom?.SecretKeyRef is not null, $"{e.Name} is not read from a Secret"));

        // kubectl sees what KubernetesClient sees.
        var (exit, names, error) = await Kubectl.RunWithConfigAsync(harness.Sandbox.Kubeconfig(),
            ["get", "deployments,statefulsets,services,ingresses,jobs,secrets", "-n", spec.Namespace, "-l", $"{PortalLabels.Stack}={spec.Name}", "-o", "name"],
            TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.True(exit == 0, error);
        var kinds = new[] { "Deployment", "StatefulSet", "Service", "Ingress", "Job", "Secret" };
        Assert.Equal(
            live.Keys.Where(k => kinds.Contains(k.Split('/')[0])).Select(k => k.ToLowerInvariant()).Order(),
            names.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(n => n.Replace(".apps/", "/", StringComparison.Ordinal)
                .Replace(".networking.k8s.io/", "/", StringComparison.Ordinal).Replace(".batch/", "/", StringComparison.Ordinal)).Order());

        // Relation Secrets hold the keys their interface promises.
        foreach (var relation in spec.Relations.Where(r => RelationContracts.HasSecret(r.Interface)))
        {
            var secret = Assert.IsType<V1Secret>(live[$"Secret/{ObjectNames.RelationSecret(relation)}"]);
            Assert.All(RelationContracts.SecretKeys(relation.Interface), key => Assert.True(secret.Data.ContainsKey(key), $"{relation.Key} lacks {key}"));
            Assert.Equal(relation.LabelValue, secret.Metadata.Labels[PortalLabels.Relation]);
            Assert.Equal("1", secret.Metadata.Annotations[PortalLabels.RevisionAnnotation]);
        }

        // The certificates of the ingress's hosts, from the internal CA.
        Assert.Equal("kubernetes.io/tls", Assert.IsType<V1Secret>(live[$"Secret/{ObjectNames.TlsSecret("airbyte.example.com")}"]).Type);

        // The three databases exist, and each generated password logs in to its own database.
        var databases = spec.Relations.Where(r => r.Interface == Interfaces.PostgresqlClient).ToList();
        Assert.Equal(3, databases.Count);
        foreach (var relation in databases)
        {
            var secret = (V1Secret)live[$"Secret/{ObjectNames.RelationSecret(relation)}"];
            string Value(string key) => Encoding.UTF8.GetString(secret.Data[key]);
            Assert.Equal(ObjectNames.Database(spec.Name, relation), Value(RelationData.Database));
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
            await using var command = new NpgsqlCommand("SELECT current_user", connection);
            Assert.Equal(Value(RelationData.Username), await command.ExecuteScalarAsync(ct));
        }

        // No secret value anywhere but in Secrets: manifests, logs, the portal database.
        var secrets = live.Values.OfType<V1Secret>()
            .SelectMany(s => s.Data.Where(p => SecretKeys.Contains(p.Key)).Select(p => Encoding.UTF8.GetString(p.Value)))
            .Concat([postgres.Password, TestStacks.ClientSecret])
            .Where(v => v.Length >= 16)
            .Distinct().ToList();
        Assert.True(secrets.Count >= 10, $"expected the stack's secrets to be collected, got {secrets.Count}");
        var manifests = string.Join("\n", rendered.Select(o => KubernetesJson.Serialize(o.Object)))
            + string.Join("\n", live.Values.Where(o => o is not V1Secret).Select(o => KubernetesJson.Serialize(o)));
        var logs = string.Join("\n", harness.Logs.Lines);
        Assert.NotEmpty(harness.Logs.Lines);
        var record = await PortalDatabaseBytesAsync(harness);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, manifests, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, record, StringComparison.Ordinal);
        }

        // Deploying the same spec again changes nothing.
        var again = await harness.RunAsync(OperationKind.Deploy, StackPlanner.Default.Deploy(spec).Value, spec);
        Assert.True(again.State == OperationState.Succeeded, Describe(again));
        var after = await harness.StackObjectsAsync(spec);
        Assert.Equal(live.Keys.Order(), after.Keys.Order());
        Assert.All(live, pair => Assert.True(
            pair.Value.Metadata.ResourceVersion == after[pair.Key].Metadata.ResourceVersion, $"{pair.Key} changed on the second deploy:\n{KubernetesJson.Serialize(pair.Value)}\n{KubernetesJson.Serialize(after[pair.Key])}"));

        // Reconfiguring one option of airbyte re-applies airbyte only: every object whose resourceVersion moved is airbyte's,
        // its Deployments rolled (the config hash on the pod template changed), and no other component was touched.
        var airbyte = spec.Component("airbyte");
        var changed = spec with
        {
            Components = spec.Components.Select(c => c.Name != "airbyte" ? c
                : c with { Config = new Dictionary<string, string>(c.Config) { ["log-level"] = "DEBUG" } }).ToList(),
        };
        var reconfigurePlan = StackPlanner.Default.Converge(changed, spec).Value;
        Assert.Equal(["airbyte"], reconfigurePlan.Steps.Select(s => s.Component ?? s.Relation?.Requirer.Component).OfType<string>().Distinct().ToList());
        var reconfigure = await harness.RunAsync(OperationKind.Reconfigure, reconfigurePlan, changed);
        Assert.True(reconfigure.State == OperationState.Succeeded, Describe(reconfigure));
        var reconfigured = await harness.StackObjectsAsync(changed);
        Assert.Equal(after.Keys.Order(), reconfigured.Keys.Order());
        var moved = after.Keys.Where(k => after[k].Metadata.ResourceVersion != reconfigured[k].Metadata.ResourceVersion).ToList();
        var movedWorkloads = moved.Where(k => k.StartsWith("Deployment/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(movedWorkloads);
        Assert.All(moved, k => Assert.True(
            ComponentOf(reconfigured[k]) == airbyte.Name, $"{k} ({ComponentOf(reconfigured[k])}) changed although only airbyte was reconfigured"));
        Assert.All(movedWorkloads, k => Assert.Contains(
            ((V1Deployment)reconfigured[k]).Spec.Template.Spec.Containers.SelectMany(c => c.Env ?? []),
            e => e.Value == "DEBUG"));

        // Teardown removes the stack's objects, keeps the volumes and the databases, and says so.
        var teardown = await harness.RunAsync(OperationKind.Teardown, StackPlanner.Default.Teardown(changed, TeardownOptions.KeepData).Value, changed);
        Assert.True(teardown.State == OperationState.Succeeded, Describe(teardown) + string.Join("\n", harness.Logs.Lines.Where(l => l.Contains("Exception", StringComparison.Ordinal)).Take(2)));
        var left = await harness.StackObjectsAsync(changed);
        Assert.Equal(["PersistentVolumeClaim/data-minio-0"], left.Keys);
        Assert.Contains(teardown.Keeps, k => k.Contains(ObjectNames.Database(spec.Name, databases[0]), StringComparison.Ordinal));
        var remaining = await ExternalPostgres.QueryAsync($"SELECT datname FROM pg_database WHERE datname LIKE '{spec.Name}\\_%'");
        Assert.Equal(databases.Select(r => ObjectNames.Database(spec.Name, r)).Order(), remaining.Order());
    }

    private static string? ComponentOf(IKubernetesObject<V1ObjectMeta> obj) =>
        obj.Metadata.Labels is { } labels && labels.TryGetValue(PortalLabels.Component, out var component) ? component : null;

    private static V1PodTemplateSpec? Template(IKubernetesObject<V1ObjectMeta> obj) => obj switch
    {
        V1Deployment d => d.Spec.Template,
        V1StatefulSet s => s.Spec.Template,
        V1Job j => j.Spec.Template,
        _ => null,
    };

    private static string Describe(Operation operation) =>
        $"{operation.Kind} {operation.State}: {operation.Error}\n" + string.Join("\n", operation.Steps.Select(s => $"  {s.Key}: {s.State} {s.Message} {s.Error}"));

    // The portal database as raw text (SQLite file and its write-ahead log): no table may hold a secret.
    private static async Task<string> PortalDatabaseBytesAsync(StackHarness harness)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var text = new StringBuilder();
        foreach (var path in new[] { harness.DatabasePath, harness.DatabasePath + "-wal" }.Where(File.Exists))
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            text.Append(await reader.ReadToEndAsync(TestContext.Current.CancellationToken));
        }

        Assert.True(text.Length > 0, "the portal database file was not found");
        return text.ToString();
    }
}

/// <summary>The blueprint with PostgreSQL running in the cluster: roles and databases come from Jobs in the namespace.</summary>
public sealed class InClusterDeployTests
{
    [Fact]
    public async Task The_blueprint_with_in_cluster_postgresql_deploys_with_one_database_job_per_relation()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var spec = TestStacks.Minimal($"ic{suffix}", $"ic-{suffix}", config => config["postgresql"] = new() { ["mode"] = "in-cluster" });
        await using var harness = await StackHarness.StartAsync();
        await harness.StackSecrets.StoreInputsAsync(spec, TestContext.Current.CancellationToken);

        var deploy = await harness.RunAsync(OperationKind.Deploy, StackPlanner.Default.Deploy(spec).Value, spec);

        Assert.True(deploy.State == OperationState.Succeeded, $"{deploy.Error}\n" + string.Join("\n", deploy.Steps.Select(s => $"{s.Key}: {s.State} {s.Message} {s.Error}")));
        var live = await harness.StackObjectsAsync(spec);
        Assert.Contains("StatefulSet/postgresql", live.Keys);
        foreach (var relation in spec.Relations.Where(r => r.Interface == Interfaces.PostgresqlClient))
        {
            var job = Assert.IsType<V1Job>(live[$"Job/{ObjectNames.RelationJob(relation, "database")}"]);
            var env = job.Spec.Template.Spec.Containers.Single().Env;
            Assert.Equal(ObjectNames.ComponentSecret("postgresql"), env.Single(e => e.Name == "PGPASSWORD").ValueFrom.SecretKeyRef.Name);
            Assert.Equal(ObjectNames.RelationSecret(relation), env.Single(e => e.Name == "ROLE_PASSWORD").ValueFrom.SecretKeyRef.Name);
            var secret = Assert.IsType<V1Secret>(live[$"Secret/{ObjectNames.RelationSecret(relation)}"]);
            Assert.Equal($"postgresql.{spec.Namespace}.svc", Encoding.UTF8.GetString(secret.Data[RelationData.Host]));
        }
    }
}
