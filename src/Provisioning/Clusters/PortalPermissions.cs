using System.Net;
using k8s.Models;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Clusters;

/// <summary>What the portal must be allowed to do in a cluster, derived from the kinds it writes, and how to ask the cluster.</summary>
/// <remarks>Asked cluster-wide (no namespace): every stack gets a namespace of its own that does not exist yet, so rights
/// granted in one namespace are not enough.</remarks>
internal static class PortalPermissions
{
    /// <summary>Access reviews asked at once; a real API server takes far more, but a test should not look like a flood.</summary>
    private const int Parallelism = 8;

    /// <summary>Server-side apply is a patch; teardown deletes; the live view lists and watches; steps read single objects.</summary>
    private static readonly string[] s_writeVerbs = ["get", "list", "watch", "patch", "delete"];

    /// <summary>Every (verb, group, resource) the portal uses.</summary>
    public static IReadOnlyList<(string Verb, string Group, string Resource)> Needed { get; } = Build();

    /// <summary>The plural resource name of a kind the portal writes (<c>Ingress</c> → <c>ingresses</c>).</summary>
    public static string Plural(string kind)
    {
        var lower = kind.ToLowerInvariant();
        return lower.EndsWith('s') ? lower + "es" : lower + "s";
    }

    /// <summary>Asks the cluster about every needed permission. Throws <see cref="ClusterException"/> when it cannot answer.</summary>
    public static async Task<IReadOnlyList<PermissionCheck>> CheckAsync(ClusterGateway gateway, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(Parallelism);
        var checks = Needed.Select(async need =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var slash = need.Resource.IndexOf('/', StringComparison.Ordinal);
                var attributes = new V1ResourceAttributes
                {
                    Verb = need.Verb,
                    Group = need.Group,
                    Resource = slash < 0 ? need.Resource : need.Resource[..slash],
                    Subresource = slash < 0 ? null : need.Resource[(slash + 1)..],
                };
                return new PermissionCheck(need.Verb, need.Group, need.Resource, await gateway.CanIAsync(attributes, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                gate.Release();
            }
        });
        return await Task.WhenAll(checks).ConfigureAwait(false);
    }

    /// <summary>One sentence about the checks: null when all is allowed.</summary>
    public static string? Summary(IReadOnlyList<PermissionCheck> checks)
    {
        var missing = checks.Where(c => !c.Allowed).Select(c => c.ToString()).ToList();
        return missing.Count == 0
            ? null
            : $"The credentials lack {missing.Count} of the {checks.Count} permissions the portal needs cluster-wide: {string.Join(", ", missing)}. Deploying or tearing down stacks will fail where they are used.";
    }

    /// <summary>Why the permissions could not be checked, from the failure of an access review.</summary>
    public static string Unchecked(ClusterException e) => e.Status switch
    {
        HttpStatusCode.NotFound => "The cluster does not answer access reviews (authorization.k8s.io/v1 SelfSubjectAccessReview), so the portal's permissions could not be checked.",
        HttpStatusCode.Forbidden => "The credentials may not even ask what they are allowed to do (create selfsubjectaccessreviews), so the portal's permissions could not be checked.",
        _ => $"The portal's permissions could not be checked: {e.Message}",
    };

    private static List<(string, string, string)> Build()
    {
        var needed = new List<(string, string, string)>();
        foreach (var resource in new[] { KubeResources.Of("v1", "Namespace") }.Concat(KubeResources.StackKinds))
        {
            var slash = resource.ApiVersion.IndexOf('/', StringComparison.Ordinal);
            var group = slash < 0 ? "" : resource.ApiVersion[..slash];
            needed.AddRange(s_writeVerbs.Select(verb => (verb, group, Plural(resource.Kind))));
        }

        // Generated secrets are created once (never overwritten by apply) and rotated by replacing them.
        needed.Add(("create", "", "secrets"));
        needed.Add(("update", "", "secrets"));

        // Health: pods of workloads and jobs, their logs when a step fails, and events for the why-not-green view.
        needed.AddRange(new[] { "get", "list", "watch" }.Select(verb => (verb, "", "pods")));
        needed.Add(("get", "", "pods/log"));
        needed.Add(("list", "", "events"));
        needed.Add(("watch", "", "events"));

        // A pod's workload is its ReplicaSet's owner; the live view watches ReplicaSets to name it.
        needed.Add(("list", "apps", "replicasets"));
        needed.Add(("watch", "apps", "replicasets"));

        // Preflight: the ingress and storage classes a stack asks for, the namespace's quota.
        needed.Add(("list", "networking.k8s.io", "ingressclasses"));
        needed.Add(("list", "storage.k8s.io", "storageclasses"));
        needed.Add(("list", "", "resourcequotas"));
        return needed;
    }
}
