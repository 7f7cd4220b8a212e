using System.Text.Json.Nodes;
using Portal.Sandbox.Api;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Simulation;

/// <summary>
/// Dynamic provisioning: a claim of an Immediate class gets a PersistentVolume and is Bound after a delay; a
/// WaitForFirstConsumer claim stays Pending until a pod using it is scheduled; an unknown class stays Pending with
/// a ProvisioningFailed event. Deleting a claim deletes its volume when the reclaim policy says so.
/// </summary>
internal sealed class VolumeController(SimulationContext sim) : IController
{
    public const string ControllerName = "volume";
    private const string Provisioner = "sandbox.portal.airbyte.io/hostpath";

    public string Name => ControllerName;

    public IEnumerable<WorkItem> Interested(StoreEvent change)
    {
        var obj = change.Object;
        if (obj.Type == sim.Registry.Pods && change.Type == ChangeType.Deleted)
        {
            // A claim being deleted waits (pvc-protection) until no pod uses it.
            foreach (var claim in obj.Node.ArrAt("spec", "volumes").Objects().Select(v => v.Str("persistentVolumeClaim", "claimName")).OfType<string>())
            {
                yield return SimulationContext.Item(ControllerName, sim.Registry.PersistentVolumeClaims, obj.Namespace, claim);
            }

            yield break;
        }

        if (obj.Type != sim.Registry.PersistentVolumeClaims)
        {
            yield break;
        }

        if (change.Type == ChangeType.Deleted)
        {
            if (obj.Node.Str("spec", "volumeName") is { } volume)
            {
                yield return SimulationContext.Item(ControllerName, sim.Registry.PersistentVolumes, "", volume);
            }

            yield break;
        }

        yield return SimulationContext.Item(ControllerName, obj);
    }

    public void Reconcile(WorkItem item)
    {
        if (item.TypeKey == sim.Registry.PersistentVolumes.Key)
        {
            ReleaseVolume(item.Name);
            return;
        }

        var claim = sim.Api.Store.Get(sim.Registry.PersistentVolumeClaims, item.Namespace, item.Name);
        if (claim is not null && SimulationContext.Deleting(claim.Node))
        {
            var inUse = sim.Api.Store.List(sim.Registry.Pods, claim.Namespace).Items.Any(p =>
                p.Node.ArrAt("spec", "volumes").Objects().Any(v => v.Str("persistentVolumeClaim", "claimName") == claim.Name));
            if (!inUse)
            {
                sim.Api.RemoveFinalizer(sim.Registry.PersistentVolumeClaims, claim.Namespace, claim.Name, "kubernetes.io/pvc-protection", "persistentvolume-controller");
            }

            return;
        }

        if (claim is null || claim.Node.Str("status", "phase") == "Bound")
        {
            return;
        }

        var node = claim.Node;
        var className = node.Str("spec", "storageClassName");
        var storageClass = string.IsNullOrEmpty(className) ? null : sim.Api.Store.Get(sim.Registry.StorageClasses, "", className);
        if (storageClass is null)
        {
            var message = string.IsNullOrEmpty(className)
                ? "no persistent volumes available for this claim and no storage class is set"
                : $"storageclass.storage.k8s.io \"{className}\" not found";
            sim.Event(node, "Warning", string.IsNullOrEmpty(className) ? "FailedBinding" : "ProvisioningFailed", message, "persistentvolume-controller");
            return;
        }

        var selectedNode = node.Str("metadata", "annotations", "volume.kubernetes.io/selected-node");
        if (storageClass.Node.Str("volumeBindingMode") == "WaitForFirstConsumer" && selectedNode is null)
        {
            sim.Event(node, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding", "persistentvolume-controller");
            return;
        }

        var due = (Json.ParseTime(node.Str("metadata", "creationTimestamp")) ?? sim.Now) + sim.Options.VolumeBindDelay;
        if (sim.Now < due)
        {
            sim.Simulator.At(due, item);
            return;
        }

        var volumeName = $"pvc-{claim.Uid}";
        var storage = node.Str("spec", "resources", "requests", "storage") ?? "1Gi";
        var accessModes = node.ArrAt("spec", "accessModes")?.DeepClone() ?? new JsonArray("ReadWriteOnce");
        sim.Event(node, "Normal", "Provisioning", $"External provisioner is provisioning volume for claim \"{claim.Namespace}/{claim.Name}\"", Provisioner);
        if (sim.Api.Store.Get(sim.Registry.PersistentVolumes, "", volumeName) is null)
        {
            var volume = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = volumeName,
                    ["annotations"] = new JsonObject { ["pv.kubernetes.io/provisioned-by"] = Provisioner },
                    ["finalizers"] = new JsonArray("kubernetes.io/pv-protection"),
                },
                ["spec"] = new JsonObject
                {
                    ["capacity"] = new JsonObject { ["storage"] = storage },
                    ["accessModes"] = accessModes.DeepClone(),
                    ["persistentVolumeReclaimPolicy"] = storageClass.Node.Str("reclaimPolicy") ?? "Delete",
                    ["storageClassName"] = className,
                    ["volumeMode"] = node.Str("spec", "volumeMode") ?? "Filesystem",
                    ["hostPath"] = new JsonObject { ["path"] = $"/var/lib/sandbox/{volumeName}", ["type"] = "DirectoryOrCreate" },
                    ["claimRef"] = new JsonObject
                    {
                        ["kind"] = "PersistentVolumeClaim",
                        ["namespace"] = claim.Namespace,
                        ["name"] = claim.Name,
                        ["uid"] = claim.Uid,
                        ["apiVersion"] = "v1",
                    },
                },
            };
            var created = sim.Api.Create(sim.Registry.PersistentVolumes, "", volume, new WriteContext(Provisioner));
            sim.Api.Mutate(sim.Registry.PersistentVolumes, "", created.Name, v =>
            {
                v.Child("status")["phase"] = "Bound";
                return true;
            }, "persistentvolume-controller", "status");
        }

        sim.Api.Mutate(sim.Registry.PersistentVolumeClaims, claim.Namespace, claim.Name, c =>
        {
            c.Child("spec")["volumeName"] = volumeName;
            var annotations = c.Metadata().Child("annotations");
            annotations["pv.kubernetes.io/bind-completed"] = "yes";
            annotations["pv.kubernetes.io/bound-by-controller"] = "yes";
            annotations["volume.beta.kubernetes.io/storage-provisioner"] = Provisioner;
            annotations["volume.kubernetes.io/storage-provisioner"] = Provisioner;
            var finalizers = c.Metadata().ChildArray("finalizers");
            if (!finalizers.Any(f => f?.GetValue<string>() == "kubernetes.io/pvc-protection"))
            {
                finalizers.Add("kubernetes.io/pvc-protection");
            }

            var status = c.Child("status");
            status["phase"] = "Bound";
            status["accessModes"] = accessModes.DeepClone();
            status["capacity"] = new JsonObject { ["storage"] = storage };
            return true;
        }, "persistentvolume-controller");
        sim.Event(node, "Normal", "ProvisioningSucceeded", $"Successfully provisioned volume {volumeName}", Provisioner);
    }

    private void ReleaseVolume(string name)
    {
        var volume = sim.Api.Store.Get(sim.Registry.PersistentVolumes, "", name);
        if (volume is null)
        {
            return;
        }

        if (volume.Node.Str("spec", "persistentVolumeReclaimPolicy") == "Delete")
        {
            sim.Api.RemoveFinalizer(sim.Registry.PersistentVolumes, "", name, "kubernetes.io/pv-protection", "persistentvolume-controller");
            try
            {
                sim.Api.Delete(sim.Registry.PersistentVolumes, "", name, new DeleteRequest());
            }
            catch (ApiException ex) when (ex.Code == 404)
            {
                // Gone already.
            }
        }
        else
        {
            sim.Api.Mutate(sim.Registry.PersistentVolumes, "", name, v =>
            {
                v.Child("status")["phase"] = "Released";
                return true;
            }, "persistentvolume-controller", "status");
        }
    }
}
