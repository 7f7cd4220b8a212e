using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Catalog;
using Portal.Domain.Common;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Rendering.Kinds;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Stacks;
using Portal.Provisioning.Tests.Drafts;
using Portal.Provisioning.Tests.Infrastructure;

namespace Portal.Provisioning.Tests.Stacks;

/// <summary>A request that starts an operation reads the stack, then saves; the step runner frees the stack in a write of its own
/// when an operation ends. These tests land that write (or another request's) exactly between the read and the save.</summary>
public class OperationStartRaceTests
{
    private const string Actor = "ops@example.com";
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly StackSpec Prod = TestStacks.Minimal().WithoutSecrets(ComponentCatalog.Default);

    public static TheoryData<string, string> Starts => new()
    {
        { "postgres", "teardown" }, { "postgres", "reconfigure" }, { "postgres", "retry" },
        { "sqlite", "teardown" }, { "sqlite", "reconfigure" }, { "sqlite", "retry" },
    };

    public static TheoryData<string> Providers => new() { "postgres", "sqlite" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Starts))]
    public async Task A_start_whose_save_loses_to_the_runner_freeing_the_stack_reads_it_again_and_starts(string provider, string action)
    {
        var race = new ConcurrentStackWrite();
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "startrace", race);
        try
        {
            // The stack's latest operation has just ended (a deploy; for a retry, one that failed): the runner saved its end and
            // is about to free the stack, which the request reads still holding it.
            var earlier = ConcurrentStackWrite.Finished(OperationKind.Deploy, DeployPlan, Prod, succeeded: true, T0);
            var ended = ConcurrentStackWrite.Finished(OperationKind.Deploy, DeployPlan, Prod, succeeded: action != "retry", T0.AddHours(1));
            await SeedAsync(database, active: ended, earlier);
            race.Arm(Prod.Name, ConcurrentStackWrite.FreeAsTheRunnerWould(database, ended));
            var scheduler = new RecordingScheduler();

            var started = await StartAsync(Service(database, scheduler), action, ended.Id);

            Assert.True(started.IsSuccess, started.Message);
            Assert.Equal(1, race.Landed);
            var id = started.Value;
            await using var context = database.CreateContext();
            var stack = await context.Stacks.AsNoTracking().SingleAsync(Ct);
            Assert.Equal(id, stack.ActiveOperationId);
            Assert.Equal(ended.Id, stack.LastOperationId);
            var operations = await context.Operations.AsNoTracking().Include(o => o.Steps).ToListAsync(Ct);
            Assert.Equal(action == "retry" ? 2 : 3, operations.Count);
            var operation = operations.Single(o => o.Id == id);
            Assert.Equal(OperationState.Running, operation.State);
            Assert.Equal(operation.DueSteps(DateTimeOffset.UtcNow).Select(s => s.Id).Order(), scheduler.Enqueued.Order());
            var audit = Assert.Single(await context.Audit.AsNoTracking().ToListAsync(Ct));
            Assert.Equal(action, audit.Action);
            Assert.StartsWith("accepted", audit.Result, StringComparison.Ordinal);
            Assert.Equal(id, audit.OperationId);
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Starts))]
    public async Task A_stack_taken_by_a_new_operation_between_the_read_and_the_save_gets_the_busy_refusal(string provider, string action)
    {
        var race = new ConcurrentStackWrite();
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "startbusy", race);
        try
        {
            // The stack is free (the latest operation failed, for a retry) when the request reads it; another request starts a
            // reconfigure on it before this one saves.
            var ended = ConcurrentStackWrite.Finished(OperationKind.Deploy, DeployPlan, Prod, succeeded: action != "retry", T0);
            await SeedAsync(database, active: null, ended);
            var other = Operation.Start(Guid.NewGuid(), OperationKind.Reconfigure, DeployPlan, Prod, "someone-else@example.com", "faster", T0.AddHours(1));
            race.Arm(Prod.Name, ConcurrentStackWrite.TakeWith(database, other));
            var scheduler = new RecordingScheduler();

            var refused = await StartAsync(Service(database, scheduler), action, ended.Id);

            Assert.Equal(ServiceStatus.Conflict, refused.Status);
            Assert.Equal($"stack prod is busy: operation {other.Id} (Reconfigure) is running", refused.Message);
            Assert.Equal(1, race.Landed);
            Assert.Empty(scheduler.Enqueued);
            await using var context = database.CreateContext();
            Assert.Equal(other.Id, (await context.Stacks.AsNoTracking().SingleAsync(Ct)).ActiveOperationId);
            var ids = await context.Operations.AsNoTracking().Select(o => o.Id).ToListAsync(Ct);
            Assert.Equal(new[] { ended.Id, other.Id }.Order(), ids.Order());
            var previous = await context.Operations.AsNoTracking().SingleAsync(o => o.Id == ended.Id, Ct);
            Assert.Equal(ended.State, previous.State);
            var audit = Assert.Single(await context.Audit.AsNoTracking().ToListAsync(Ct));
            Assert.Equal(action, audit.Action);
            Assert.Equal($"refused: {refused.Message}", audit.Result);
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_stack_that_changes_before_every_save_answers_one_conflict_after_the_last_attempt(string provider)
    {
        var race = new ConcurrentStackWrite();
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "startlost", race);
        try
        {
            var ended = ConcurrentStackWrite.Finished(OperationKind.Deploy, DeployPlan, Prod, succeeded: true, T0);
            await SeedAsync(database, active: null, ended);
            race.Arm(Prod.Name, ConcurrentStackWrite.Touch(database, Prod.Name), times: 10);
            var scheduler = new RecordingScheduler();

            var refused = await Service(database, scheduler).DeleteAsync(Prod.Name, new TeardownStackCommand(false, false, false, "decommission"), Actor, Ct);

            Assert.Equal(ServiceStatus.Conflict, refused.Status);
            Assert.Equal("Stack prod changed while this request was being handled; look at it again and retry.", refused.Message);
            Assert.Equal(OperationStarter.Attempts, race.Landed);
            Assert.Empty(scheduler.Enqueued);
            await using var context = database.CreateContext();
            var stack = await context.Stacks.AsNoTracking().SingleAsync(Ct);
            Assert.Null(stack.ActiveOperationId);
            Assert.Equal(OperationStarter.Attempts, stack.Version);
            Assert.Equal(ended.Id, Assert.Single(await context.Operations.AsNoTracking().ToListAsync(Ct)).Id);
            var audit = Assert.Single(await context.Audit.AsNoTracking().ToListAsync(Ct));
            Assert.Equal(("teardown", $"refused: {refused.Message}", "decommission"), (audit.Action, audit.Result, audit.Reason));
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Creating_a_torn_down_stack_again_reads_it_again_when_it_changed_before_the_save(string provider)
    {
        var race = new ConcurrentStackWrite();
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "createrace", race);
        try
        {
            var teardown = StackPlanner.Default.Teardown(Prod, TeardownOptions.Create(false, false, false).Value).Value;
            var tornDown = ConcurrentStackWrite.Finished(OperationKind.Teardown, teardown, Prod, succeeded: true, T0);
            await SeedAsync(database, active: null, tornDown);
            race.Arm(Prod.Name, ConcurrentStackWrite.Touch(database, Prod.Name));
            var scheduler = new RecordingScheduler();
            var secrets = new CountingSecrets();

            var created = await Service(database, scheduler, secrets).CreateAsync(DraftCommands.Valid(Prod.Name, Prod.Namespace) with { Reason = "again" }, Actor, Ct);

            Assert.True(created.IsSuccess, created.Message);
            Assert.Equal(1, race.Landed);
            Assert.True(secrets.Stored >= 1);
            Assert.NotEmpty(scheduler.Enqueued);
            await using var context = database.CreateContext();
            var stack = await context.Stacks.AsNoTracking().SingleAsync(Ct);
            Assert.Equal(created.Value.OperationId, stack.ActiveOperationId);
            Assert.Equal(2, await context.Operations.CountAsync(Ct));
            var audit = Assert.Single(await context.Audit.AsNoTracking().ToListAsync(Ct));
            Assert.Equal(("create", created.Value.OperationId), (audit.Action, audit.OperationId));
            Assert.StartsWith("accepted", audit.Result, StringComparison.Ordinal);
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_stack_whose_teardown_has_ended_can_be_created_again_before_the_runner_frees_it(string provider)
    {
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "createafter");
        try
        {
            // The teardown's end is saved; the runner's second write, which frees the stack, has not landed yet.
            var deployed = ConcurrentStackWrite.Finished(OperationKind.Deploy, DeployPlan, Prod, succeeded: true, T0);
            var teardown = StackPlanner.Default.Teardown(Prod, TeardownOptions.Create(false, false, false).Value).Value;
            var tornDown = ConcurrentStackWrite.Finished(OperationKind.Teardown, teardown, Prod, succeeded: true, T0.AddHours(1));
            await SeedAsync(database, active: tornDown, deployed);

            var created = await Service(database, new RecordingScheduler()).CreateAsync(
                DraftCommands.Valid(Prod.Name, Prod.Namespace) with { Reason = "again" }, Actor, Ct);

            Assert.True(created.IsSuccess, created.Message);
            // The runner's free lands late: the stack now runs the new deploy, which it must keep.
            await ConcurrentStackWrite.FreeAsTheRunnerWould(database, tornDown)();
            await using var context = database.CreateContext();
            var stack = await context.Stacks.AsNoTracking().SingleAsync(Ct);
            Assert.Equal((created.Value.OperationId, tornDown.Id), (stack.ActiveOperationId, stack.LastOperationId));
            Assert.Null(stack.Applied);
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_cancel_whose_save_loses_to_the_runner_renewing_a_step_reads_the_operation_again_and_cancels(string provider)
    {
        var renewal = new ConcurrentStackWrite();
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "cancelrace", renewal);
        try
        {
            var earlier = ConcurrentStackWrite.Finished(OperationKind.Deploy, DeployPlan, Prod, succeeded: true, T0);
            var running = Operation.Start(Guid.NewGuid(), OperationKind.Reconfigure, DeployPlan, Prod, Actor, "change", DateTimeOffset.UtcNow);
            var first = running.DueSteps(DateTimeOffset.UtcNow)[0].Id;
            running.Begin(first, DateTimeOffset.UtcNow, StepPolicy.Default);
            await SeedAsync(database, active: running, earlier);
            // The worker running the first step renews its lease right after the cancel read the operation.
            var store = new OperationStore(database);
            renewal.ArmOperation(running.Id, () => store.UpdateStepAsync(
                running.Id, first, o => { o.Renew(first, DateTimeOffset.UtcNow, StepPolicy.Default); return 0; }, CancellationToken.None));

            var cancelled = await Service(database, new RecordingScheduler()).CancelAsync(running.Id, Actor, Ct);

            Assert.True(cancelled.IsSuccess, cancelled.Message);
            Assert.Equal(1, renewal.Landed);
            var saved = (await store.FindAsync(running.Id, Ct))!;
            Assert.Equal(OperationState.Cancelling, saved.State);
            Assert.Equal(StepState.Running, saved.StepById(first).State);
            Assert.All(saved.Steps.Where(s => s.Id != first), s => Assert.Equal(StepState.Cancelled, s.State));
            await using var context = database.CreateContext();
            var audit = Assert.Single(await context.Audit.AsNoTracking().ToListAsync(Ct));
            Assert.Equal(("cancel", "accepted: Cancelling"), (audit.Action, audit.Result));
        }
        finally
        {
            await cleanup();
        }
    }

    private static Plan DeployPlan => StackPlanner.Default.Deploy(Prod).Value;

    /// <summary>Starts <paramref name="action"/> on stack prod; the id of the operation it started (or retried).</summary>
    private static async Task<ServiceResult<Guid>> StartAsync(StackService service, string action, Guid ended)
    {
        switch (action)
        {
            case "teardown":
                var teardown = await service.DeleteAsync(Prod.Name, new TeardownStackCommand(false, false, false, "decommission"), Actor, Ct);
                return teardown.IsSuccess ? ServiceResult<Guid>.Ok(teardown.Value.OperationId!.Value) : ServiceResult<Guid>.FailureFrom(teardown);
            case "reconfigure":
                var command = new UpdateStackCommand(
                    new Dictionary<string, IReadOnlyDictionary<string, string?>>(StringComparer.Ordinal)
                    {
                        ["airbyte"] = new Dictionary<string, string?>(StringComparer.Ordinal) { ["external-hostname"] = "data.example.com" },
                    },
                    "new hostname");
                var reconfigure = await service.UpdateAsync(Prod.Name, command, Actor, Ct);
                return reconfigure.IsSuccess ? ServiceResult<Guid>.Ok(reconfigure.Value.OperationId!.Value) : ServiceResult<Guid>.FailureFrom(reconfigure);
            default:
                var retry = await service.RetryAsync(ended, Actor, Ct);
                return retry.IsSuccess ? ServiceResult<Guid>.Ok(retry.Value.Id) : ServiceResult<Guid>.FailureFrom(retry);
        }
    }

    /// <summary>Stack prod with <paramref name="last"/> as its latest freed operation, still holding <paramref name="active"/> when
    /// given; deployed, unless <paramref name="last"/> tore it down.</summary>
    private static async Task SeedAsync(PortalDatabase database, Operation? active, Operation last)
    {
        await using var context = database.CreateContext();
        context.Operations.Add(last);
        if (active is not null)
        {
            context.Operations.Add(active);
        }

        context.Stacks.Add(new StackRecord
        {
            Id = Guid.NewGuid(),
            Name = Prod.Name,
            Blueprint = Prod.Blueprint,
            Cluster = Prod.Cluster,
            Namespace = Prod.Namespace,
            Spec = Prod,
            Applied = last.Kind == OperationKind.Teardown ? null : Prod,
            SecretOptions = ["oauth2-proxy.client-secret", "postgresql.admin-password"],
            ActiveOperationId = active?.Id,
            LastOperationId = last.Id,
            CreatedAt = T0,
            UpdatedAt = T0,
        });
        await context.SaveChangesAsync(Ct);
    }

    private static StackService Service(PortalDatabase database, IStepScheduler scheduler, IStackSecrets? secrets = null)
    {
        IComponentRenderer[] renderers =
        [
            new AirbyteRenderer(), new TemporalRenderer(), new TemporalAdminRenderer(), new WebhooksRenderer(), new OAuth2ProxyRenderer(),
            new NginxIngressRenderer(), new LegoRenderer(), new MinioRenderer(), new PostgresqlRenderer(),
        ];
        return new StackService(
            database, ComponentCatalog.Default, new OneCluster(), secrets ?? new CountingSecrets(), scheduler,
            new StackRenderer(renderers, ComponentCatalog.Default), TimeProvider.System, NullLogger<StackService>.Instance);
    }

    private sealed class RecordingScheduler : IStepScheduler
    {
        private readonly List<Guid> _enqueued = [];

        public IReadOnlyList<Guid> Enqueued
        {
            get
            {
                lock (_enqueued)
                {
                    return [.. _enqueued];
                }
            }
        }

        public void Enqueue(Guid stepId)
        {
            lock (_enqueued)
            {
                _enqueued.Add(stepId);
            }
        }

        public void Schedule(Guid stepId, DateTimeOffset at) => throw new InvalidOperationException("A start enqueues its ready steps; it schedules none.");
    }

    private sealed class CountingSecrets : IStackSecrets
    {
        public int Stored { get; private set; }

        public Task StoreInputsAsync(StackSpec specWithSecrets, CancellationToken cancellationToken)
        {
            Stored++;
            return Task.CompletedTask;
        }
    }

    /// <summary>The sandbox cluster by name only: these requests validate against it and never reach it.</summary>
    private sealed class OneCluster : IClusterRegistry
    {
        public event Action? Changed
        {
            add { }
            remove { }
        }

        public IReadOnlyCollection<string> Names => [Prod.Cluster];

        public bool Contains(string name) => name == Prod.Cluster;

        public Result<string> Connect(string name, string kubeconfig, string? context) => throw new NotSupportedException();

        public Result<string> ConnectInCluster(string name) => throw new NotSupportedException();

        public bool Disconnect(string name) => throw new NotSupportedException();
    }
}
