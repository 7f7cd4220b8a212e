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
