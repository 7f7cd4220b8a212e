using System.Text;
using k8s.Models;
using Npgsql;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Tests.Steps;

namespace Portal.Provisioning.Tests.Deploy;

/// <summary>The <c>postgresql_client</c> wiring against the local PostgreSQL, with the relation Secret in the sandbox.</summary>
public sealed class PostgresqlWiringTests
{
    private static (string Suffix, string Stack) Names()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        return (suffix, $"pg{suffix}");
    }

    private static Domain.Blueprints.RelationSpec AirbyteDb(StackSpec spec) =>
        spec.Relations.Single(r => r.Interface == Interfaces.PostgresqlClient && r.Requirer.Component == "airbyte");

    private static async Task<V1Secret> RelationSecretAsync(StackHarness harness, StackSpec spec) =>
        (await harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", spec.Namespace, ObjectNames.RelationSecret(AirbyteDb(spec)), TestContext.Current.CancellationToken))!;

    private static async Task<bool> LogsInAsync(V1Secret secret)
    {
        string Value(string key) => Encoding.UTF8.GetString(secret.Data[key]);
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = Value(RelationData.Host),
            Port = int.Parse(Value(RelationData.Port), System.Globalization.CultureInfo.InvariantCulture),
            Database = Value(RelationData.Database),
            Username = Value(RelationData.Username),
            Password = Value(RelationData.Password),
            SslMode = SslMode.Disable,
            Pooling = false,
        }.ConnectionString);
        try
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == "28P01")
        {
            return false;
        }
    }

    [Fact]
    public async Task Refused_admin_credentials_fail_the_relation_and_the_health_check_for_good_without_showing_the_password()
    {
        var (suffix, stack) = Names();
        await using var postgres = await ExternalPostgres.CreateAsync(stack);
        const string Wrong = "wrong-admin-password-0123456789";
        var spec = postgres.Spec($"pg-{suffix}", Wrong);
        await using var harness = await StackHarness.StartAsync();
        await harness.StackSecrets.StoreInputsAsync(spec, TestContext.Current.CancellationToken);

        var relation = Assert.IsType<StepOutcome.Failed>(await harness.RunStepAsync(spec, StepIds.Provision(AirbyteDb(spec))));
        var health = Assert.IsType<StepOutcome.Failed>(await harness.RunStepAsync(spec, StepIds.Await("postgresql")));

        Assert.True(relation.Permanent);
        Assert.True(health.Permanent);
        Assert.Contains(postgres.Username, relation.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, relation.Error + health.Error + string.Join("\n", harness.Logs.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_run_keeps_the_password_and_a_lost_secret_gets_a_new_password_that_logs_in()
    {
        var (suffix, stack) = Names();
        await using var postgres = await ExternalPostgres.CreateAsync(stack);
        var spec = postgres.Spec($"pg-{suffix}");
        await using var harness = await StackHarness.StartAsync();
        await harness.StackSecrets.StoreInputsAsync(spec, TestContext.Current.CancellationToken);
        var step = StepIds.Provision(AirbyteDb(spec));

        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, step));
        var first = await RelationSecretAsync(harness, spec);
        var again = Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, step));
        var second = await RelationSecretAsync(harness, spec);

        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
        Assert.Contains("nothing to change", again.Message, StringComparison.Ordinal);
        Assert.True(await LogsInAsync(second));

        // The Secret is lost (deleted by hand): the step writes a new password and gives it to the existing role.
        await harness.Cluster.DeleteAsync("v1", "Secret", spec.Namespace, first.Metadata.Name, TestContext.Current.CancellationToken);
        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, step));
        var third = await RelationSecretAsync(harness, spec);

        Assert.NotEqual(first.Data[RelationData.Password], third.Data[RelationData.Password]);
        Assert.True(await LogsInAsync(third));
    }

    [Fact]
    public async Task Removing_the_relation_with_its_data_drops_the_database_and_the_role()
    {
        var (suffix, stack) = Names();
        await using var postgres = await ExternalPostgres.CreateAsync(stack);
        var spec = postgres.Spec($"pg-{suffix}");
        await using var harness = await StackHarness.StartAsync();
        await harness.StackSecrets.StoreInputsAsync(spec, TestContext.Current.CancellationToken);
        var relation = AirbyteDb(spec);
        Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.Provision(relation)));
        var teardown = StackPlanner.Default.Teardown(spec, TeardownOptions.Create(false, true, false).Value).Value;

        var removed = Assert.IsType<StepOutcome.Done>(await harness.RunStepAsync(spec, StepIds.RemoveRelation(relation), teardown));

        var database = ObjectNames.Database(spec.Name, relation);
        Assert.Contains($"dropped database {database}", removed.Message, StringComparison.Ordinal);
        Assert.Empty(await ExternalPostgres.QueryAsync($"SELECT datname FROM pg_database WHERE datname = '{database}'"));
        Assert.Empty(await ExternalPostgres.QueryAsync($"SELECT rolname FROM pg_roles WHERE rolname = '{database}'"));
        Assert.Null(await harness.Cluster.ReadAsync<V1Secret>("v1", "Secret", spec.Namespace, ObjectNames.RelationSecret(relation), TestContext.Current.CancellationToken));
    }
}
