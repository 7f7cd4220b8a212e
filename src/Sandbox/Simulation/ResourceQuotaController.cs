using System.Text.Json.Nodes;
using Portal.Sandbox.Api;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Simulation;

/// <summary>
/// The resource quota controller: every ResourceQuota's status reports <c>hard</c> (its spec) and <c>used</c>, recomputed
/// whenever a pod, claim or counted object of its namespace changes. Pods count while not finished: their requests and limits
/// (the larger of the containers' sum and any init container, as the scheduler sees it); claims count their storage requests.
/// </summary>
/// <remarks>Like the real controller this only reports; unlike the real API server, the sandbox does not refuse a create that
/// would go over a quota (see README, "Known differences").</remarks>
internal sealed class ResourceQuotaController(SimulationContext sim) : IController
{
    public const string ControllerName = "resourcequota";

    private static readonly Dictionary<string, string> s_countedByPlural = new(StringComparer.Ordinal)
    {
        ["services"] = "core/services",
        ["secrets"] = "core/secrets",
        ["configmaps"] = "core/configmaps",
        ["persistentvolumeclaims"] = "core/persistentvolumeclaims",
        ["pods"] = "core/pods",
    };

    public string Name => ControllerName;

    public IEnumerable<WorkItem> Interested(StoreEvent change)
    {
        var obj = change.Object;
        if (obj.Type == sim.Registry.ResourceQuotas)
        {
            if (change.Type != ChangeType.Deleted)
            {
                yield return SimulationContext.Item(ControllerName, obj);
            }

            yield break;
        }

        if (!obj.Type.Namespaced || obj.Type == sim.Registry.Events)
        {
            yield break;
        }

        foreach (var quota in sim.Api.Store.List(sim.Registry.ResourceQuotas, obj.Namespace).Items)
        {
            yield return SimulationContext.Item(ControllerName, quota);
        }
    }

    public void Reconcile(WorkItem item)
    {
        var quota = sim.Api.Store.Get(sim.Registry.ResourceQuotas, item.Namespace, item.Name);
        if (quota is null || SimulationContext.Deleting(quota.Node))
        {
            return;
        }

        var hard = quota.Node.ObjAt("spec", "hard") ?? [];
        var used = new JsonObject();
        foreach (var (resource, _) in hard)
        {
            used[resource] = Quantities.Format(Usage(item.Namespace, resource));
        }

        var status = new JsonObject { ["hard"] = hard.DeepClone(), ["used"] = used };
        sim.Api.Mutate(sim.Registry.ResourceQuotas, item.Namespace, item.Name, q =>
        {
            if (Json.Same(q["status"], status))
            {
                return false;
            }

            q["status"] = status.DeepClone();
            return true;
        }, SandboxManagers.ControllerManager, "status");
    }

    private decimal Usage(string ns, string resource)
    {
        var pods = sim.Api.Store.List(sim.Registry.Pods, ns).Items
            .Where(p => !SimulationContext.IsPodTerminal(p.Node) && !SimulationContext.Deleting(p.Node))
            .Select(p => p.Node)
            .ToList();
        switch (resource)
        {
            case "pods":
            case "count/pods":
                return pods.Count;
            case "cpu":
            case "requests.cpu":
                return pods.Sum(p => PodAmount(p, "requests", "cpu"));
            case "memory":
            case "requests.memory":
                return pods.Sum(p => PodAmount(p, "requests", "memory"));
            case "limits.cpu":
                return pods.Sum(p => PodAmount(p, "limits", "cpu"));
            case "limits.memory":
                return pods.Sum(p => PodAmount(p, "limits", "memory"));
            case "requests.storage":
                return sim.Api.Store.List(sim.Registry.PersistentVolumeClaims, ns).Items
                    .Sum(c => Quantities.Parse(c.Node.Str("spec", "resources", "requests", "storage")) ?? 0);
        }

        // Object counts: "services" or "count/services", "count/deployments.apps".
        var plural = resource.StartsWith("count/", StringComparison.Ordinal) ? resource["count/".Length..] : resource;
        var key = s_countedByPlural.TryGetValue(plural, out var core)
            ? core
            : plural.Contains('.', StringComparison.Ordinal) ? $"{plural[(plural.IndexOf('.', StringComparison.Ordinal) + 1)..]}/{plural[..plural.IndexOf('.', StringComparison.Ordinal)]}" : $"core/{plural}";
        return sim.Registry.FindByKey(key) is { Namespaced: true } type ? sim.Api.Store.List(type, ns).Items.Count : 0;
    }

    /// <summary>A pod's effective request or limit of one resource: the containers' sum, or an init container's if larger.</summary>
    private static decimal PodAmount(JsonObject pod, string kind, string resource)
    {
        static decimal Of(JsonObject container, string kind, string resource) =>
            Quantities.Parse(container.Str("resources", kind, resource))
            ?? (kind == "requests" ? Quantities.Parse(container.Str("resources", "limits", resource)) ?? 0 : 0);

        var containers = pod.ArrAt("spec", "containers").Objects().Sum(c => Of(c, kind, resource));
        var init = pod.ArrAt("spec", "initContainers").Objects().Select(c => Of(c, kind, resource)).DefaultIfEmpty(0).Max();
        return Math.Max(containers, init);
    }
}
