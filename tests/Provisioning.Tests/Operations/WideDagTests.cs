using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Stacks;
using Portal.Provisioning.Tests.Infrastructure;

namespace Portal.Provisioning.Tests.Operations;

/// <summary>The runner as the portal wires it (AddProvisioning: Hangfire on PostgreSQL, its workers, the dispatcher's sweep) on an
/// operation wider than its workers: every step runs once, with one job each, and nothing reaches Hangfire as a failure.</summary>
/// <remarks>Runs alone: its eight busy workers would slow the in-process sandboxes of the tests beside it.</remarks>
[Collection(WideDagCollection.Name)]
public sealed class WideDagTests
{
    private const int Steps = 200;
    private const int Width = 50;

    [Fact]
    public async Task An_operation_far_wider_than_the_workers_runs_every_step_once_with_one_job_per_step()
    {
        var ct = TestContext.Current.CancellationToken;
        var connectionString = await TestDatabases.CreatePostgresAsync("widedag");
        var handler = new CountingHandler();
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production, Args = [] });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"ConnectionStrings:{DependencyInjection.ConnectionStringName}"] = connectionString,
                ["Portal:DataDirectory"] = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N")),
                ["Logging:LogLevel:Default"] = "Warning",
            });
            builder.AddProvisioning();
            builder.Services.RemoveAll<IStepHandler>();
            builder.Services.AddSingleton<IStepHandler>(handler);
            using var host = builder.Build();
            await host.StartAsync(ct);
            try
            {
                var operation = await StartAsync(host.Services, ct);
                var finished = await WaitForEndAsync(host.Services.GetRequiredService<OperationStore>(), operation, ct);

                Assert.Equal(OperationState.Succeeded, finished.State);
                Assert.All(finished.Steps, s => Assert.Equal(1, s.Runs));
                Assert.Equal(Steps, handler.Runs.Count);
                Assert.All(handler.Runs, run => Assert.Equal(1, run.Value));
                var (jobs, retried, failed) = await HangfireCountsAsync(connectionString, ct);
                // Each step gets its job when it becomes ready; a few more are allowed for a sweep that meets a step between its
                // save and its enqueue. Before the runner took the operation's lock, this shape made hundreds of extra jobs.
                Assert.InRange(jobs, Steps, Steps + 10);
                Assert.Equal(0, retried);
                Assert.Equal(0, failed);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await TestDatabases.DropPostgresAsync(connectionString);
        }
    }

    private static async Task<Guid> StartAsync(IServiceProvider services, CancellationToken ct)
    {
        var database = services.GetRequiredService<PortalDatabase>();
        var starter = new OperationStarter(
            database, services.GetRequiredService<IStepScheduler>(), TimeProvider.System, services.GetRequiredService<ILogger<WideDagTests>>());
        var spec = new StackSpec("wide", "wide", "local", "wide", [], []);
        await using var context = database.CreateContext();
        var stack = new StackRecord { Id = Guid.NewGuid(), Name = "wide", Blueprint = "wide", Cluster = "local", Namespace = "wide", Spec = spec, CreatedAt = DateTimeOffset.UtcNow };
        context.Stacks.Add(stack);
        var started = await starter.StartAsync(context, stack, OperationKind.Deploy, Layered("wide"), spec, "test", "create", null, null, ct);
        return started.Id;
    }

    private static async Task<Operation> WaitForEndAsync(OperationStore store, Guid id, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        while (true)
        {
            var operation = (await store.FindAsync(id, timeout.Token))!;
            if (operation.State.IsFinished())
            {
                return operation;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
        }
    }

    // Jobs Hangfire created for steps, jobs it retried after they threw, and jobs that failed for good, from its own tables.
    private static async Task<(long Jobs, long Retried, long Failed)> HangfireCountsAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        async Task<long> CountAsync(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            return (long)(await command.ExecuteScalarAsync(ct))!;
        }

        return (
            await CountAsync("SELECT count(*) FROM hangfire.job WHERE invocationdata::text LIKE '%StepJob%'"),
            await CountAsync("SELECT count(*) FROM hangfire.jobparameter WHERE name = 'RetryCount'"),
            await CountAsync("SELECT count(*) FROM hangfire.job WHERE statename = 'Failed'"));
    }

    // Layers of Width steps, each step waiting for every step of the layer before.
    private static Plan Layered(string stack)
    {
        static string Id(int i) => $"s{i.ToString("D4", CultureInfo.InvariantCulture)}";
        var steps = Enumerable.Range(0, Steps).Select(i =>
        {
            var layer = i / Width;
            List<string> previous = layer == 0 ? [] : [.. Enumerable.Range((layer - 1) * Width, Width).Select(Id)];
            return new PlanStep(Id(i), StepKind.ApplyComponent, null, null, previous, $"step {i}", "done");
        }).ToList();
        return Plan.Create(PlanKind.Deploy, stack, stack, steps).Value;
    }

    private sealed class CountingHandler : IStepHandler
    {
        public ConcurrentDictionary<string, int> Runs { get; } = new(StringComparer.Ordinal);

        public StepKind Kind => StepKind.ApplyComponent;

        public Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
        {
            Runs.AddOrUpdate(execution.Step.Key, 1, (_, n) => n + 1);
            return Task.FromResult(StepOutcome.Ok());
        }
    }
}

/// <summary>Tests that load the machine on purpose, run apart from the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WideDagCollection
{
    public const string Name = "Runner under load";
}
