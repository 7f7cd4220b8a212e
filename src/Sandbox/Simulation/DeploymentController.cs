using System.Globalization;
using System.Text.Json.Nodes;
using Portal.Sandbox.Api;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Simulation;

/// <summary>
/// The Deployment controller: one ReplicaSet per pod template (named by pod-template-hash), rolling updates that
/// respect maxSurge and maxUnavailable (or Recreate), revision annotations, history cleanup, and the status and
/// conditions (Available, Progressing, ProgressDeadlineExceeded) that <c>kubectl rollout status</c> reads.
/// </summary>
internal sealed class DeploymentController(SimulationContext sim) : IController
{
    public const string ControllerName = "deployment";
    private const string HashLabel = "pod-template-hash";
    private const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    public string Name => ControllerName;

    public IEnumerable<WorkItem> Interested(StoreEvent change)
    {
        if (change.Object.Type == sim.Registry.Deployments && change.Type != ChangeType.Deleted)
        {
            yield return SimulationContext.Item(ControllerName, change.Object);
        }
        else if (change.Object.Type == sim.Registry.ReplicaSets && SimulationContext.ControllerRef(change.Object.Node, "Deployment") is { } owner)
        {
            yield return SimulationContext.Item(ControllerName, sim.Registry.Deployments, change.Object.Namespace, owner.Str("name") ?? "");
        }
    }

    public void Reconcile(WorkItem item)
    {
        var deployment = sim.Api.Store.Get(sim.Registry.Deployments, item.Namespace, item.Name);
        if (deployment is null || SimulationContext.Deleting(deployment.Node))
        {
            return;
        }

        var d = deployment.Node;
        var replicas = (int)(d.Long("spec", "replicas") ?? 1);
        var template = d.ObjAt("spec", "template") ?? [];
        var hash = SimulationContext.TemplateHash(template, HashLabel);
        var owned = sim.Api.Store.Dependents(deployment.Uid).Where(o => o.Type == sim.Registry.ReplicaSets && !SimulationContext.Deleting(o.Node)).ToList();
        var newRs = owned.FirstOrDefault(rs => rs.Node.Str("metadata", "labels", HashLabel) == hash);
        var oldRs = owned.Where(rs => rs != newRs).OrderBy(Revision).ThenBy(rs => rs.Node.Str("metadata", "creationTimestamp"), StringComparer.Ordinal).ToList();
        var maxRevision = owned.Count == 0 ? 0 : owned.Max(Revision);
        var paused = d.Bool("spec", "paused") == true;
        var recreate = d.Str("spec", "strategy", "type") == "Recreate";
        var maxSurge = recreate ? 0 : SimulationContext.IntOrPercent(d.ObjAt("spec", "strategy", "rollingUpdate")?["maxSurge"], replicas, roundUp: true, 1);
        var maxUnavailable = recreate ? replicas : SimulationContext.IntOrPercent(d.ObjAt("spec", "strategy", "rollingUpdate")?["maxUnavailable"], replicas, roundUp: false, 0);
        if (!recreate && maxSurge == 0 && maxUnavailable == 0)
        {
            maxUnavailable = 1;
        }

        string? createdNew = null;
        if (!paused)
        {
            if (newRs is null)
            {
                var oldTotal = oldRs.Sum(SpecReplicas);
                var initial = recreate
                    ? (oldRs.Any(rs => SpecReplicas(rs) > 0 || (rs.Node.Long("status", "replicas") ?? 0) > 0) ? 0 : replicas)
                    : Math.Max(0, Math.Min(replicas, replicas + maxSurge - oldTotal));
                newRs = CreateReplicaSet(d, template, hash, maxRevision + 1, initial, replicas + maxSurge);
                createdNew = newRs.Name;
                if (initial > 0)
                {
                    ScaledEvent(d, newRs.Name, 0, initial);
                }
            }
            else if (Revision(newRs) < maxRevision)
            {
                // Rolling back to an older template makes its ReplicaSet the newest revision again.
                var revision = (maxRevision + 1).ToString(CultureInfo.InvariantCulture);
                newRs = sim.Api.Mutate(sim.Registry.ReplicaSets, newRs.Namespace, newRs.Name, rs =>
                {
                    rs.Metadata().Child("annotations")[RevisionAnnotation] = revision;
                    return true;
                }, SandboxManagers.ControllerManager) ?? newRs;
            }

            if (recreate)
            {
                foreach (var rs in oldRs.Where(rs => SpecReplicas(rs) > 0))
                {
                    Scale(d, rs, 0);
                }

                var oldPodsLeft = oldRs.Any(rs => sim.Api.Store.Dependents(rs.Uid).Any(p => p.Type == sim.Registry.Pods && !SimulationContext.IsPodTerminal(p.Node)));
                if (!oldPodsLeft && SpecReplicas(newRs) != replicas)
                {
                    newRs = Scale(d, newRs, replicas);
                }
            }
            else
            {
                newRs = RollNew(d, newRs, oldRs, replicas, maxSurge);
                RollOld(d, newRs, oldRs, replicas, maxUnavailable);
            }

            CleanupHistory(d, oldRs);
        }
        else if (newRs is not null && SpecReplicas(newRs) != replicas && oldRs.All(rs => SpecReplicas(rs) == 0))
        {
            // Paused deployments still scale; they just do not roll.
            newRs = Scale(d, newRs, replicas);
        }

        UpdateStatus(deployment, newRs, replicas, maxUnavailable, createdNew, paused);
    }

    private StoredObject CreateReplicaSet(JsonObject d, JsonObject template, string hash, int revision, int replicas, int maxReplicas)
    {
        var rsTemplate = (JsonObject)template.DeepClone();
        rsTemplate.Metadata().Child("labels")[HashLabel] = hash;
        var selector = (JsonObject?)d.ObjAt("spec", "selector")?.DeepClone() ?? [];
        selector.Child("matchLabels")[HashLabel] = hash;
        var labels = (JsonObject?)template.ObjAt("metadata", "labels")?.DeepClone() ?? [];
        labels[HashLabel] = hash;
        var spec = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = selector,
            ["template"] = rsTemplate,
        };
        if (d.Long("spec", "minReadySeconds") is { } minReady)
        {
            spec["minReadySeconds"] = minReady;
        }

        var rs = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{d.Name()}-{hash}",
                ["labels"] = labels,
                ["annotations"] = new JsonObject
                {
                    ["deployment.kubernetes.io/desired-replicas"] = ((int)(d.Long("spec", "replicas") ?? 1)).ToString(CultureInfo.InvariantCulture),
                    ["deployment.kubernetes.io/max-replicas"] = maxReplicas.ToString(CultureInfo.InvariantCulture),
                    [RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture),
                },
                ["ownerReferences"] = new JsonArray(SimulationContext.OwnerReference(d)),
            },
            ["spec"] = spec,
        };
        return sim.Api.Create(sim.Registry.ReplicaSets, d.Namespace(), rs, new WriteContext(SandboxManagers.ControllerManager));
    }

    private StoredObject RollNew(JsonObject d, StoredObject newRs, List<StoredObject> oldRs, int replicas, int maxSurge)
    {
        var current = SpecReplicas(newRs);
        if (current > replicas)
        {
            return Scale(d, newRs, replicas);
        }

        if (current == replicas)
        {
            return newRs;
        }

        var total = current + oldRs.Sum(SpecReplicas);
        var maxTotal = replicas + maxSurge;
        if (total >= maxTotal)
        {
            return newRs;
        }

        var scaleUp = Math.Min(maxTotal - total, replicas - current);
        return Scale(d, newRs, current + scaleUp);
    }

    private void RollOld(JsonObject d, StoredObject newRs, List<StoredObject> oldRs, int replicas, int maxUnavailable)
    {
        var oldTotal = oldRs.Sum(SpecReplicas);
        if (oldTotal == 0)
        {
            return;
        }

        var all = oldRs.Append(newRs).ToList();
        var minAvailable = replicas - maxUnavailable;
        var newUnavailable = SpecReplicas(newRs) - (int)(newRs.Node.Long("status", "availableReplicas") ?? 0);
        var maxScaledDown = all.Sum(SpecReplicas) - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return;
        }

        // First remove old replicas that are not available anyway: it costs no availability.
        var cleaned = 0;
        var remaining = oldRs.Select(rs => (Rs: rs, Replicas: SpecReplicas(rs))).ToList();
        for (var i = 0; i < remaining.Count && cleaned < maxScaledDown; i++)
        {
            var (rs, count) = remaining[i];
            var unhealthy = count - (int)(rs.Node.Long("status", "availableReplicas") ?? 0);
            if (count == 0 || unhealthy <= 0)
            {
                continue;
            }

            var down = Math.Min(unhealthy, maxScaledDown - cleaned);
            remaining[i] = (Scale(d, rs, count - down), count - down);
            cleaned += down;
        }

        // Then scale down healthy old replicas as far as availability allows.
        var available = all.Sum(rs => (int)(rs.Node.Long("status", "availableReplicas") ?? 0));
        var budget = Math.Min(available - minAvailable, maxScaledDown - cleaned);
        for (var i = 0; i < remaining.Count && budget > 0; i++)
        {
            var (rs, count) = remaining[i];
            if (count == 0)
            {
                continue;
            }

            var down = Math.Min(count, budget);
            Scale(d, rs, count - down);
            budget -= down;
        }
    }

    private void CleanupHistory(JsonObject d, List<StoredObject> oldRs)
    {
        var limit = (int)(d.Long("spec", "revisionHistoryLimit") ?? 10);
        var idle = oldRs.Where(rs => SpecReplicas(rs) == 0 && (rs.Node.Long("status", "replicas") ?? 0) == 0).OrderBy(Revision).ToList();
        foreach (var rs in idle.Take(Math.Max(0, idle.Count - limit)))
        {
            try
            {
                sim.Api.Delete(sim.Registry.ReplicaSets, rs.Namespace, rs.Name, new DeleteRequest());
            }
            catch (ApiException ex) when (ex.Code == 404)
            {
                // Gone already.
            }
        }
    }

    private StoredObject Scale(JsonObject d, StoredObject rs, int replicas)
    {
        var from = SpecReplicas(rs);
        if (from == replicas)
        {
            return rs;
        }

        var scaled = sim.Api.Mutate(sim.Registry.ReplicaSets, rs.Namespace, rs.Name, r =>
        {
            r.Child("spec")["replicas"] = replicas;
            var annotations = r.Metadata().Child("annotations");
            annotations["deployment.kubernetes.io/desired-replicas"] = ((int)(d.Long("spec", "replicas") ?? 1)).ToString(CultureInfo.InvariantCulture);
            return true;
        }, SandboxManagers.ControllerManager) ?? rs;
        ScaledEvent(d, rs.Name, from, replicas);
        return scaled;
    }

    private void ScaledEvent(JsonObject d, string rsName, int from, int to) =>
        sim.Event(d, "Normal", "ScalingReplicaSet", $"Scaled {(to > from ? "up" : "down")} replica set {rsName} from {from} to {to}", "deployment-controller");

    private void UpdateStatus(StoredObject deployment, StoredObject? newRs, int replicas, int maxUnavailable, string? createdNew, bool paused)
    {
        var d = deployment.Node;
        var all = sim.Api.Store.Dependents(deployment.Uid).Where(o => o.Type == sim.Registry.ReplicaSets).ToList();
        var fresh = newRs is null ? null : all.FirstOrDefault(rs => rs.Name == newRs.Name);
        var total = all.Sum(rs => (int)(rs.Node.Long("status", "replicas") ?? 0));
        var updated = (int)(fresh?.Node.Long("status", "replicas") ?? 0);
        var ready = all.Sum(rs => (int)(rs.Node.Long("status", "readyReplicas") ?? 0));
        var available = all.Sum(rs => (int)(rs.Node.Long("status", "availableReplicas") ?? 0));
        var specTotal = all.Sum(SpecReplicas);
        var deadline = d.Long("spec", "progressDeadlineSeconds") ?? 600;
        var complete = updated == replicas && available >= replicas && total == replicas && fresh is not null && SpecReplicas(fresh) == replicas;
        var rsName = fresh?.Name ?? "";
        DateTimeOffset? checkAt = null;
        if (fresh?.Node.Str("metadata", "annotations", RevisionAnnotation) is { } revision && d.Str("metadata", "annotations", RevisionAnnotation) != revision)
        {
            sim.Api.Mutate(sim.Registry.Deployments, deployment.Namespace, deployment.Name, dep =>
            {
                dep.Metadata().Child("annotations")[RevisionAnnotation] = revision;
                return true;
            }, SandboxManagers.ControllerManager);
        }

        sim.Api.Mutate(sim.Registry.Deployments, deployment.Namespace, deployment.Name, dep =>
        {
            var status = dep.Child("status");
            var previous = (JsonObject)status.DeepClone();
            status["observedGeneration"] = dep.Long("metadata", "generation") ?? 1;
            status["replicas"] = total;
            status["updatedReplicas"] = updated;
            status["readyReplicas"] = ready;
            status["availableReplicas"] = available;
            var unavailable = Math.Max(0, specTotal - available);
            status["unavailableReplicas"] = unavailable;
            foreach (var zeroField in (string[])["readyReplicas", "availableReplicas", "unavailableReplicas", "updatedReplicas", "replicas"])
            {
                // The real API omits zero-valued optional counts.
                if (status.Long(zeroField) == 0)
                {
                    status.Remove(zeroField);
                }
            }

            var minimum = available >= replicas - maxUnavailable;
            sim.SetCondition(status, "Available", minimum ? "True" : "False", minimum ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                minimum ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", withUpdateTime: true, touchUpdate: false);

            var progressing = SimulationContext.Condition(dep, "Progressing");
            var progressed = !Json.Same(previous["updatedReplicas"], status["updatedReplicas"])
                || !Json.Same(previous["readyReplicas"], status["readyReplicas"])
                || !Json.Same(previous["availableReplicas"], status["availableReplicas"])
                || !Json.Same(previous["replicas"], status["replicas"])
                || dep.Long("metadata", "generation") != previous.Long("observedGeneration");
            if (paused)
            {
                sim.SetCondition(status, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", withUpdateTime: true, touchUpdate: false);
            }
            else if (createdNew is not null)
            {
                sim.SetCondition(status, "Progressing", "True", "NewReplicaSetCreated", $"Created new replica set \"{createdNew}\"", withUpdateTime: true);
            }
            else if (complete)
            {
                sim.SetCondition(status, "Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{rsName}\" has successfully progressed.", withUpdateTime: true,
                    touchUpdate: progressing?.Str("reason") != "NewReplicaSetAvailable");
            }
            else if (progressed || progressing is null || progressing.Str("reason") == "NewReplicaSetAvailable")
            {
                sim.SetCondition(status, "Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{rsName}\" is progressing.", withUpdateTime: true);
            }
            else if (progressing.Str("reason") != "ProgressDeadlineExceeded"
                && Json.ParseTime(progressing.Str("lastUpdateTime")) is { } lastUpdate)
            {
                if (lastUpdate.AddSeconds(deadline) <= sim.Now)
                {
                    sim.SetCondition(status, "Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{rsName}\" has timed out progressing.", withUpdateTime: true);
                    sim.Event(dep, "Warning", "ProgressDeadlineExceeded", $"Deployment \"{dep.Name()}\" exceeded its progress deadline", "deployment-controller");
                }
                else
                {
                    checkAt = lastUpdate.AddSeconds(deadline);
                }
            }

            if (!complete && !paused && SimulationContext.Condition(dep, "Progressing")?.Str("reason") is not "ProgressDeadlineExceeded"
                && Json.ParseTime(SimulationContext.Condition(dep, "Progressing")?.Str("lastUpdateTime")) is { } updateTime)
            {
                checkAt = updateTime.AddSeconds(deadline);
            }

            SortConditions(status);
            return true;
        }, SandboxManagers.ControllerManager, "status");
        if (checkAt is { } at)
        {
            sim.Simulator.At(at, SimulationContext.Item(ControllerName, deployment));
        }
    }

    private static void SortConditions(JsonObject status)
    {
        if (status["conditions"] is JsonArray conditions)
        {
            var sorted = conditions.Objects().OrderBy(c => c.Str("type") == "Available" ? 0 : 1).Select(c => c.DeepClone()).ToList();
            status["conditions"] = new JsonArray([.. sorted]);
        }
    }

    private static int SpecReplicas(StoredObject rs) => (int)(rs.Node.Long("spec", "replicas") ?? 0);

    private static int Revision(StoredObject rs) =>
        int.TryParse(rs.Node.Str("metadata", "annotations", RevisionAnnotation), CultureInfo.InvariantCulture, out var r) ? r : 0;
}
