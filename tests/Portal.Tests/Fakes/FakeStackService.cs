using Portal.Provisioning.Stacks;

namespace Portal.Tests.Fakes;

/// <summary>The stored stacks as the pages read them: list, one stack with masked config, recent operations. Day-2 changes and
/// their preview are recorded and answered by the handler a test sets (<see cref="OnUpdate"/>, <see cref="OnPreview"/>,
/// <see cref="OnDelete"/>); without one they throw, so a test notices if a page starts changing things.</summary>
public sealed class FakeStackService : IStackService
{
    public IReadOnlyList<StackSummary> Stacks { get; set; } = [];

    public Dictionary<string, StackView> Views { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, IReadOnlyList<OperationView>> Operations { get; } = new(StringComparer.Ordinal);

    public int ListCalls { get; private set; }

    public int GetCalls { get; private set; }

    public List<(string Name, UpdateStackCommand Command, string Actor)> Updates { get; } = [];

    public List<(string Name, UpdateStackCommand Command)> Previews { get; } = [];

    public List<(string Name, TeardownStackCommand Command, string Actor)> Teardowns { get; } = [];

    public Func<string, UpdateStackCommand, ServiceResult<StackChange>>? OnUpdate { get; set; }

    public Func<string, UpdateStackCommand, ServiceResult<UpdatePreview>>? OnPreview { get; set; }

    public Func<string, TeardownStackCommand, ServiceResult<StackChange>>? OnDelete { get; set; }

    public Task<IReadOnlyList<StackSummary>> ListAsync(CancellationToken cancellationToken)
    {
        ListCalls++;
        return Task.FromResult(Stacks);
    }

    public Task<ServiceResult<StackView>> GetAsync(string name, CancellationToken cancellationToken)
    {
        GetCalls++;
        return Task.FromResult(Views.TryGetValue(name, out var view)
            ? ServiceResult<StackView>.Ok(view)
            : ServiceResult<StackView>.NotFound($"There is no stack named {name}."));
    }

    public Task<IReadOnlyList<OperationView>> ListOperationsAsync(string stack, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<OperationView>>(Operations.TryGetValue(stack, out var operations) ? operations.Take(limit).ToList() : []);

    public Task<ServiceResult<StackChange>> CreateAsync(CreateStackCommand command, string actor, CancellationToken cancellationToken) => Refused<StackChange>();

    public Task<ServiceResult<StackChange>> UpdateAsync(string name, UpdateStackCommand command, string actor, CancellationToken cancellationToken)
    {
        var handler = OnUpdate ?? throw new InvalidOperationException("This test does not expect a page to change a stack.");
        Updates.Add((name, command, actor));
        return Task.FromResult(handler(name, command));
    }

    public Task<ServiceResult<UpdatePreview>> PreviewUpdateAsync(string name, UpdateStackCommand command, CancellationToken cancellationToken)
    {
        var handler = OnPreview ?? throw new InvalidOperationException("This test does not expect a page to preview a change.");
        Previews.Add((name, command));
        return Task.FromResult(handler(name, command));
    }

    public Task<ServiceResult<StackChange>> DeleteAsync(string name, TeardownStackCommand command, string actor, CancellationToken cancellationToken)
    {
        var handler = OnDelete ?? throw new InvalidOperationException("This test does not expect a page to tear a stack down.");
        Teardowns.Add((name, command, actor));
        return Task.FromResult(handler(name, command));
    }

    public Task<ServiceResult<string>> ExportAsync(string name, StackExportFormat format, CancellationToken cancellationToken) => Refused<string>();

    public Task<ServiceResult<OperationView>> GetOperationAsync(Guid id, CancellationToken cancellationToken) => Refused<OperationView>();

    public Task<ServiceResult<OperationView>> RetryAsync(Guid id, string actor, CancellationToken cancellationToken) => Refused<OperationView>();

    public Task<ServiceResult<OperationView>> CancelAsync(Guid id, string actor, CancellationToken cancellationToken) => Refused<OperationView>();

    private static Task<ServiceResult<T>> Refused<T>() => throw new InvalidOperationException("The pages under test only read stacks.");
}
