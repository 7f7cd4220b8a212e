using Portal.Domain.Common;

namespace Portal.Provisioning.Stacks;

/// <summary>Where a connected cluster comes from, which decides whether the portal may rename or remove it.</summary>
public static class ClusterSources
{
    /// <summary>Connected at start from the portal's configuration (<c>Portal:Clusters</c>, or the embedded sandbox): it is
    /// changed there, not in the UI or API.</summary>
    public const string Configuration = "configuration";

    /// <summary>Added in the UI or API from a kubeconfig; the portal keeps it (encrypted) and may rename or remove it.</summary>
    public const string Added = "added";
}

/// <summary>A connected cluster: whether the portal reaches it, what it runs, where it comes from and which stacks use it.</summary>
/// <param name="Message">Why it is not reachable, in one sentence; null when it is.</param>
/// <param name="Source"><see cref="ClusterSources.Configuration"/> or <see cref="ClusterSources.Added"/>.</param>
/// <param name="Stacks">The stacks that live on it (torn-down ones excluded), by name.</param>
/// <param name="Server">The API server URL (without user info or query).</param>
/// <param name="Context">The kubeconfig context an added cluster is reached through.</param>
public sealed record ClusterView(
    string Name,
    bool Reachable,
    string? ServerVersion,
    string? Message,
    string Source = ClusterSources.Configuration,
    IReadOnlyList<string>? Stacks = null,
    string? Server = null,
    string? Context = null,
    string? AddedBy = null,
    DateTimeOffset? AddedAt = null)
{
    /// <summary>Whether the UI and API may rename or remove it (only clusters added there).</summary>
    public bool Managed => Source == ClusterSources.Added;
}

/// <summary>A context of a pasted kubeconfig, as the context picker lists it; <paramref name="Problems"/> say why the portal
/// could not connect through it.</summary>
/// <param name="Server">The cluster's API server URL without any user info or query (never a credential); null when missing.</param>
public sealed record KubeconfigContext(string Name, string Cluster, string? Server, string User, string? Namespace, bool Current, IReadOnlyList<string> Problems);

/// <summary>What a pasted kubeconfig holds and every reason it cannot be used as given.</summary>
/// <param name="Selected">The context the portal would use: the one asked for, else the current-context, else the only one.</param>
/// <param name="Errors">Every problem of the file and of the selected context, each a sentence under <c>kubeconfig</c> or
/// <c>context</c>; empty when the portal can connect through it. No message quotes a credential.</param>
public sealed record KubeconfigInspection(IReadOnlyList<KubeconfigContext> Contexts, string? Selected, IReadOnlyList<ValidationError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>One thing the portal needs to be allowed to do in a cluster, and whether the credentials may.</summary>
/// <param name="Group">The API group; empty for the core group.</param>
/// <param name="Resource">The resource, with a subresource after a slash (<c>pods/log</c>).</param>
public sealed record PermissionCheck(string Verb, string Group, string Resource, bool Allowed)
{
    /// <summary>"delete secrets", "patch deployments.apps": how kubectl names it.</summary>
    public override string ToString() => Group.Length == 0 ? $"{Verb} {Resource}" : $"{Verb} {Resource.Split('/')[0]}.{Group}{Subresource}";

    private string Subresource => Resource.Contains('/', StringComparison.Ordinal) ? Resource[Resource.IndexOf('/', StringComparison.Ordinal)..] : "";
}

/// <summary>The outcome of testing a kubeconfig without connecting it: reachability, server version and permissions.</summary>
/// <param name="Context">The context tested.</param>
/// <param name="Message">Why the cluster is not reachable, in one sentence; null when it is.</param>
/// <param name="Permissions">Every permission the portal needs, each checked with a SelfSubjectAccessReview; empty when
/// the cluster was not reachable or does not answer access reviews.</param>
/// <param name="PermissionsMessage">A sentence about the permissions: what is missing, or why they could not be checked;
/// null when everything the portal needs is allowed.</param>
/// <param name="Contexts">Every context of the kubeconfig, for the picker.</param>
public sealed record ClusterTestResult(
    string Context,
    string? Server,
    bool Reachable,
    string? ServerVersion,
    string? Message,
    IReadOnlyList<PermissionCheck> Permissions,
    string? PermissionsMessage,
    IReadOnlyList<KubeconfigContext> Contexts)
{
    /// <summary>Reachable, and every permission the portal needs is allowed.</summary>
    public bool Ready => Reachable && Permissions.Count > 0 && Permissions.All(p => p.Allowed);
}
