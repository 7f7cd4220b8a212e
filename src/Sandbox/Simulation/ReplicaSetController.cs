using Portal.Sandbox.Api;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Simulation;

/// <summary>Keeps spec.replicas pods per ReplicaSet and reports replicas, ready and available in its status.</summary>
internal sealed class ReplicaSetController(SimulationContext sim) : IController
{
    public const string ControllerName = "replicaset";

    public string Name => ControllerName;

    public IEnumerable<WorkItem> Interested(StoreEvent change)
    {
        if (change.Object.Type == sim.Registry.ReplicaSets && change.Type != ChangeType.Deleted)
        {
            yield return SimulationContext.Item(ControllerName, change.Object);
        }
        else if (change.Object.Type == sim.Registry.Pods && SimulationContext.ControllerRef(change.Object.Node, "ReplicaSet") is { } owner)
        {
            yield return SimulationContext.Item(ControllerName, sim.Registry.ReplicaSets, change.Object.Namespace, owner.Str("name") ?? "");
        }
    }

    public void Reconcile(WorkItem item)
    {
        var rs = sim.Api.Store.Get(sim.Registry.ReplicaSets, item.Namespace, item.Name);
        if (rs is null || SimulationContext.Deleting(rs.Node))
        {
            return;
        }

        var node = rs.Node;
        var desired = (int)(node.Long("spec", "replicas") ?? 1);
        var minReady = node.Long("spec", "minReadySeconds") ?? 0;
        var pods = sim.Api.Store.Dependents(rs.Uid)
            .Where(p => p.Type == sim.Registry.Pods && !SimulationContext.Deleting(p.Node) && !SimulationContext.IsPodTerminal(p.Node))
            .ToList();
        if (pods.Count < desired)
        {
            var template = node.ObjAt("spec", "template") ?? [];
            for (var i = pods.Count; i < desired; i++)
            {
                string name;
                do
                {
                    name = $"{rs.Name}-{sim.Api.Identity.Suffix()}";
                }
                while (sim.Api.Store.Get(sim.Registry.Pods, rs.Namespace, name) is not null);

                var created = sim.Api.Create(sim.Registry.Pods, rs.Namespace, SimulationContext.PodFromTemplate(template, node, name), new WriteContext(SandboxManagers.ControllerManager));
                pods.Add(created);
                sim.Event(node, "Normal", "SuccessfulCreate", $"Created pod: {name}", "replicaset-controller");
            }
        }
        else if (pods.Count > desired)
        {
            // The real controller deletes the least useful pods first: unscheduled, then not ready, then the newest.
            var doomed = pods
                .OrderBy(p => p.Node.Str("spec", "nodeName") is null ? 0 : 1)
                .ThenBy(p => SimulationContext.IsPodReady(p.Node) ? 1 : 0)
                .ThenByDescending(p => p.Node.Str("metadata", "creationTimestamp"), StringComparer.Ordinal)
                .ThenByDescending(p => p.Name, StringComparer.Ordinal)
                .Take(pods.Count - desired)
                .ToList();
            foreach (var pod in doomed)
            {
                try
                {
                    sim.Api.Delete(sim.Registry.Pods, pod.Namespace, pod.Name, new DeleteRequest());
                    sim.Event(node, "Normal", "SuccessfulDelete", $"Deleted pod: {pod.Name}", "replicaset-controller");
                }
                catch (ApiException ex) when (ex.Code == 404)
                {
                    // Already gone.
                }

                pods.Remove(pod);
            }
        }

        var ready = pods.Count(p => SimulationContext.IsPodReady(p.Node));
        var available = pods.Count(p => sim.IsPodAvailable(p.Node, minReady));
        if (available < ready)
        {
            foreach (var pod in pods.Where(p => SimulationContext.IsPodReady(p.Node) && !sim.IsPodAvailable(p.Node, minReady)))
            {
                if (Json.ParseTime(SimulationContext.Condition(pod.Node, "Ready")?.Str("lastTransitionTime")) is { } since)
                {
                    sim.Simulator.At(since.AddSeconds(minReady), item);
                }
            }
        }

        var fullyLabeled = pods.Count(p => LabelSelector.FromObject(node.ObjAt("spec", "selector")).Matches(p.Node.Labels()));
        sim.Api.Mutate(sim.Registry.ReplicaSets, rs.Namespace, rs.Name, r =>
        {
            var status = r.Child("status");
            status["replicas"] = pods.Count;
            status["fullyLabeledReplicas"] = fullyLabeled;
            status["readyReplicas"] = ready;
            status["availableReplicas"] = available;
            status["observedGeneration"] = r.Long("metadata", "generation") ?? 1;
            return true;
        }, SandboxManagers.ControllerManager, "status");
    }
}
