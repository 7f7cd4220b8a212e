using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Relations.Postgresql;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Steps;
using Portal.Provisioning.Tests.Infrastructure;
using Portal.Sandbox;

namespace Portal.Provisioning.Tests.Steps;

/// <summary>A sandbox cluster on the real clock with short delays, connected the way the portal connects (kubeconfig through
/// <see cref="ClusterRegistry"/>), the real step handlers, and a synchronous step runner over a SQLite portal database.</summary>
/// <remarks>Steps are delivered one at a time; a step that waits is delivered again when its time comes (real time, with
/// the short poll interval of <see cref="Policy"/>), so a deploy runs exactly as under Hangfire, only serially.</remarks>
internal sealed class StackHarness : IAsyncDisposable
{
    public const string ClusterName = "sandbox";

    public static readonly StepPolicy Policy = StepPolicy.Default with
    {
        FirstBackoff = TimeSpan.FromMilliseconds(100),
        MaxBackoff = TimeSpan.FromSeconds(1),
        PollInterval = TimeSpan.FromMilliseconds(100),
        // Generous: CI runs four test projects at once on two cores, and a serial deploy can leave a step waiting a while for
        // the object another step makes (no test waits for these deadlines to pass).
        AwaitDeadline = TimeSpan.FromMinutes(3),
        StepDeadline = TimeSpan.FromMinutes(3),
        IssuanceFirstBackoff = TimeSpan.FromMilliseconds(100),
        IssuanceMaxBackoff = TimeSpan.FromSeconds(1),
        VerifyDeadline = TimeSpan.FromSeconds(3),
    };

    private readonly ServiceProvider _services;
    private readonly Func<Task> _dropDatabase;
    private readonly SerialScheduler _scheduler;

    private StackHarness(
        SandboxCluster sandbox, ServiceProvider services, PortalDatabase database, string databasePath, Func<Task> dropDatabase, CapturingLoggerProvider logs, SerialScheduler scheduler,
        ConcurrentStackWrite concurrentWrite)
    {
        ConcurrentWrite = concurrentWrite;
        _scheduler = scheduler;
        Sandbox = sandbox;
        _services = services;
        Database = database;
        DatabasePath = databasePath;
        _dropDatabase = dropDatabase;
        Logs = logs;
    }

    public SandboxCluster Sandbox { get; }

    public PortalDatabase Database { get; }

    public string DatabasePath { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <summary>Lands another writer's change of a stack between a service's read and its save, once armed.</summary>
    public ConcurrentStackWrite ConcurrentWrite { get; }

    public IClusterGateway Cluster => _services.GetRequiredService<ClusterRegistry>().Gateway(ClusterName);

    public IKubernetes Client => Cluster.Client;

    public StackRenderer Renderer => _services.GetRequiredService<StackRenderer>();

    public IStackSecrets StackSecrets => _services.GetRequiredService<IStackSecrets>();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public IStepHandler Handler(StepKind kind) => _services.GetServices<IStepHandler>().Single(h => h.Kind == kind);

    /// <summary>Simulation timings short enough for a whole deploy to take seconds.</summary>
    public static SimulationOptions FastSimulation() => new()
    {
        SchedulingDelay = TimeSpan.FromMilliseconds(10),
        ImagePullDelay = TimeSpan.FromMilliseconds(30),
        ReadinessDelay = TimeSpan.FromMilliseconds(30),
        JobRunDuration = TimeSpan.FromMilliseconds(100),
        CrashRunDuration = TimeSpan.FromMilliseconds(50),
        CrashBackoff = TimeSpan.FromMilliseconds(100),
        CrashBackoffLimit = TimeSpan.FromMilliseconds(400),
        ProbeInterval = TimeSpan.FromMilliseconds(200),
        LogHeartbeatInterval = null,
        PodTerminationDelay = TimeSpan.FromMilliseconds(10),
        VolumeBindDelay = TimeSpan.FromMilliseconds(20),
        LoadBalancerDelay = TimeSpan.FromMilliseconds(30),
    };

    /// <param name="register">More services (an issuer, a probe), registered after the portal's own.</param>
    /// <param name="provider">The portal database: <c>sqlite</c> or <c>postgres</c>.</param>
    public static async Task<StackHarness> StartAsync(Action<SandboxOptions>? configure = null, Action<IServiceCollection>? register = null, string provider = "sqlite")
    {
        var options = new SandboxOptions { Seed = 7, Simulation = FastSimulation() };
        configure?.Invoke(options);
        var sandbox = await SandboxServer.StartAsync(options, TestContext.Current.CancellationToken);
        var logs = new CapturingLoggerProvider();
        var concurrentWrite = new ConcurrentStackWrite();
        var (database, drop) = await TestDatabases.CreateAsync(provider, "steps", concurrentWrite);
        var clock = new ShiftableClock();
        var scheduler = new SerialScheduler(clock);

        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton(clock);
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton(Policy);
        services.AddSingleton(ComponentCatalog.Default);
        services.AddSingleton(database);
        services.AddSingleton<OperationStore>();
        services.AddSingleton<ClusterRegistry>();
        services.AddRendering();
        services.AddSingleton<IDatabaseAdmin>(sp => new ExternalDatabaseAdmin(
            Options.Create(new PostgresqlAdminOptions { ConnectTimeout = TimeSpan.FromSeconds(5), CommandTimeout = TimeSpan.FromSeconds(30) }),
            sp.GetRequiredService<ILogger<ExternalDatabaseAdmin>>()));
        services.AddStepHandlers();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        Portal.Provisioning.Certificates.Issuers.CertificateIssuersServiceCollectionExtensions.AddCertificateIssuers(services);
        services.AddSingleton<IStepScheduler>(scheduler);
        register?.Invoke(services);
        var built = services.BuildServiceProvider();

        var connected = built.GetRequiredService<ClusterRegistry>().Connect(ClusterName, sandbox.Kubeconfig(), null);
        Assert.True(connected.IsSuccess, string.Join("; ", connected.Errors));
        return new StackHarness(sandbox, built, database, database.Options.SqlitePath, drop, logs, scheduler, concurrentWrite);
    }

    /// <summary>Saves <paramref name="spec"/> as a stack the portal has deployed onto this harness's cluster (its record, without
    /// secret values, applied and free), as the services that act on a deployed stack expect it; returns the stored spec.</summary>
    public async Task<StackSpec> SaveDeployedStackAsync(StackSpec spec, CancellationToken cancellationToken)
    {
        var stored = spec.WithoutSecrets(ComponentCatalog.Default);
        await using var context = Database.CreateContext();
        context.Stacks.Add(new StackRecord
        {
            Id = Guid.NewGuid(),
            Name = spec.Name,
            Blueprint = spec.Blueprint,
            Cluster = ClusterName,
            Namespace = spec.Namespace,
            Spec = stored,
            Applied = stored,
            CreatedAt = DateTimeOffset.UtcNow,
            UpdatedAt = DateTimeOffset.UtcNow,
        });
        await context.SaveChangesAsync(cancellationToken);
        return stored;
    }

    /// <summary>Starts an operation of <paramref name="plan"/> for <paramref name="target"/> (stored without secrets) and
    /// runs it to the end; returns the operation as saved.</summary>
    public async Task<Operation> RunAsync(OperationKind kind, Plan plan, StackSpec target)
    {
        var operation = Operation.Start(Guid.NewGuid(), kind, plan, target.WithoutSecrets(ComponentCatalog.Default), "ops@example.com", null, DateTimeOffset.UtcNow);
        await using (var context = Database.CreateContext())
        {
            context.Operations.Add(operation);
            await context.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        foreach (var step in operation.DueSteps(DateTimeOffset.UtcNow))
        {
            _scheduler.Enqueue(step.Id);
        }

        var runner = new StepRunner(
            _services.GetRequiredService<OperationStore>(), _services.GetServices<IStepHandler>(), _scheduler, new NoObserver(),
            Policy, Clock, _services.GetRequiredService<ILogger<StepRunner>>());
        await _scheduler.DrainAsync(runner);
        return (await _services.GetRequiredService<OperationStore>().FindAsync(operation.Id, CancellationToken.None))!;
    }

    /// <summary>Runs every step delivered so far (by a service that started an operation) until nothing is left, with the portal's
    /// observer, so the stack is free again when its operation ends.</summary>
    public Task DrainAsync() => DrainAsync(null);

    /// <summary>As <see cref="DrainAsync()"/>, but returns when the next step is scheduled later than <paramref name="horizon"/> from
    /// now on <see cref="Clock"/> (a grace period), leaving it scheduled: shift the clock, then drain again.</summary>
    public async Task DrainAsync(TimeSpan? horizon)
    {
        var runner = new StepRunner(
            _services.GetRequiredService<OperationStore>(), _services.GetServices<IStepHandler>(), _scheduler, new StackOperationObserver(Database, Clock),
            Policy, Clock, _services.GetRequiredService<ILogger<StepRunner>>());
        await _scheduler.DrainAsync(runner, horizon);
    }

    /// <summary>The clock of the portal's services and the step runner: the system's, shifted by what a test skips.</summary>
    public ShiftableClock Clock => _services.GetRequiredService<ShiftableClock>();

    /// <summary>The step <paramref name="key"/> of <paramref name="plan"/> (the deploy plan by default) as a runner would hand it over.</summary>
    public static StepExecution Execution(StackSpec spec, string key, Plan? plan = null)
    {
        plan ??= StackPlanner.Default.Deploy(spec).Value;
        var operation = Operation.Start(Guid.NewGuid(), OperationKind.Deploy, plan, spec.WithoutSecrets(ComponentCatalog.Default), "ops@example.com", null, DateTimeOffset.UtcNow);
        return new StepExecution(operation, operation.Steps.Single(s => s.Key == key));
    }

    /// <summary>Runs one step's handler, again while it is not ready (as the runner would), until it is done or failed; fails the test
    /// with what the step last waited for when that takes longer than <paramref name="timeout"/> (a minute by default: the sandbox's
    /// controllers are slow on a loaded machine).</summary>
    public async Task<StepOutcome> RunStepAsync(StackSpec spec, string key, Plan? plan = null, TimeSpan? timeout = null)
    {
        var execution = Execution(spec, key, plan);
        var handler = Handler(execution.Step.Kind);
        var limit = timeout ?? TimeSpan.FromMinutes(1);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(limit);
        StepOutcome? outcome = null;
        try
        {
            while ((outcome = await handler.RunAsync(execution, cts.Token)) is StepOutcome.NotReady)
            {
                await Task.Delay(Policy.PollInterval, cts.Token);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested && !TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"Step {key} was not done or failed after {limit.TotalSeconds:0} s; it last said: {outcome?.ToString() ?? "nothing"}.");
        }

        return outcome!;
    }

    /// <summary>Every object of the stack in the kinds the portal writes (and the volume claims of its StatefulSets), by "Kind/name".</summary>
    public async Task<Dictionary<string, IKubernetesObject<V1ObjectMeta>>> StackObjectsAsync(StackSpec stack)
    {
        var objects = new Dictionary<string, IKubernetesObject<V1ObjectMeta>>(StringComparer.Ordinal);
        foreach (var kind in KubeResources.StackKinds)
        {
            foreach (var obj in await Cluster.ListAsync(kind.ApiVersion, kind.Kind, stack.Namespace, $"{PortalLabels.Stack}={stack.Name}", TestContext.Current.CancellationToken))
            {
                objects[$"{kind.Kind}/{obj.Metadata.Name}"] = obj;
            }
        }

        return objects;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Sandbox.DisposeAsync();
        await _dropDatabase();
    }

    private sealed class NoObserver : IOperationObserver
    {
        public Task OperationFinishedAsync(Operation operation, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Delivers queued steps one at a time, and scheduled ones when their time comes.</summary>
    private sealed class SerialScheduler(TimeProvider clock) : IStepScheduler
    {
        private readonly ConcurrentQueue<Guid> _queue = new();
        private readonly List<(Guid StepId, DateTimeOffset At)> _scheduled = [];

        public void Enqueue(Guid stepId) => _queue.Enqueue(stepId);

        public void Schedule(Guid stepId, DateTimeOffset at)
        {
            lock (_scheduled)
            {
                _scheduled.Add((stepId, at));
            }
        }

        public async Task DrainAsync(StepRunner runner, TimeSpan? horizon = null)
        {
            var ct = TestContext.Current.CancellationToken;
            for (var i = 0; i < 5000; i++)
            {
                if (_queue.TryDequeue(out var id))
                {
                    await runner.RunAsync(id, ct);
                    continue;
                }

                (Guid StepId, DateTimeOffset At) next;
                lock (_scheduled)
                {
                    if (_scheduled.Count == 0)
                    {
                        return;
                    }

                    next = _scheduled.OrderBy(s => s.At).First();
                    if (horizon is { } far && next.At - clock.GetUtcNow() > far)
                    {
                        return;
                    }

                    _scheduled.Remove(next);
                }

                // The step asked to be looked at again at this time: wait for it, as Hangfire's scheduler would.
                var wait = next.At - clock.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, ct);
                }

                await runner.RunAsync(next.StepId, ct);
            }

            Assert.Fail("The operation did not settle within 5000 deliveries.");
        }
    }
}

/// <summary>Keeps every log line of every category (with its scope values and exception text) to prove no secret is logged.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(string category, CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            owner._scopes.ForEachScope((scope, list) => list.Add(scope is IEnumerable<KeyValuePair<string, object>> pairs
                ? string.Join(",", pairs.Select(p => $"{p.Key}={p.Value}"))
                : scope?.ToString() ?? ""), scopes);
            owner._lines.Enqueue($"{logLevel} {category} [{string.Join(";", scopes)}] {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
        }
    }
}

/// <summary>The system clock shifted by <see cref="Offset"/>: a test skips a grace period by moving it, while everything else (polls,
/// leases) keeps running in real time.</summary>
public sealed class ShiftableClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
