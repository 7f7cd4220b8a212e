using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Tests.Infrastructure;

namespace Portal.Provisioning.Tests.Persistence;

public class OperationStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Providers => new() { "postgres", "sqlite" };

    private static Operation NewOperation(StackSpec target)
    {
        var plan = StackPlanner.Default.Deploy(target).Value;
        return Operation.Start(Guid.NewGuid(), OperationKind.Deploy, plan, target, "ops@example.com", "first deploy", T0);
    }

    private static async Task Add(PortalDatabase database, Operation operation)
    {
        await using var context = database.CreateContext();
        context.Operations.Add(operation);
        await context.SaveChangesAsync();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_operation_round_trips_with_its_steps_and_target_spec(string provider)
    {
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "roundtrip");
        try
        {
            var target = TestStacks.Minimal().WithoutSecrets(Domain.Catalog.ComponentCatalog.Default);
            var operation = NewOperation(target);
            await Add(database, operation);

            var loaded = await new OperationStore(database).FindAsync(operation.Id, CancellationToken.None);

            Assert.NotNull(loaded);
            Assert.Equal(operation.Steps.Count, loaded.Steps.Count);
            Assert.Equal(operation.Steps.Select(s => (s.Key, s.State, s.DependsOn.Count)).Order(), loaded.Steps.Select(s => (s.Key, s.State, s.DependsOn.Count)).Order());
            Assert.Equal("airbyte.example.com", loaded.Target.Component("airbyte").Config["external-hostname"]);
            Assert.Equal(target.Relations, loaded.Target.Relations);
            Assert.Equal(T0, loaded.CreatedAt);
            Assert.Equal("first deploy", loaded.Reason);
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Secrets_never_reach_the_database(string provider)
    {
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "secrets");
        try
        {
            var target = TestStacks.Minimal().WithoutSecrets(Domain.Catalog.ComponentCatalog.Default);
            await Add(database, NewOperation(target));

            await using var context = database.CreateContext();
            var stored = string.Join("\n", context.Operations.Select(o => o.Target).AsEnumerable().Select(t => System.Text.Json.JsonSerializer.Serialize(t)));

            Assert.DoesNotContain(TestStacks.AdminPassword, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(TestStacks.ClientSecret, stored, StringComparison.Ordinal);
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Concurrent_completions_of_two_prerequisites_queue_their_common_dependent_exactly_once(string provider)
    {
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "concurrency");
        try
        {
            var operation = NewOperation(TestStacks.Minimal().WithoutSecrets(Domain.Catalog.ComponentCatalog.Default));
            await Add(database, operation);
            var store = new OperationStore(database);

            // Pick a step with two or more prerequisites, and run every step it (transitively) needs but its direct ones.
            var join = operation.Steps.First(s => s.DependsOn.Count >= 2);
            await RunUntilOnlyDirectPrerequisitesRemain(store, operation.Id, join.Key);
            var prerequisites = join.DependsOn.Select(key => operation.Steps.Single(s => s.Key == key).Id).ToList();
            foreach (var id in prerequisites)
            {
                await store.UpdateAsync(operation.Id, o => o.Begin(id, T0, StepPolicy.Default), CancellationToken.None);
            }

            // Complete all direct prerequisites at once, each on its own context, as parallel workers would.
            var readied = await Task.WhenAll(prerequisites.Select(id =>
                Task.Run(() => store.UpdateAsync(operation.Id, o => o.Complete(id, T0).Select(s => s.Key).ToList(), CancellationToken.None))));

            var saved = await store.FindAsync(operation.Id, CancellationToken.None);
            Assert.Equal(StepState.Queued, saved!.Steps.Single(s => s.Key == join.Key).State);
            Assert.Equal(1, readied.SelectMany(keys => keys).Count(key => key == join.Key));
            Assert.All(prerequisites, id => Assert.Equal(StepState.Succeeded, saved.Steps.Single(s => s.Id == id).State));
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Workers_finishing_steps_of_one_operation_at_once_take_turns_and_each_change_runs_once(string provider)
    {
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "turns");
        try
        {
            // One layer of 24 steps and a step after them all, as a wide operation has.
            var roots = Enumerable.Range(0, 24).Select(i => new PlanStep($"root{i:D2}", StepKind.ApplyComponent, null, null, [], $"root {i}", "done")).ToList();
            var join = new PlanStep("join", StepKind.ApplyComponent, null, null, [.. roots.Select(r => r.Id)], "join", "done");
            var plan = Plan.Create(PlanKind.Deploy, "wide", "wide", [.. roots, join]).Value;
            var operation = Operation.Start(Guid.NewGuid(), OperationKind.Deploy, plan, TestStacks.Minimal().WithoutSecrets(Domain.Catalog.ComponentCatalog.Default), "ops", null, T0);
            await Add(database, operation);
            var store = new OperationStore(database);
            var ids = operation.Steps.Where(s => s.Key != "join").Select(s => s.Id).ToList();
            foreach (var id in ids)
            {
                Assert.Equal(StepStart.Run, await store.UpdateStepAsync(operation.Id, id, o => o.Begin(id, T0, StepPolicy.Default), CancellationToken.None));
            }

            // Every completion at once, each on its own context: without the lock they conflict and re-run their change on a newer version.
            var applied = 0;
            var readied = await Task.WhenAll(ids.Select(id => Task.Run(() => store.UpdateAsync(operation.Id, o =>
            {
                Interlocked.Increment(ref applied);
                return o.Complete(id, T0.AddSeconds(1)).Select(s => s.Key).ToList();
            }, CancellationToken.None))));

            Assert.Equal(ids.Count, applied);
            Assert.Equal(["join"], readied.SelectMany(keys => keys));
            var saved = (await store.FindAsync(operation.Id, CancellationToken.None))!;
            Assert.All(saved.Steps.Where(s => s.Key != "join"), s => Assert.Equal(StepState.Succeeded, s.State));
            Assert.Equal(StepState.Queued, saved.Steps.Single(s => s.Key == "join").State);
            Assert.Equal(operation.Version + 2 * ids.Count, saved.Version);
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_step_change_loads_and_saves_that_step_alone_and_leaves_the_others_as_they_are(string provider)
    {
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "onestep");
        try
        {
            var operation = NewOperation(TestStacks.Minimal().WithoutSecrets(Domain.Catalog.ComponentCatalog.Default));
            await Add(database, operation);
            var store = new OperationStore(database);
            var first = operation.Steps.First(s => s.State == StepState.Queued);

            var (start, seen) = await store.UpdateStepAsync(operation.Id, first.Id, o => (o.Begin(first.Id, T0, StepPolicy.Default), o.Steps.Count), CancellationToken.None);

            Assert.Equal(StepStart.Run, start);
            Assert.Equal(1, seen);
            var saved = (await store.FindAsync(operation.Id, CancellationToken.None))!;
            Assert.Equal(operation.Steps.Count, saved.Steps.Count);
            Assert.Equal(StepState.Running, saved.StepById(first.Id).State);
            Assert.Equal(T0 + StepPolicy.Default.Lease, saved.StepById(first.Id).LeaseUntil);
            Assert.Equal(
                operation.Steps.Where(s => s.Id != first.Id).Select(s => (s.Key, s.State)),
                saved.Steps.Where(s => s.Id != first.Id).OrderBy(s => s.Order).Select(s => (s.Key, s.State)));
            Assert.Equal(operation.Version + 1, saved.Version);
        }
        finally
        {
            await cleanup();
        }
    }

    private static async Task RunUntilOnlyDirectPrerequisitesRemain(OperationStore store, Guid operationId, string joinKey)
    {
        while (true)
        {
            var operation = (await store.FindAsync(operationId, CancellationToken.None))!;
            var join = operation.Steps.Single(s => s.Key == joinKey);
            var next = operation.Steps.FirstOrDefault(s => s.State == StepState.Queued && !join.DependsOn.Contains(s.Key) && s.Key != joinKey);
            if (join.DependsOn.All(key => operation.Steps.Single(s => s.Key == key).State == StepState.Queued))
            {
                return;
            }

            Assert.NotNull(next);
            await store.UpdateAsync(operationId, o =>
            {
                o.Begin(next.Id, T0, StepPolicy.Default);
                return o.Complete(next.Id, T0);
            }, CancellationToken.None);
        }
    }
}
