using Portal.Domain.Status;

namespace Portal.Provisioning.Live;

/// <summary>The topology of a stack as <c>GET /api/v1/stacks/{name}/topology</c> answers it: one node per component and one edge
/// per relation, with the status words of the Domain in lower case.</summary>
/// <param name="Reachable">False while the cluster's watch cache is not synced; every status is then <c>unknown</c> and says why.</param>
/// <param name="Version">Grows with every change of the stack's live state.</param>
public sealed record TopologyView(
    string Stack,
    string StackStatus,
    string Message,
    string Cluster,
    string Namespace,
    bool Reachable,
    DateTimeOffset ObservedAt,
    long Version,
    IReadOnlyList<TopologyNode> Nodes,
    IReadOnlyList<TopologyEdge> Edges)
{
    /// <summary>The view of a live snapshot.</summary>
    public static TopologyView From(LiveStack live)
    {
        var status = live.Status;
        return new TopologyView(
            live.Stack,
            Word(status.Status),
            status.Message,
            live.Cluster,
            live.Namespace,
            live.Reachable,
            live.ObservedAt,
            live.Version,
            status.Components.Select(c => new TopologyNode(
                c.Component,
                c.Kind,
                Word(c.Status),
                c.Message,
                Word(HealthStatuses.Worst(c.Resources.Select(r => r.Status))),
                c.StaleSecrets.Select(l => l.Sentence).ToList())).ToList(),
            status.Relations.Select(r => new TopologyEdge(
                r.Relation.Requirer.ToString(),
                r.Relation.Provider.ToString(),
                r.Relation.Interface,
                Word(r.Status),
                r.Message)).ToList());
    }

    /// <summary>A Domain status as the API and the page spell it: the enum name in lower case (<c>active</c>, <c>pending</c>…).</summary>
    public static string Word<T>(T status)
        where T : struct, Enum => status.ToString().ToLowerInvariant();
}

/// <summary>A component of the topology.</summary>
/// <param name="Status">The component status: active, maintenance, waiting, unknown, blocked or error.</param>
/// <param name="Message">Why it has that status, in one sentence; empty when there is nothing to say.</param>
/// <param name="Health">The worst health of its Kubernetes objects: healthy, suspended, progressing, missing, degraded or unknown.</param>
/// <param name="StaleSecrets">The secret ledger's flags: each workload of the component still running an older revision of a Secret
/// than the live one, as a sentence; empty when every pod runs the live revisions.</param>
public sealed record TopologyNode(string Component, string Kind, string Status, string Message, string Health, IReadOnlyList<string> StaleSecrets);

/// <summary>A relation of the topology, from the requirer's endpoint to the provider's (<c>component:endpoint</c>).</summary>
/// <param name="Status">The relation status: healthy, pending, broken or unknown.</param>
public sealed record TopologyEdge(string Requirer, string Provider, string Interface, string Status, string Message);
