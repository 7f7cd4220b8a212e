using Portal.Domain.Common;
using Portal.Provisioning.Stacks;

namespace Portal.Tests.Fakes;

/// <summary>Connected clusters for pages that only list them; connecting, renaming and removing are refused.</summary>
public sealed class FakeClusterList : IClusterService
{
    public IReadOnlyList<ClusterView> Clusters { get; set; } = [];

    public Task<IReadOnlyList<ClusterView>> ListAsync(CancellationToken cancellationToken) => Task.FromResult(Clusters);

    public Task<ServiceResult<ClusterView>> GetAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult(Clusters.FirstOrDefault(c => c.Name == name) is { } cluster
            ? ServiceResult<ClusterView>.Ok(cluster)
            : ServiceResult<ClusterView>.NotFound($"There is no cluster named {name}."));

    public KubeconfigInspection InspectKubeconfig(string? kubeconfig, string? context) => new([], null, [new ValidationError("kubeconfig", "Not here.")]);

    public Task<ServiceResult<ClusterTestResult>> TestAsync(string? kubeconfig, string? context, CancellationToken cancellationToken) => Refused<ClusterTestResult>();

    public Task<ServiceResult<ClusterView>> ConnectAsync(string? name, string? kubeconfig, string? context, string actor, CancellationToken cancellationToken) => Refused<ClusterView>();

    public Task<ServiceResult<ClusterView>> RenameAsync(string name, string? newName, string actor, CancellationToken cancellationToken) => Refused<ClusterView>();

    public Task<ServiceResult<string>> RemoveAsync(string name, string actor, CancellationToken cancellationToken) => Refused<string>();

    private static Task<ServiceResult<T>> Refused<T>() => throw new InvalidOperationException("The pages under test only list clusters.");
}
