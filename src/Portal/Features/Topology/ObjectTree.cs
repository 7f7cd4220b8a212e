using Portal.Domain.Status;
using Portal.Domain.Status.Observation;

namespace Portal.Features.Topology;

/// <summary>One Kubernetes object of a component with its health and the objects it owns; <see cref="Object"/> is null for an
/// expected object that is missing.</summary>
public sealed record ObjectNode(ObjectRef Ref, ObservedObject? Object, ResourceHealth? Health, IReadOnlyList<ObjectNode> Children)
{
    public bool IsMissing => Object is null;

    public IEnumerable<ObjectNode> SelfAndDescendants() => Children.SelectMany(c => c.SelfAndDescendants()).Prepend(this);
}

/// <summary>A component's objects as Argo CD shows a resource tree: Deployment → ReplicaSet → Pods, StatefulSet → Pods and
/// claims, Job → Pods, then Services, Ingresses, claims, ConfigMaps and Secrets, each with the health the Domain gave it; what is not healthy comes first.</summary>
public static class ObjectTree
{
    private static readonly string[] RootOrder =
    [
        ObjectKinds.Deployment, ObjectKinds.StatefulSet, ObjectKinds.Job, ObjectKinds.Service, ObjectKinds.Ingress,
        ObjectKinds.PersistentVolumeClaim, ObjectKinds.ConfigMap, ObjectKinds.Secret, ObjectKinds.ReplicaSet, ObjectKinds.Pod,
    ];

    public static IReadOnlyList<ObjectNode> Build(ComponentState state, StackObservation observation)
    {
        var health = state.Resources.GroupBy(r => r.Resource).ToDictionary(g => g.Key, g => g.First());
        var objects = observation.ForComponent(state.Component).ToList();
        foreach (var resource in state.Resources)
        {
            if (observation.Find(resource.Resource) is { } found && !objects.Contains(found))
            {
                objects.Add(found);
            }
        }

        var placed = new HashSet<ObjectRef>();
        ObjectNode Node(ObservedObject o)
        {
            placed.Add(o.Ref);
            var children = o switch
            {
                ObservedDeployment => observation.OwnedBy(o).OfType<ObservedReplicaSet>()
                    .OrderByDescending(rs => rs.Revision ?? 0).ThenBy(rs => rs.Name, StringComparer.Ordinal).Select(Node).ToList(),
                ObservedReplicaSet or ObservedJob => observation.OwnedBy(o).OfType<ObservedPod>()
                    .OrderBy(p => p.Name, StringComparer.Ordinal).Select(Node).ToList(),
                ObservedStatefulSet set => observation.OwnedBy(o).OfType<ObservedPod>().OrderBy(p => p.Name, StringComparer.Ordinal).Cast<ObservedObject>()
                    .Concat(observation.ClaimsOf(set).OrderBy(c => c.Name, StringComparer.Ordinal)).Select(Node).ToList(),
                _ => [],
            };
            return new ObjectNode(o.Ref, o, health.GetValueOrDefault(o.Ref), children);
        }

        // Owners first, so that what they own is placed under them and not again as a root.
        var roots = new List<ObjectNode>();
        foreach (var owner in objects.Where(o => o is ObservedDeployment or ObservedStatefulSet or ObservedJob).OrderBy(o => o.Name, StringComparer.Ordinal))
        {
            roots.Add(Node(owner));
        }

        foreach (var other in objects.Where(o => !placed.Contains(o.Ref)).OrderBy(o => o.Name, StringComparer.Ordinal).ToList())
        {
            if (!placed.Contains(other.Ref))
            {
                roots.Add(Node(other));
            }
        }

        roots.AddRange(health.Values.Where(h => !placed.Contains(h.Resource)).Select(h => new ObjectNode(h.Resource, null, h, [])));
        // Trouble first: an operator opens the drawer to find what is wrong, not to read the healthy objects.
        return roots
            .OrderBy(n => n.SelfAndDescendants().All(d => d.Health is null or { IsHealthy: true }) ? 1 : 0)
            .ThenBy(n => Order(n.Ref.Kind))
            .ThenBy(n => n.Ref.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The most recent events about any object of the tree, newest first.</summary>
    public static IReadOnlyList<ObservedEvent> Events(IEnumerable<ObjectNode> roots, StackObservation observation, int max) =>
        roots.SelectMany(r => r.SelfAndDescendants())
            .Select(n => n.Object)
            .OfType<ObservedObject>()
            .SelectMany(observation.EventsFor)
            .Distinct()
            .OrderByDescending(e => e.When)
            .Take(max)
            .ToList();

    public static IReadOnlyList<ObservedPod> Pods(IEnumerable<ObjectNode> roots) =>
        roots.SelectMany(r => r.SelfAndDescendants()).Select(n => n.Object).OfType<ObservedPod>().ToList();

    private static int Order(string kind)
    {
        var index = Array.IndexOf(RootOrder, kind);
        return index < 0 ? RootOrder.Length : index;
    }
}
