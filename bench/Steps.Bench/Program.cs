using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Portal.Bench;
using Portal.Domain.Operations;
using Portal.Domain.Stacks;
using Portal.Provisioning;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Stacks;
using Portal.Steps.Bench;

// Step throughput benchmark: the portal's own step runner (StepJob → StepRunner → OperationStore, delivered by Hangfire on
// PostgreSQL, with the StepDispatcher sweeping) as AddProvisioning() wires it in the portal, on a fresh PostgreSQL database that
// is dropped afterwards. Only the step handlers are replaced, by one that does nothing. Each DAG is started as the portal starts
// an operation (OperationStarter: one transaction saves the stack, the operation with its steps and the audit entry, then the
// ready steps are enqueued); the runner does the rest. Timings come from the steps as the runner saved them.
// Usage: dotnet run -c Release --project bench/Steps.Bench [-- --steps 1000 --widths 1,10,100 --out bench/RESULTS.md]
// PostgreSQL: PORTAL_TEST_POSTGRES (a superuser connection, as the tests use), else the local portal_ci role.
var count = 1000;
int[] widths = [1, 10, 100];
var output = Path.Combine("bench", "RESULTS.md");
for (var i = 0; i < args.Length - 1; i += 2)
{
    var value = args[i + 1];
    switch (args[i])
    {
        case "--steps": count = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--widths": widths = [.. value.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; break;
        case "--out": output = value; break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }
}

// Width 100 took 29 minutes on a loaded 2-core machine (see RESULTS.md): leave room.
using var stop = new CancellationTokenSource(TimeSpan.FromHours(2));
var ct = stop.Token;
var admin = Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES") is { Length: > 0 } configured
    ? configured
    : "Host=127.0.0.1;Port=5432;Username=portal_ci;Password=portal_ci;Database=postgres";
var databaseName = $"portal_steps_bench_{Guid.NewGuid():N}"[..31];
var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = databaseName }.ConnectionString;
var work = Directory.CreateTempSubdirectory("portal-steps-bench-");
var loadBefore = LoadAverage();
await ExecuteAsync(admin, $"CREATE DATABASE \"{databaseName}\"", ct);
Console.WriteLine($"database {databaseName} created");
var report = new List<(string Measure, string Result)>();
int workers;
string hangfireVersion;
try
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production, Args = [] });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        [$"ConnectionStrings:{DependencyInjection.ConnectionStringName}"] = connectionString,
        ["Portal:DataDirectory"] = work.FullName,
        // The runner logs two lines per step at Information; the console would be the bottleneck, not the runner.
        ["Logging:LogLevel:Default"] = "Warning",
    });
    builder.AddProvisioning();
    builder.Services.RemoveAll<IStepHandler>();
    builder.Services.AddSingleton<IStepHandler, NoOpStepHandler>();
    var jobs = new JobCounter();
    GlobalJobFilters.Filters.Add(jobs);

    using var host = builder.Build();
    await host.StartAsync(ct);
    var storage = host.Services.GetRequiredService<JobStorage>();
    var server = await WaitForServerAsync(storage, ct);
    workers = server.WorkersCount;
    hangfireVersion = typeof(PostgreSqlStorage).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";
    Console.WriteLine($"Hangfire server {server.Name}: {workers} workers on queues {string.Join(", ", server.Queues)}");

    var database = host.Services.GetRequiredService<PortalDatabase>();
    var store = host.Services.GetRequiredService<OperationStore>();
    var starter = new OperationStarter(
        database, host.Services.GetRequiredService<IStepScheduler>(), TimeProvider.System, host.Services.GetRequiredService<ILogger<OperationStarter>>());

    // Warm-up, not reported: JIT of every path, the first connections of the pools.
    await RunAsync("warm-up-chain", 30, 1);
    await RunAsync("warm-up-wide", 60, 10);

    foreach (var width in widths)
    {
        var performed = jobs.Performed;
        var threw = jobs.Threw;
        var exceptionsBefore = jobs.Exceptions;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var postgres = PostgresTicks(await BackendsAsync(connectionString, databaseName, ct));
        var clock = Stopwatch.StartNew();
        var operation = await RunAsync($"width-{width}", count, width);
        var wall = clock.Elapsed;
        var benchCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu) / wall;
        var postgresTicks = PostgresTicks(await BackendsAsync(connectionString, databaseName, ct)).Sum(p => p.Value - postgres.GetValueOrDefault(p.Key));
        var postgresCpu = TimeSpan.FromMilliseconds(postgresTicks * 10) / wall;
        var timings = DagTimings.Of(operation);
        var layers = (count + width - 1) / width;
        var shape = width == 1 ? "a chain" : $"{layers} layers of {width}";
        Report($"Width {width} ({shape}): {count:N0} steps", F($"{timings.StepsPerSecond:N1} steps/s ({timings.Span.TotalSeconds:N1} s from start to the last step's end)"));
        Report($"Width {width}: scheduling delay per step", DagTimings.Percentiles(timings.DelaysMs));
        Report($"Width {width}: step run time (started → recorded finished)", DagTimings.Percentiles(timings.RunTimesMs));
        var exceptions = jobs.Exceptions.Select(e => F($"{e.Key} ×{e.Value - exceptionsBefore.GetValueOrDefault(e.Key)}")).Where(e => !e.EndsWith("×0", StringComparison.Ordinal));
        var thrown = jobs.Threw - threw;
        var delivered = jobs.Performed - performed;
        Report($"Width {width}: step jobs performed by Hangfire", F($"{delivered:N0} for {count:N0} steps: {timings.Runs:N0} started a run ({timings.RunMoreThanOnce} steps more than once), {delivered - timings.Runs:N0} found nothing to do or could not save the start; {thrown:N0} threw{(thrown > 0 ? $" ({string.Join(", ", exceptions)})" : "")} and were retried by Hangfire"));
        Report($"Width {width}: CPU, runner process / its PostgreSQL backends", F($"{benchCpu:P0} / {postgresCpu:P0} of a core"));
    }

    await host.StopAsync(CancellationToken.None);

    async Task<Operation> RunAsync(string name, int steps, int width)
    {
        var plan = Dags.Layered(name, steps, width);
        var spec = new StackSpec(name, "steps-bench", "bench", name, [], []);
        var now = DateTimeOffset.UtcNow;
        await using var context = database.CreateContext();
        var stack = new StackRecord { Id = Guid.NewGuid(), Name = name, Blueprint = spec.Blueprint, Cluster = spec.Cluster, Namespace = name, Spec = spec, CreatedAt = now };
        context.Stacks.Add(stack);
        var started = await starter.StartAsync(context, stack, OperationKind.Deploy, plan, spec, "steps-bench", "create", null, null, ct);
        var id = started.Id;
        Console.WriteLine($"{name}: {plan.Summary}");
        // A light poll of the state alone; the timings come from the saved steps, not from this loop.
        while (true)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            await using var poll = database.CreateContext();
            var state = await poll.Operations.AsNoTracking().Where(o => o.Id == id).Select(o => o.State).FirstAsync(ct);
            if (state.IsFinished())
            {
                var operation = (await store.FindAsync(id, ct))!;
                return operation.State == OperationState.Succeeded
                    ? operation
                    : throw new InvalidOperationException($"{name} ended {operation.State}: {operation.Error}");
            }
        }
    }
}
finally
{
    NpgsqlConnection.ClearAllPools();
    await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)", CancellationToken.None);
    Console.WriteLine($"database {databaseName} dropped");
    try
    {
        work.Delete(recursive: true);
    }
    catch (IOException)
    {
        // A temp folder left behind is harmless.
    }
}

Report("Machine load (1-minute average) at start / end", $"{loadBefore} / {LoadAverage()}");
var section = new BenchReport("Steps", $"""
    `dotnet run -c Release --project bench/Steps.Bench` (this run: `--steps {count} --widths {string.Join(',', widths)}`) — the portal's
    own step runner as `AddProvisioning()` registers it (Hangfire on PostgreSQL through Hangfire.PostgreSql {hangfireVersion},
    configured as in the portal: queue poll 1 s, {workers} workers — the portal's `max(4, cores × 4)` — on the `steps` and
    `default` queues; the step dispatcher's sweep; each change of the operation under its row lock) in this
    process, on a fresh database of the local PostgreSQL 15 (dropped afterwards). The portal's step handlers are replaced by
    one that does nothing and succeeds; nothing else is. Each DAG is one operation of {count:N0} steps in layers of the given
    width, each step waiting for every step of the layer before (width 1: a chain), started as the portal starts an
    operation (one transaction saves the stack, the operation and its steps and the audit entry; then its ready steps are
    enqueued). Steps/s: steps ÷ (end of the last step − start of the operation). Scheduling delay of a step: from the time
    its last dependency was recorded finished (for the first layer, the operation's start) to the time a worker started it,
    both as the runner saved them — it includes waiting for a free worker when a layer is wider than the workers, the
    dependency's save, Hangfire's enqueue and fetch, and loading the operation. Step jobs beyond one per step are deliveries
    that found the step running, done or not ready: the step dispatcher delivers again, every 15 s, each step queued for
    longer than 15 s whose job Hangfire no longer holds, or whose 30 s lease ran out, and Hangfire retries a job that threw. A warm-up (a 30-step chain, 60 steps of
    width 10) runs first, unreported. Runner logs at Warning (the runner logs two lines per step at Information). CPU: this
    process (runner, EF Core, Npgsql, Hangfire) and this database's PostgreSQL backends, from /proc; the machine is shared
    (2 cores): see the load averages.
    """);
foreach (var (measure, result) in report)
{
    section.Add(measure, result);
}

await section.WriteAsync(output, ct);

void Report(string measure, string result)
{
    report.Add((measure, result));
    Console.WriteLine($"== {measure}: {result}");
}

static async Task<Hangfire.Storage.Monitoring.ServerDto> WaitForServerAsync(JobStorage storage, CancellationToken ct)
{
    using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
    deadline.CancelAfter(TimeSpan.FromSeconds(60));
    while (true)
    {
        var server = storage.GetMonitoringApi().Servers().FirstOrDefault(s => s.Queues.Contains(StepJob.QueueName));
        if (server is not null)
        {
            return server;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
    }
}

static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync(ct);
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync(ct);
}

// The server processes serving this database (pooled connections stay open, so the same backends serve the whole run).
static async Task<List<int>> BackendsAsync(string connectionString, string database, CancellationToken ct)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync(ct);
    await using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = @database", connection);
    command.Parameters.AddWithValue("database", database);
    await using var reader = await command.ExecuteReaderAsync(ct);
    var pids = new List<int>();
    while (await reader.ReadAsync(ct))
    {
        pids.Add(reader.GetInt32(0));
    }

    return pids;
}

// User + system CPU time of each process so far, from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 10 ms); a backend that
// started during the run counts from zero, one that ended is lost (pooled connections rarely end).
static Dictionary<int, long> PostgresTicks(IEnumerable<int> pids)
{
    var ticks = new Dictionary<int, long>();
    foreach (var pid in pids)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            ticks[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            // The backend ended in between.
        }
    }

    return ticks;
}

static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

static string LoadAverage()
{
    try
    {
        return File.ReadAllText("/proc/loadavg").Split(' ')[0];
    }
    catch (IOException)
    {
        return "unknown";
    }
}
