using System.Text.Json.Nodes;
using Portal.Sandbox.Api;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Simulation;

/// <summary>
/// Services and Ingresses: Endpoints follow the pods a Service selects (ready ones as addresses, others as
/// notReadyAddresses); LoadBalancer Services and Ingresses get an address after a delay, or never when the
/// sandbox reproduces bare metal.
/// </summary>
internal sealed class NetworkController(SimulationContext sim) : IController
{
    public const string ControllerName = "network";

    public string Name => ControllerName;

    public IEnumerable<WorkItem> Interested(StoreEvent change)
    {
        var obj = change.Object;
        if (obj.Type == sim.Registry.Services)
        {
            if (change.Type == ChangeType.Deleted)
            {
                sim.Api.Admission.ReleaseClusterIp(obj.Node.Str("spec", "clusterIP"));
            }

            yield return SimulationContext.Item(ControllerName, obj);
        }
        else if (obj.Type == sim.Registry.Ingresses && change.Type != ChangeType.Deleted)
        {
            yield return SimulationContext.Item(ControllerName, obj);
        }
        else if (obj.Type == sim.Registry.Pods)
        {
            var relevant = change.Type != ChangeType.Modified
                || !Json.Same(change.Previous?.Node.ObjAt("metadata", "labels"), obj.Node.ObjAt("metadata", "labels"))
                || SimulationContext.IsPodReady(change.Previous!.Node) != SimulationContext.IsPodReady(obj.Node)
                || change.Previous.Node.Str("status", "podIP") != obj.Node.Str("status", "podIP")
                || SimulationContext.Deleting(change.Previous.Node) != SimulationContext.Deleting(obj.Node);
            if (!relevant)
            {
                yield break;
            }

            foreach (var service in sim.Api.Store.List(sim.Registry.Services, obj.Namespace).Items)
            {
                yield return SimulationContext.Item(ControllerName, service);
            }
        }
    }

    public void Reconcile(WorkItem item)
    {
        if (item.TypeKey == sim.Registry.Ingresses.Key)
        {
            ReconcileIngress(item);
            return;
        }

        var service = sim.Api.Store.Get(sim.Registry.Services, item.Namespace, item.Name);
        if (service is null || SimulationContext.Deleting(service.Node))
        {
            var endpoints = sim.Api.Store.Get(sim.Registry.Endpoints, item.Namespace, item.Name);
            if (endpoints is not null && service is null)
            {
                try
                {
                    sim.Api.Delete(sim.Registry.Endpoints, item.Namespace, item.Name, new DeleteRequest());
                }
                catch (ApiException ex) when (ex.Code == 404)
                {
                    // Gone already.
                }
            }

            return;
        }

        var node = service.Node;
        var selector = node.Labels("spec", "selector");
        if (selector.Count > 0)
        {
            SyncEndpoints(service, selector);
        }

        if (node.Str("spec", "type") == "LoadBalancer" && sim.Options.LoadBalancerAddress is { } address
            && node.ArrAt("status", "loadBalancer", "ingress") is not { Count: > 0 })
        {
            var due = (Json.ParseTime(node.Str("metadata", "creationTimestamp")) ?? sim.Now) + sim.Options.LoadBalancerDelay;
            if (sim.Now < due)
            {
                sim.Simulator.At(due, item);
                return;
            }

            sim.Api.Mutate(sim.Registry.Services, service.Namespace, service.Name, s =>
            {
                s.Child("status").Child("loadBalancer")["ingress"] = new JsonArray(new JsonObject { ["ip"] = address, ["ipMode"] = "VIP" });
                return true;
            }, "service-controller", "status");
            sim.Event(node, "Normal", "EnsuredLoadBalancer", "Ensured load balancer", "service-controller");
        }
    }

    private void SyncEndpoints(StoredObject service, Dictionary<string, string> selector)
    {
        var match = LabelSelector.FromMap(selector);
        var pods = sim.Api.Store.List(sim.Registry.Pods, service.Namespace).Items
            .Where(p => match.Matches(p.Node.Labels()) && !SimulationContext.Deleting(p.Node) && p.Node.Str("status", "podIP") is not null && !SimulationContext.IsPodTerminal(p.Node))
            .ToList();
        JsonObject Address(StoredObject pod) => new()
        {
            ["ip"] = pod.Node.Str("status", "podIP"),
            ["nodeName"] = pod.Node.Str("spec", "nodeName"),
            ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = pod.Namespace, ["name"] = pod.Name, ["uid"] = pod.Uid },
        };

        var ready = pods.Where(p => SimulationContext.IsPodReady(p.Node)).Select(Address).ToList();
        var notReady = pods.Where(p => !SimulationContext.IsPodReady(p.Node)).Select(Address).ToList();
        var ports = new JsonArray();
        foreach (var port in service.Node.ArrAt("spec", "ports").Objects())
        {
            var target = port["targetPort"];
            long? number = target is JsonValue v && v.TryGetValue<string>(out var named)
                ? pods.SelectMany(p => p.Node.ArrAt("spec", "containers").Objects()).SelectMany(c => c.ArrAt("ports").Objects()).FirstOrDefault(p => p.Str("name") == named)?.Long("containerPort")
                : target?.Long() ?? port.Long("port");
            var entry = new JsonObject { ["port"] = number ?? port.Long("port"), ["protocol"] = port.Str("protocol") ?? "TCP" };
            if (port.Str("name") is { } name)
            {
                entry["name"] = name;
            }

            ports.Add(entry);
        }

        var subsets = new JsonArray();
        if (ready.Count + notReady.Count > 0)
        {
            var subset = new JsonObject();
            if (ready.Count > 0)
            {
                subset["addresses"] = Json.ToArray(ready);
            }

            if (notReady.Count > 0)
            {
                subset["notReadyAddresses"] = Json.ToArray(notReady);
            }

            subset["ports"] = ports;
            subsets.Add(subset);
        }

        var existing = sim.Api.Store.Get(sim.Registry.Endpoints, service.Namespace, service.Name);
        if (existing is null)
        {
            var body = new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = service.Name, ["labels"] = service.Node.ObjAt("metadata", "labels")?.DeepClone() ?? new JsonObject() },
            };
            if (subsets.Count > 0)
            {
                body["subsets"] = subsets;
            }

            try
            {
                sim.Api.Create(sim.Registry.Endpoints, service.Namespace, body, new WriteContext("endpoint-controller"));
            }
            catch (ApiException ex) when (ex.Code == 409)
            {
                // Created meanwhile: the next pass updates it.
            }

            return;
        }

        sim.Api.Mutate(sim.Registry.Endpoints, service.Namespace, service.Name, e =>
        {
            if (subsets.Count > 0)
            {
                e["subsets"] = subsets.DeepClone();
            }
            else
            {
                e.Remove("subsets");
            }

            return true;
        }, "endpoint-controller");
    }

    private void ReconcileIngress(WorkItem item)
    {
        var ingress = sim.Api.Store.Get(sim.Registry.Ingresses, item.Namespace, item.Name);
        if (ingress is null || SimulationContext.Deleting(ingress.Node) || sim.Options.LoadBalancerAddress is not { } address)
        {
            return;
        }

        var wanted = AddressOf(ingress.Node, address);
        if (ingress.Node.ArrAt("status", "loadBalancer", "ingress") is { Count: > 0 } current)
        {
            // Addressed already; only the TLS port may need to follow (a sandbox restarted from its state file listens anew).
            if (!JsonNode.DeepEquals(current[0], wanted))
            {
                sim.Api.Mutate(sim.Registry.Ingresses, ingress.Namespace, ingress.Name, i =>
                {
                    i.Child("status").Child("loadBalancer")["ingress"] = new JsonArray(wanted.DeepClone());
                    return true;
                }, "ingress-controller", "status");
            }

            return;
        }

        var due = (Json.ParseTime(ingress.Node.Str("metadata", "creationTimestamp")) ?? sim.Now) + sim.Options.LoadBalancerDelay;
        if (sim.Now < due)
        {
            sim.Simulator.At(due, item);
            return;
        }

        sim.Api.Mutate(sim.Registry.Ingresses, ingress.Namespace, ingress.Name, i =>
        {
            i.Child("status").Child("loadBalancer")["ingress"] = new JsonArray(wanted);
            return true;
        }, "ingress-controller", "status");
        sim.Event(ingress.Node, "Normal", "Sync", "Scheduled for sync", "ingress-controller");
    }

    // The load-balancer entry of an Ingress: the address, and the TLS port when the ingress has TLS and TLS is served.
    private JsonObject AddressOf(JsonObject ingress, string address)
    {
        var entry = new JsonObject { ["ip"] = address };
        if (sim.IngressTlsPort is { } port && ingress.ArrAt("spec", "tls") is { Count: > 0 })
        {
            entry["ports"] = new JsonArray(new JsonObject { ["port"] = port, ["protocol"] = "TCP" });
        }

        return entry;
    }
}
