using System.Globalization;
using Microsoft.AspNetCore.Components;
using Portal.Domain.Status.Observation;
using Portal.Shared;

namespace Portal.Features.Topology;

/// <summary>A component's Kubernetes objects as a tree, each with its health and the facts an operator checks first.</summary>
/// <remarks>Secrets show their name and type only; their keys and values never reach the page.</remarks>
public sealed partial class ObjectTreeView
{
    [Parameter, EditorRequired]
    public required IReadOnlyList<ObjectNode> Nodes { get; set; }

    [Parameter, EditorRequired]
    public required DateTimeOffset Now { get; set; }

    /// <summary>The outermost list (carries <c>data-testid="object-tree"</c>).</summary>
    [Parameter]
    public bool Root { get; set; }

    /// <summary>Called with a pod's name when its logs are asked for.</summary>
    [Parameter]
    public EventCallback<string> OnShowLogs { get; set; }

    /// <summary>The pod whose logs are shown.</summary>
    [Parameter]
    public string? LogPod { get; set; }

    private string Facts(ObjectNode node) => node.Object switch
    {
        null => "missing",
        ObservedDeployment d => Join($"{N(d.ReadyReplicas)}/{N(d.DesiredReplicas)} ready", $"{N(d.UpdatedReplicas)} updated", d.Paused ? "paused" : null, Age(d)),
        ObservedReplicaSet rs => Join(rs.Revision is { } r ? $"revision {N(r)}" : null, $"{N(rs.ReadyReplicas)}/{N(rs.DesiredReplicas)} ready", Age(rs)),
        ObservedStatefulSet s => Join($"{N(s.ReadyReplicas)}/{N(s.DesiredReplicas)} ready",
            s.CurrentRevision != s.UpdateRevision ? $"rolling to {s.UpdateRevision}" : null, Age(s)),
        ObservedPod p => Join(
            PhaseOf(p),
            $"{N(p.Containers.Count(c => c.Ready))}/{N(p.Containers.Count)} ready",
            $"{N(p.RestartCount)} restart{(p.RestartCount == 1 ? "" : "s")}",
            $"age {TimeFormat.Age(p.StartedAt ?? p.CreatedAt, Now)}",
            p.NodeName is { } n ? $"on {n}" : null),
        ObservedJob j => Join(j.IsComplete ? "complete" : j.IsFailed ? "failed" : j.Active > 0 ? "running" : "pending",
            $"{N(j.Succeeded)} succeeded", j.Failed > 0 ? $"{N(j.Failed)} failed" : null, Age(j)),
        ObservedService s => Join(s.Type.ToString(), s.ClusterIP, s.Ports.Count > 0 ? "port " + string.Join(", ", s.Ports.Select(N)) : null),
        ObservedIngress i => Join(string.Join(", ", i.Hosts), i.LoadBalancerAddresses.Count > 0 ? "→ " + string.Join(", ", i.LoadBalancerAddresses) : "no address yet",
            i.TlsSecretNames.Count > 0 ? "TLS" : null),
        ObservedSecret s => Join(s.Type, s.Revision is { } r ? $"revision {N(r)}" : null),
        ObservedPersistentVolumeClaim c => Join(c.Phase.ToString(), c.StorageClassName, c.RequestedStorage),
        ObservedConfigMap m => $"{N(m.KeyNames.Count)} keys",
        _ => "",
    };

    // The phase, and for a container that waits or crashed, the reason kubectl would show instead.
    private static string PhaseOf(ObservedPod pod) =>
        pod.Containers.FirstOrDefault(c => c.WaitingReason is not null)?.WaitingReason
        ?? pod.Containers.FirstOrDefault(c => c.TerminatedReason is not null && pod.Phase == PodPhase.Running)?.TerminatedReason
        ?? pod.Reason
        ?? pod.Phase.ToString();

    private string Age(ObservedObject o) => $"age {TimeFormat.Age(o.CreatedAt, Now)}";

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Join(params string?[] parts) => string.Join(" · ", parts.Where(p => !string.IsNullOrEmpty(p)));
}
