using System.Text.Json.Nodes;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Simulation;

/// <summary>
/// The namespace controller: every namespace gets its "default" ServiceAccount; a deleted namespace stays
/// Terminating while everything in it is deleted, then goes away.
/// </summary>
internal sealed class NamespaceController(SimulationContext sim) : IController
{
    public const string ControllerName = "namespace";

    public string Name => ControllerName;

    public IEnumerable<WorkItem> Interested(StoreEvent change)
    {
        if (change.Object.Type == sim.Registry.Namespaces && change.Type != ChangeType.Deleted)
        {
            yield return SimulationContext.Item(ControllerName, change.Object);
        }
        else if (change.Type == ChangeType.Deleted && change.Object.Type.Namespaced)
        {
            // The last object of a terminating namespace going away lets the namespace finish.
            var owning = sim.Api.Store.Get(sim.Registry.Namespaces, "", change.Object.Namespace);
            if (owning is not null && SimulationContext.Deleting(owning.Node))
            {
                yield return SimulationContext.Item(ControllerName, owning);
            }
        }
        else if (change.Type == ChangeType.Deleted && change.Object.Type == sim.Registry.ServiceAccounts && change.Object.Name == "default")
        {
            yield return SimulationContext.Item(ControllerName, sim.Registry.Namespaces, "", change.Object.Namespace);
        }
    }

    public void Reconcile(WorkItem item)
    {
        var ns = sim.Api.Store.Get(sim.Registry.Namespaces, "", item.Name);
        if (ns is null)
        {
            return;
        }

        if (!SimulationContext.Deleting(ns.Node))
        {
            if (sim.Api.Store.Get(sim.Registry.ServiceAccounts, ns.Name, "default") is null)
            {
                try
                {
                    sim.Api.Create(sim.Registry.ServiceAccounts, ns.Name, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } }, new WriteContext(SandboxManagers.ControllerManager));
                }
                catch (Api.ApiException ex) when (ex.Code == 409)
                {
                    // Created meanwhile.
                }
            }

            return;
        }

        var contents = sim.Api.Store.AllInNamespace(ns.Name);
        foreach (var obj in contents.Where(o => !SimulationContext.Deleting(o.Node)))
        {
            try
            {
                sim.Api.Delete(obj.Type, obj.Namespace, obj.Name, new DeleteRequest(PropagationPolicy: "Background"));
            }
            catch (Api.ApiException ex) when (ex.Code == 404)
            {
                // Garbage-collected meanwhile.
            }
        }

        if (sim.Api.Store.AllInNamespace(ns.Name).Count > 0)
        {
            return;
        }

        lock (sim.Api.Store.Gate)
        {
            if (sim.Api.Store.Get(sim.Registry.Namespaces, "", ns.Name) is { } current && current.Uid == ns.Uid)
            {
                sim.Api.Store.Remove(sim.Registry.Namespaces, "", ns.Name);
            }
        }
    }
}
