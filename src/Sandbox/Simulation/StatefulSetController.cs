using System.Globalization;
using System.Text.Json.Nodes;
using Portal.Sandbox.Api;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Simulation;

/// <summary>
/// The StatefulSet controller: pods named by ordinal (web-0, web-1…) created in order and only once the previous one
/// is ready (OrderedReady) or all at once (Parallel), a PVC per volumeClaimTemplate and ordinal, scale-down from the
/// highest ordinal, and rolling updates from the highest ordinal down, one pod at a time.
/// </summary>
internal sealed class StatefulSetController(SimulationContext sim) : IController
{
    public const string ControllerName = "statefulset";
    private const string RevisionLabel = "controller-revision-hash";

    public string Name => ControllerName;

    public IEnumerable<WorkItem> Interested(StoreEvent change)
    {
        if (change.Object.Type == sim.Registry.StatefulSets && change.Type != ChangeType.Deleted)
        {
            yield return SimulationContext.Item(ControllerName, change.Object);
        }
        else if (change.Object.Type == sim.Registry.Pods && SimulationContext.ControllerRef(change.Object.Node, "StatefulSet") is { } owner)
        {
            yield return SimulationContext.Item(ControllerName, sim.Registry.StatefulSets, change.Object.Namespace, owner.Str("name") ?? "");
        }
    }

    public void Reconcile(WorkItem item)
    {
        var stored = sim.Api.Store.Get(sim.Registry.StatefulSets, item.Namespace, item.Name);
        if (stored is null || SimulationContext.Deleting(stored.Node))
        {
            return;
        }

        var sts = stored.Node;
        var replicas = (int)(sts.Long("spec", "replicas") ?? 1);
        var parallel = sts.Str("spec", "podManagementPolicy") == "Parallel";
        var onDelete = sts.Str("spec", "updateStrategy", "type") == "OnDelete";
        var partition = (int)(sts.Long("spec", "updateStrategy", "rollingUpdate", "partition") ?? 0);
        var template = sts.ObjAt("spec", "template") ?? [];
        var updateRevision = $"{stored.Name}-{SimulationContext.TemplateHash(template, RevisionLabel)}";
        var currentRevision = sts.Str("status", "currentRevision") ?? updateRevision;
        var pods = sim.Api.Store.Dependents(stored.Uid)
            .Where(p => p.Type == sim.Registry.Pods)
            .Select(p => (Pod: p, Ordinal: Ordinal(stored.Name, p.Name)))
            .Where(p => p.Ordinal >= 0)
            .ToDictionary(p => p.Ordinal, p => p.Pod);

        bool Healthy(StoredObject pod) => !SimulationContext.Deleting(pod.Node) && SimulationContext.IsPodReady(pod.Node);

        for (var ordinal = 0; ordinal < replicas; ordinal++)
        {
            if (!pods.TryGetValue(ordinal, out var pod))
            {
                EnsureClaims(stored, ordinal);
                // The sandbox keeps no ControllerRevisions, so a re-created pod always gets the current template.
                pods[ordinal] = CreatePod(stored, ordinal, template, updateRevision);
                if (!parallel)
                {
                    break;
                }

                continue;
            }

            if (SimulationContext.IsPodTerminal(pod.Node) && !SimulationContext.Deleting(pod.Node))
            {
                // A failed or finished stateful pod is replaced under the same name.
                sim.Api.Delete(sim.Registry.Pods, pod.Namespace, pod.Name, new DeleteRequest(GracePeriodSeconds: 0));
                break;
            }

            if (!parallel && !Healthy(pod))
            {
                break;
            }
        }

        var extra = pods.Where(p => p.Key >= replicas).OrderByDescending(p => p.Key).ToList();
        if (extra.Count > 0)
        {
            var allHealthy = pods.Where(p => p.Key < replicas).All(p => Healthy(p.Value));
            foreach (var (ordinal, pod) in parallel ? extra : extra.Take(1))
            {
                if (!SimulationContext.Deleting(pod.Node) && (parallel || allHealthy))
                {
                    DeletePod(sts, pod);
                }
            }
        }
        else if (!onDelete)
        {
            // Rolling update: the highest ordinal still on the old revision goes first, once everything is ready.
            var inRange = pods.Where(p => p.Key < replicas).ToList();
            if (inRange.Count == replicas && inRange.All(p => Healthy(p.Value)))
            {
                var stale = inRange.Where(p => p.Key >= partition && p.Value.Node.Str("metadata", "labels", RevisionLabel) != updateRevision)
                    .OrderByDescending(p => p.Key).FirstOrDefault();
                if (stale.Value is not null)
                {
                    DeletePod(sts, stale.Value);
                }
            }
        }

        var live = sim.Api.Store.Dependents(stored.Uid).Where(p => p.Type == sim.Registry.Pods && !SimulationContext.Deleting(p.Node)).ToList();
        var ready = live.Count(p => SimulationContext.IsPodReady(p.Node));
        var updated = live.Count(p => p.Node.Str("metadata", "labels", RevisionLabel) == updateRevision);
        var current = live.Count(p => p.Node.Str("metadata", "labels", RevisionLabel) == currentRevision);
        var rolledOut = updated == replicas && ready == replicas && live.Count == replicas;
        sim.Api.Mutate(sim.Registry.StatefulSets, stored.Namespace, stored.Name, s =>
        {
            var status = s.Child("status");
            status["observedGeneration"] = s.Long("metadata", "generation") ?? 1;
            status["replicas"] = live.Count;
            status["readyReplicas"] = ready;
            status["availableReplicas"] = ready;
            status["currentRevision"] = rolledOut ? updateRevision : currentRevision;
            status["updateRevision"] = updateRevision;
            status["currentReplicas"] = rolledOut ? updated : current;
            status["updatedReplicas"] = updated;
            status["collisionCount"] = 0;
            foreach (var zeroField in (string[])["readyReplicas", "currentReplicas", "updatedReplicas"])
            {
                if (status.Long(zeroField) == 0)
                {
                    status.Remove(zeroField);
                }
            }

            return true;
        }, SandboxManagers.ControllerManager, "status");
    }

    private StoredObject CreatePod(StoredObject sts, int ordinal, JsonObject template, string revision)
    {
        var name = $"{sts.Name}-{ordinal}";
        var pod = SimulationContext.PodFromTemplate(template, sts.Node, name);
        var labels = pod.Metadata().Child("labels");
        labels[RevisionLabel] = revision;
        labels["statefulset.kubernetes.io/pod-name"] = name;
        labels["apps.kubernetes.io/pod-index"] = ordinal.ToString(CultureInfo.InvariantCulture);
        var spec = pod.Child("spec");
        spec["hostname"] = name;
        if (sts.Node.Str("spec", "serviceName") is { Length: > 0 } service)
        {
            spec["subdomain"] = service;
        }

        var volumes = spec.ChildArray("volumes");
        foreach (var claim in sts.Node.ArrAt("spec", "volumeClaimTemplates").Objects())
        {
            var claimName = claim.Name();
            var existing = volumes.Objects().FirstOrDefault(v => v.Str("name") == claimName);
            if (existing is not null)
            {
                volumes.Remove(existing);
            }

            volumes.Add(new JsonObject { ["name"] = claimName, ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = $"{claimName}-{sts.Name}-{ordinal}" } });
        }

        if (volumes.Count == 0)
        {
            spec.Remove("volumes");
        }

        var created = sim.Api.Create(sim.Registry.Pods, sts.Namespace, pod, new WriteContext(SandboxManagers.ControllerManager));
        sim.Event(sts.Node, "Normal", "SuccessfulCreate", $"create Pod {name} in StatefulSet {sts.Name} successful", "statefulset-controller");
        return created;
    }

    private void EnsureClaims(StoredObject sts, int ordinal)
    {
        foreach (var template in sts.Node.ArrAt("spec", "volumeClaimTemplates").Objects())
        {
            var name = $"{template.Name()}-{sts.Name}-{ordinal}";
            if (sim.Api.Store.Get(sim.Registry.PersistentVolumeClaims, sts.Namespace, name) is not null)
            {
                continue;
            }

            var claim = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["labels"] = sts.Node.ObjAt("spec", "selector", "matchLabels")?.DeepClone() ?? new JsonObject(),
                },
                ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
            };
            sim.Api.Create(sim.Registry.PersistentVolumeClaims, sts.Namespace, claim, new WriteContext(SandboxManagers.ControllerManager));
            sim.Event(sts.Node, "Normal", "SuccessfulCreate", $"create Claim {name} Pod {sts.Name}-{ordinal} in StatefulSet {sts.Name} success", "statefulset-controller");
        }
    }

    private void DeletePod(JsonObject sts, StoredObject pod)
    {
        try
        {
            sim.Api.Delete(sim.Registry.Pods, pod.Namespace, pod.Name, new DeleteRequest());
            sim.Event(sts, "Normal", "SuccessfulDelete", $"delete Pod {pod.Name} in StatefulSet {sts.Name()} successful", "statefulset-controller");
        }
        catch (ApiException ex) when (ex.Code == 404)
        {
            // Gone already.
        }
    }

    private static int Ordinal(string setName, string podName) =>
        podName.StartsWith(setName + "-", StringComparison.Ordinal) && int.TryParse(podName[(setName.Length + 1)..], CultureInfo.InvariantCulture, out var ordinal) ? ordinal : -1;
}
