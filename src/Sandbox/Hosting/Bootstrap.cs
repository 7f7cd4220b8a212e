using System.Text.Json.Nodes;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Hosting;

/// <summary>What a fresh cluster contains before anyone touches it, as kind or minikube would have it.</summary>
internal static class Bootstrap
{
    public static void Seed(ClusterApi api, SandboxOptions options)
    {
        var registry = api.Registry;
        var system = new WriteContext(SandboxManagers.ApiServer);
        foreach (var ns in (string[])["default", "kube-system", "kube-public", "kube-node-lease"])
        {
            api.Create(registry.Namespaces, "", new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, system);
        }

        var version = "v" + options.KubernetesVersion;
        var node = api.Create(registry.Nodes, "", new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = options.Simulation.NodeName,
                ["labels"] = new JsonObject
                {
                    ["kubernetes.io/hostname"] = options.Simulation.NodeName,
                    ["kubernetes.io/os"] = "linux",
                    ["kubernetes.io/arch"] = "amd64",
                    ["node-role.kubernetes.io/control-plane"] = "",
                },
            },
            ["spec"] = new JsonObject { ["podCIDR"] = "10.244.0.0/24" },
        }, system);
        api.Mutate(registry.Nodes, "", node.Name, n =>
        {
            var now = api.Now;
            n["status"] = new JsonObject
            {
                ["capacity"] = new JsonObject { ["cpu"] = "8", ["memory"] = "32Gi", ["pods"] = "110", ["ephemeral-storage"] = "100Gi" },
                ["allocatable"] = new JsonObject { ["cpu"] = "8", ["memory"] = "32Gi", ["pods"] = "110", ["ephemeral-storage"] = "100Gi" },
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Ready",
                    ["status"] = "True",
                    ["reason"] = "KubeletReady",
                    ["message"] = "kubelet is posting ready status",
                    ["lastHeartbeatTime"] = now,
                    ["lastTransitionTime"] = now,
                }),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = "172.18.0.2" },
                    new JsonObject { ["type"] = "Hostname", ["address"] = options.Simulation.NodeName }),
                ["nodeInfo"] = new JsonObject
                {
                    ["kubeletVersion"] = version,
                    ["kubeProxyVersion"] = version,
                    ["operatingSystem"] = "linux",
                    ["architecture"] = "amd64",
                    ["containerRuntimeVersion"] = "containerd://1.7.0",
                    ["osImage"] = "Portal Sandbox (simulated)",
                    ["kernelVersion"] = "6.1.0",
                    ["machineID"] = "sandbox",
                    ["systemUUID"] = "sandbox",
                    ["bootID"] = "sandbox",
                },
            };
            return true;
        }, SandboxManagers.Kubelet, "status");

        api.Create(registry.StorageClasses, "", StorageClass("standard", "Immediate", isDefault: true), system);
        api.Create(registry.StorageClasses, "", StorageClass("standard-wffc", "WaitForFirstConsumer", isDefault: false), system);

        // The sandbox plays the ingress-nginx controller (Ingresses get an address), so it has its class, marked default as the
        // minikube and kind ingress add-ons do.
        api.Create(registry.IngressClasses, "", new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "nginx",
                ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = "ingress-nginx", ["app.kubernetes.io/component"] = "controller" },
                ["annotations"] = new JsonObject { ["ingressclass.kubernetes.io/is-default-class"] = "true" },
            },
            ["spec"] = new JsonObject { ["controller"] = "k8s.io/ingress-nginx" },
        }, system);
        api.Create(registry.Services, "default", new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "kubernetes",
                ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
            },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = "10.96.0.1",
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = 6443 }),
            },
        }, system);
    }

    private static JsonObject StorageClass(string name, string bindingMode, bool isDefault)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (isDefault)
        {
            metadata["annotations"] = new JsonObject { ["storageclass.kubernetes.io/is-default-class"] = "true" };
        }

        return new JsonObject
        {
            ["metadata"] = metadata,
            ["provisioner"] = "sandbox.portal.airbyte.io/hostpath",
            ["reclaimPolicy"] = "Delete",
            ["volumeBindingMode"] = bindingMode,
            ["allowVolumeExpansion"] = true,
        };
    }
}
