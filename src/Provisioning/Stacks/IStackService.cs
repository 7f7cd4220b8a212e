namespace Portal.Provisioning.Stacks;

/// <summary>What an operator can do with stacks and their operations: the one door the REST API and the UI use.</summary>
/// <remarks>Every mutating call validates first (listing every problem), allows one operation per stack at a time, saves the
/// stack, its operation and an audit entry in one transaction, and only then hands the due steps to the job queue; a
/// refused request changes nothing but the audit log. <c>actor</c> is who asked, as authentication named them.</remarks>
public interface IStackService
{
    Task<IReadOnlyList<StackSummary>> ListAsync(CancellationToken cancellationToken);

    Task<ServiceResult<StackView>> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Validates the stack, stores its secret inputs in the cluster, saves it and starts its Deploy operation.</summary>
    Task<ServiceResult<StackChange>> CreateAsync(CreateStackCommand command, string actor, CancellationToken cancellationToken);

    /// <summary>Merges the given options (and, when given, the new relation list) into the stored spec and starts a Reconfigure
    /// of what changed; no operation when nothing changed.</summary>
    Task<ServiceResult<StackChange>> UpdateAsync(string name, UpdateStackCommand command, string actor, CancellationToken cancellationToken);

    /// <summary>What <see cref="UpdateAsync"/> would do with the same command: the options and relations that change (secrets
    /// masked), the Reconfigure plan with what rolls and why, or that nothing would change. Saves nothing, stores no secret and
    /// writes no audit entry; invalid and busy are reported as the update would report them.</summary>
    Task<ServiceResult<UpdatePreview>> PreviewUpdateAsync(string name, UpdateStackCommand command, CancellationToken cancellationToken);

    /// <summary>Starts the Teardown of the stack; volumes, databases and the namespace are kept unless asked.</summary>
    Task<ServiceResult<StackChange>> DeleteAsync(string name, TeardownStackCommand command, string actor, CancellationToken cancellationToken);

    /// <summary>The stack as another tool takes it: the objects it renders to as multi-document YAML, or a Juju bundle; no
    /// secret value is ever in either.</summary>
    Task<ServiceResult<string>> ExportAsync(string name, StackExportFormat format, CancellationToken cancellationToken);

    Task<ServiceResult<OperationView>> GetOperationAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>The stack's most recent operations with their steps, newest first, at most <paramref name="limit"/>; none for a
    /// stack the portal does not know.</summary>
    Task<IReadOnlyList<OperationView>> ListOperationsAsync(string stack, int limit, CancellationToken cancellationToken);

    /// <summary>Resumes a failed or cancelled operation from its failed steps (only the stack's latest operation).</summary>
    Task<ServiceResult<OperationView>> RetryAsync(Guid id, string actor, CancellationToken cancellationToken);

    /// <summary>Stops an operation: nothing new starts, running steps finish.</summary>
    Task<ServiceResult<OperationView>> CancelAsync(Guid id, string actor, CancellationToken cancellationToken);
}

/// <summary>The clusters the portal is connected to: reachability, server version, where each comes from and which stacks use
/// it; testing a kubeconfig, connecting, renaming and removing a cluster.</summary>
/// <remarks>Clusters from the portal's configuration (<see cref="ClusterSources.Configuration"/>) cannot be renamed or removed
/// here (conflict). Every connect, rename and remove, refused or not, is written to the audit log; a kubeconfig never is, and
/// no answer or message quotes one.</remarks>
public interface IClusterService
{
    /// <summary>Every cluster the portal knows (connected, or remembered but not connectable), each asked for its server
    /// version with a short timeout.</summary>
    Task<IReadOnlyList<ClusterView>> ListAsync(CancellationToken cancellationToken);

    Task<ServiceResult<ClusterView>> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Parses a kubeconfig and lists its contexts (with their server URLs) and every problem of it and of the selected
    /// context; nothing is contacted or saved.</summary>
    KubeconfigInspection InspectKubeconfig(string? kubeconfig, string? context);

    /// <summary>Validates a kubeconfig and tests it without saving anything: the server version and, through access reviews,
    /// whether the credentials may do everything the portal needs. An unreachable cluster is a result, not a failure.</summary>
    Task<ServiceResult<ClusterTestResult>> TestAsync(string? kubeconfig, string? context, CancellationToken cancellationToken);

    /// <summary>Connects a new cluster from a kubeconfig (and context) and remembers it, the kubeconfig encrypted; the kubeconfig is
    /// never shown again. A name already connected is refused (conflict).</summary>
    Task<ServiceResult<ClusterView>> ConnectAsync(string? name, string? kubeconfig, string? context, string actor, CancellationToken cancellationToken);

    /// <summary>Renames an added cluster. Refused (conflict) for a cluster from configuration, a name in use, or while stacks
    /// live on the cluster (their specs and operations name it).</summary>
    Task<ServiceResult<ClusterView>> RenameAsync(string name, string? newName, string actor, CancellationToken cancellationToken);

    /// <summary>Disconnects an added cluster and forgets its kubeconfig; nothing in the cluster is touched. Refused (conflict) for
    /// a cluster from configuration or while stacks live on it, naming them.</summary>
    Task<ServiceResult<string>> RemoveAsync(string name, string actor, CancellationToken cancellationToken);
}
