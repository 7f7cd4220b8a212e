using Portal.Provisioning.Stacks;

namespace Portal.Tests.Fakes;

/// <summary>The stack service as the wizard and the progress view use it: creating a stack records the command and starts an
/// operation; operations are read from <see cref="Operations"/>; retry and cancel record who asked and answer what the test set.</summary>
public sealed class OperationsStackService : IStackService
{
    public static readonly Guid StartedOperation = Guid.Parse("6a1c1f1e-0000-4000-8000-000000000001");

    public List<(CreateStackCommand Command, string Actor)> Created { get; } = [];

    public ServiceResult<StackChange>? CreateAnswer { get; set; }

    public Dictionary<Guid, OperationView> Operations { get; } = [];

    public List<(Guid Id, string Actor)> Retried { get; } = [];

    public List<(Guid Id, string Actor)> Cancelled { get; } = [];

    /// <summary>What retry and cancel answer; by default the operation as it is.</summary>
    public Func<Guid, ServiceResult<OperationView>>? ActionAnswer { get; set; }

    public int GetOperationCalls { get; private set; }

    public Task<IReadOnlyList<StackSummary>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<StackSummary>>([]);

    public Task<ServiceResult<StackView>> GetAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(ServiceResult<StackView>.NotFound($"There is no stack named {name}."));

    public Task<ServiceResult<StackChange>> CreateAsync(CreateStackCommand command, string actor, CancellationToken cancellationToken)
    {
        Created.Add((command, actor));
        var now = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        var view = new StackView(command.Name!, command.Blueprint!, command.Cluster!, command.Namespace!, false, [], [], null, null, now, now);
        return Task.FromResult(CreateAnswer ?? ServiceResult<StackChange>.Ok(new StackChange(view, StartedOperation, "deploys 10 components")));
    }

    public Task<ServiceResult<StackChange>> UpdateAsync(string name, UpdateStackCommand command, string actor, CancellationToken cancellationToken) => Refused<StackChange>();

    public Task<ServiceResult<UpdatePreview>> PreviewUpdateAsync(string name, UpdateStackCommand command, CancellationToken cancellationToken) => Refused<UpdatePreview>();

    public Task<ServiceResult<StackChange>> DeleteAsync(string name, TeardownStackCommand command, string actor, CancellationToken cancellationToken) => Refused<StackChange>();

    public Task<ServiceResult<string>> ExportAsync(string name, StackExportFormat format, CancellationToken cancellationToken) => Refused<string>();

    public Task<IReadOnlyList<OperationView>> ListOperationsAsync(string stack, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<OperationView>>(Operations.Values.Where(o => o.Stack == stack).Take(limit).ToList());

    public Task<ServiceResult<OperationView>> GetOperationAsync(Guid id, CancellationToken cancellationToken)
    {
        GetOperationCalls++;
        return Task.FromResult(Operations.TryGetValue(id, out var operation)
            ? ServiceResult<OperationView>.Ok(operation)
            : ServiceResult<OperationView>.NotFound($"There is no operation {id}."));
    }

    public Task<ServiceResult<OperationView>> RetryAsync(Guid id, string actor, CancellationToken cancellationToken)
    {
        Retried.Add((id, actor));
        return Task.FromResult(ActionAnswer?.Invoke(id) ?? ServiceResult<OperationView>.Ok(Operations[id]));
    }

    public Task<ServiceResult<OperationView>> CancelAsync(Guid id, string actor, CancellationToken cancellationToken)
    {
        Cancelled.Add((id, actor));
        return Task.FromResult(ActionAnswer?.Invoke(id) ?? ServiceResult<OperationView>.Ok(Operations[id]));
    }

    private static Task<ServiceResult<T>> Refused<T>() => throw new InvalidOperationException("The wizard and the progress view do not change stacks this way.");
}
