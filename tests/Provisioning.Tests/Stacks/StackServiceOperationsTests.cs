using Microsoft.Extensions.Logging.Abstractions;
using Portal.Domain.Catalog;
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
using Portal.Provisioning.Tests.Infrastructure;

namespace Portal.Provisioning.Tests.Stacks;

public class StackServiceOperationsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Providers => new() { "postgres", "sqlite" };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task ListOperations_gives_the_stack_s_newest_operations_first_with_their_steps(string provider)
    {
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "listops");
        try
        {
            var prod = TestStacks.Minimal().WithoutSecrets(ComponentCatalog.Default);
            var staging = TestStacks.Minimal("staging", "airbyte-staging").WithoutSecrets(ComponentCatalog.Default);
            var first = Deploy(prod, T0, "first deploy");
            var second = Deploy(prod, T0.AddHours(1), "second");
            var third = Deploy(prod, T0.AddHours(2), "third");
            var other = Deploy(staging, T0.AddHours(3), "another stack");
            await AddAsync(database, second, first, other, third);

            var operations = await Service(database).ListOperationsAsync("prod", 2, CancellationToken.None);

            Assert.Equal([third.Id, second.Id], operations.Select(o => o.Id));
            Assert.All(operations, o => Assert.Equal("prod", o.Stack));
            Assert.Equal("third", operations[0].Reason);
            Assert.Equal(third.Steps.Count, operations[0].Steps.Count);
            Assert.Contains(operations[0].Steps, s => s.Key == StepIds.Apply("airbyte"));
        }
        finally
        {
            await cleanup();
        }
    }

    [Fact]
    public async Task ListOperations_of_an_unknown_stack_is_empty_and_a_limit_must_be_positive()
    {
        var (database, cleanup) = await TestDatabases.CreateAsync("sqlite", "listops");
        try
        {
            await AddAsync(database, Deploy(TestStacks.Minimal().WithoutSecrets(ComponentCatalog.Default), T0, null));
            var service = Service(database);

            Assert.Empty(await service.ListOperationsAsync("nope", 10, CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => service.ListOperationsAsync("prod", 0, CancellationToken.None));
        }
        finally
        {
            await cleanup();
        }
    }

    private static Operation Deploy(StackSpec target, DateTimeOffset at, string? reason) =>
        Operation.Start(Guid.NewGuid(), OperationKind.Deploy, StackPlanner.Default.Deploy(target).Value, target, "ops@example.com", reason, at);

    private static async Task AddAsync(PortalDatabase database, params Operation[] operations)
    {
        await using var context = database.CreateContext();
        context.Operations.AddRange(operations);
        await context.SaveChangesAsync();
    }

    private static StackService Service(PortalDatabase database)
    {
        IComponentRenderer[] renderers =
        [
            new AirbyteRenderer(), new TemporalRenderer(), new TemporalAdminRenderer(), new WebhooksRenderer(), new OAuth2ProxyRenderer(),
            new NginxIngressRenderer(), new LegoRenderer(), new MinioRenderer(), new PostgresqlRenderer(),
        ];
        return new StackService(
            database, ComponentCatalog.Default, new ClusterRegistry(TimeProvider.System), new UnusedSecrets(), new UnusedScheduler(),
            new StackRenderer(renderers, ComponentCatalog.Default), TimeProvider.System, NullLogger<StackService>.Instance);
    }

    /// <summary>Reading operations stores no secret and schedules no step; these refuse, so a test notices if that changes.</summary>
    private sealed class UnusedSecrets : IStackSecrets
    {
        public Task StoreInputsAsync(StackSpec specWithSecrets, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Listing operations must not store secrets.");
    }

    private sealed class UnusedScheduler : IStepScheduler
    {
        public void Enqueue(Guid stepId) => throw new InvalidOperationException("Listing operations must not enqueue steps.");

        public void Schedule(Guid stepId, DateTimeOffset at) => throw new InvalidOperationException("Listing operations must not schedule steps.");
    }
}
