using Portal.Sandbox.Api;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Simulation;

/// <summary>
/// The garbage collector: dependents whose owners are all gone are deleted (background propagation); an owner
/// deleted in the foreground waits for its dependents; one deleted with Orphan lets them go free.
/// </summary>
internal sealed class GarbageCollector(SimulationContext sim) : IController
{
    public const string ControllerName = "garbage-collector";

    public string Name => ControllerName;

    public IEnumerable<WorkItem> Interested(StoreEvent change)
    {
        var obj = change.Object;
        if (change.Type == ChangeType.Deleted)
        {
            foreach (var dependent in sim.Api.Store.Dependents(obj.Uid))
            {
                yield return SimulationContext.Item(ControllerName, dependent);
            }

            // A foreground-deleting owner waits on this object; look at the owners again.
            foreach (var owner in obj.Node.ArrAt("metadata", "ownerReferences").Objects())
            {
                if (owner.Str("uid") is { } uid && sim.Api.Store.GetByUid(uid) is { } ownerObj && SimulationContext.Deleting(ownerObj.Node))
                {
                    yield return SimulationContext.Item(ControllerName, ownerObj);
                }
            }
        }
        else if (SimulationContext.Deleting(obj.Node)
            && obj.Node.ArrAt("metadata", "finalizers")?.Any(f => f?.GetValue<string>() is ClusterApi.ForegroundFinalizer or ClusterApi.OrphanFinalizer) == true)
        {
            yield return SimulationContext.Item(ControllerName, obj);
        }
        else if (change.Type == ChangeType.Added && obj.Node.ArrAt("metadata", "ownerReferences")?.Count > 0)
        {
            // An object created with owners that are already gone is collected at once.
            yield return SimulationContext.Item(ControllerName, obj);
        }
    }

    public void Reconcile(WorkItem item)
    {
        var type = sim.Registry.FindByKey(item.TypeKey);
        if (type is null)
        {
            return;
        }

        var stored = sim.Api.Store.Get(type, item.Namespace, item.Name);
        if (stored is null)
        {
            return;
        }

        var node = stored.Node;
        var finalizers = node.ArrAt("metadata", "finalizers")?.Select(f => f?.GetValue<string>()).ToList() ?? [];
        if (SimulationContext.Deleting(node) && finalizers.Contains(ClusterApi.OrphanFinalizer))
        {
            foreach (var dependent in sim.Api.Store.Dependents(stored.Uid))
            {
                sim.Api.Mutate(dependent.Type, dependent.Namespace, dependent.Name, d =>
                {
                    var refs = d.ArrAt("metadata", "ownerReferences");
                    var mine = refs?.Objects().FirstOrDefault(r => r.Str("uid") == stored.Uid);
                    if (mine is null)
                    {
                        return false;
                    }

                    refs!.Remove(mine);
                    if (refs.Count == 0)
                    {
                        d.Metadata().Remove("ownerReferences");
                    }

                    return true;
                }, SandboxManagers.ControllerManager);
            }

            sim.Api.RemoveFinalizer(type, stored.Namespace, stored.Name, ClusterApi.OrphanFinalizer, SandboxManagers.ControllerManager);
            return;
        }

        if (SimulationContext.Deleting(node) && finalizers.Contains(ClusterApi.ForegroundFinalizer))
        {
            var dependents = sim.Api.Store.Dependents(stored.Uid);
            foreach (var dependent in dependents.Where(d => !SimulationContext.Deleting(d.Node)))
            {
                TryDelete(dependent, "Foreground");
            }

            if (dependents.Count == 0)
            {
                sim.Api.RemoveFinalizer(type, stored.Namespace, stored.Name, ClusterApi.ForegroundFinalizer, SandboxManagers.ControllerManager);
            }

            return;
        }

        // A dependent: collected when none of its owners exists any more.
        var owners = node.ArrAt("metadata", "ownerReferences").Objects().Select(o => o.Str("uid")).OfType<string>().ToList();
        if (owners.Count > 0 && !SimulationContext.Deleting(node) && owners.All(uid => sim.Api.Store.GetByUid(uid) is null))
        {
            TryDelete(stored, "Background");
        }
    }

    private void TryDelete(StoredObject obj, string policy)
    {
        try
        {
            sim.Api.Delete(obj.Type, obj.Namespace, obj.Name, new DeleteRequest(PropagationPolicy: policy));
        }
        catch (ApiException ex) when (ex.Code == 404)
        {
            // Already gone.
        }
    }
}
