using System.Globalization;
using System.Text.Json.Nodes;

namespace Portal.Sandbox.Api;

/// <summary>
/// Server-side printing: the meta.k8s.io/v1 Table that <c>kubectl get</c> asks for, with the columns a real cluster
/// shows for each kind (NAME READY STATUS RESTARTS AGE for pods, and so on).
/// </summary>
internal static class Tables
{
    private sealed record Column(string Name, string Type, string Format = "", int Priority = 0);

    private static readonly Column s_name = new("Name", "string", "name");
    private static readonly Column s_age = new("Age", "string");

    public static bool Wanted(string? accept) =>
        accept is not null && accept.Contains("as=Table", StringComparison.Ordinal) && accept.Contains("g=meta.k8s.io", StringComparison.Ordinal);

    public static JsonObject Build(ResourceType type, IEnumerable<JsonObject> objects, DateTimeOffset now, string includeObject, JsonObject listMetadata)
    {
        var columns = Columns(type);
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            rows.Add(Row(type, obj, now, includeObject));
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMetadata,
            ["columnDefinitions"] = Json.ToArray(columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format,
                ["description"] = c.Name,
                ["priority"] = c.Priority,
            })),
            ["rows"] = rows,
        };
    }

    private static JsonObject Row(ResourceType type, JsonObject obj, DateTimeOffset now, string includeObject)
    {
        var row = new JsonObject { ["cells"] = Json.ToArray(Cells(type, obj, now).Select(c => c)) };
        switch (includeObject)
        {
            case "None":
                break;
            case "Object":
                row["object"] = obj.DeepClone();
                break;
            default:
                row["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = obj["metadata"]?.DeepClone(),
                };
                break;
        }

        return row;
    }

    private static Column[] Columns(ResourceType type) => type.Kind switch
    {
        "Pod" => [s_name, new("Ready", "string"), new("Status", "string"), new("Restarts", "string"), s_age, new("IP", "string", "", 1), new("Node", "string", "", 1)],
        "Deployment" => [s_name, new("Ready", "string"), new("Up-to-date", "integer"), new("Available", "integer"), s_age],
        "ReplicaSet" => [s_name, new("Desired", "integer"), new("Current", "integer"), new("Ready", "integer"), s_age],
        "StatefulSet" => [s_name, new("Ready", "string"), s_age],
        "Job" => [s_name, new("Status", "string"), new("Completions", "string"), new("Duration", "string"), s_age],
        "Service" => [s_name, new("Type", "string"), new("Cluster-IP", "string"), new("External-IP", "string"), new("Port(s)", "string"), s_age],
        "Namespace" => [s_name, new("Status", "string"), s_age],
        "ConfigMap" => [s_name, new("Data", "integer"), s_age],
        "Secret" => [s_name, new("Type", "string"), new("Data", "integer"), s_age],
        "PersistentVolumeClaim" => [s_name, new("Status", "string"), new("Volume", "string"), new("Capacity", "string"), new("Access Modes", "string"), new("StorageClass", "string"), s_age],
        "PersistentVolume" => [s_name, new("Capacity", "string"), new("Access Modes", "string"), new("Reclaim Policy", "string"), new("Status", "string"), new("Claim", "string"), new("StorageClass", "string"), s_age],
        "Ingress" => [s_name, new("Class", "string"), new("Hosts", "string"), new("Address", "string"), new("Ports", "string"), s_age],
        "Event" => [new("Last Seen", "string"), new("Type", "string"), new("Reason", "string"), new("Object", "string"), new("Message", "string"), s_name with { Priority = 1 }],
        "Node" => [s_name, new("Status", "string"), new("Roles", "string"), s_age, new("Version", "string")],
        "StorageClass" => [s_name, new("Provisioner", "string"), new("ReclaimPolicy", "string"), new("VolumeBindingMode", "string"), s_age],
        "Endpoints" => [s_name, new("Endpoints", "string"), s_age],
        _ => [s_name, s_age],
    };

    private static IEnumerable<JsonNode?> Cells(ResourceType type, JsonObject obj, DateTimeOffset now)
    {
        var name = obj.Name();
        var age = Age(obj.Str("metadata", "creationTimestamp"), now);
        switch (type.Kind)
        {
            case "Pod":
                var statuses = obj.ArrAt("status", "containerStatuses").Objects().ToList();
                var total = obj.ArrAt("spec", "containers")?.Count ?? 0;
                var ready = statuses.Count(s => s.Bool("ready") == true);
                var restarts = statuses.Sum(s => s.Long("restartCount") ?? 0);
                return [name, $"{ready}/{total}", PodStatus(obj), restarts.ToString(CultureInfo.InvariantCulture), age, obj.Str("status", "podIP") ?? "<none>", obj.Str("spec", "nodeName") ?? "<none>"];
            case "Deployment":
                return [name, $"{obj.Long("status", "readyReplicas") ?? 0}/{obj.Long("spec", "replicas") ?? 0}", obj.Long("status", "updatedReplicas") ?? 0, obj.Long("status", "availableReplicas") ?? 0, age];
            case "ReplicaSet":
                return [name, obj.Long("spec", "replicas") ?? 0, obj.Long("status", "replicas") ?? 0, obj.Long("status", "readyReplicas") ?? 0, age];
            case "StatefulSet":
                return [name, $"{obj.Long("status", "readyReplicas") ?? 0}/{obj.Long("spec", "replicas") ?? 0}", age];
            case "Job":
                var conditions = obj.ArrAt("status", "conditions").Objects().Where(c => c.Str("status") == "True").Select(c => c.Str("type")).ToList();
                var jobStatus = conditions.Contains("Complete") ? "Complete" : conditions.Contains("Failed") ? "Failed" : "Running";
                var start = Json.ParseTime(obj.Str("status", "startTime"));
                var end = Json.ParseTime(obj.Str("status", "completionTime")) ?? now;
                return [name, jobStatus, $"{obj.Long("status", "succeeded") ?? 0}/{obj.Long("spec", "completions") ?? 1}", start is null ? "" : Human(end - start.Value), age];
            case "Service":
                var ports = string.Join(",", obj.ArrAt("spec", "ports").Objects().Select(p =>
                    p.Long("nodePort") is { } nodePort ? $"{p.Long("port")}:{nodePort}/{p.Str("protocol") ?? "TCP"}" : $"{p.Long("port")}/{p.Str("protocol") ?? "TCP"}"));
                var external = string.Join(",", obj.ArrAt("status", "loadBalancer", "ingress").Objects().Select(i => i.Str("ip") ?? i.Str("hostname")));
                if (external.Length == 0)
                {
                    external = obj.Str("spec", "type") == "LoadBalancer" ? "<pending>" : "<none>";
                }

                return [name, obj.Str("spec", "type") ?? "ClusterIP", obj.Str("spec", "clusterIP") ?? "<none>", external, ports.Length == 0 ? "<none>" : ports, age];
            case "Namespace":
                return [name, obj.Str("status", "phase") ?? "Active", age];
            case "ConfigMap":
                return [name, (obj.ObjAt("data")?.Count ?? 0) + (obj.ObjAt("binaryData")?.Count ?? 0), age];
            case "Secret":
                return [name, obj.Str("type") ?? "Opaque", obj.ObjAt("data")?.Count ?? 0, age];
            case "PersistentVolumeClaim":
                return [name, obj.Str("status", "phase") ?? "Pending", obj.Str("spec", "volumeName") ?? "", obj.Str("status", "capacity", "storage") ?? "", AccessModes(obj.ArrAt("status", "accessModes")), obj.Str("spec", "storageClassName") ?? "<unset>", age];
            case "PersistentVolume":
                var claim = obj.ObjAt("spec", "claimRef");
                return [name, obj.Str("spec", "capacity", "storage") ?? "", AccessModes(obj.ArrAt("spec", "accessModes")), obj.Str("spec", "persistentVolumeReclaimPolicy") ?? "Delete", obj.Str("status", "phase") ?? "Available", claim is null ? "" : $"{claim.Str("namespace")}/{claim.Str("name")}", obj.Str("spec", "storageClassName") ?? "", age];
            case "Ingress":
                var hosts = string.Join(",", obj.ArrAt("spec", "rules").Objects().Select(r => r.Str("host") ?? "*"));
                var address = string.Join(",", obj.ArrAt("status", "loadBalancer", "ingress").Objects().Select(i => i.Str("ip") ?? i.Str("hostname")));
                return [name, obj.Str("spec", "ingressClassName") ?? "<none>", hosts.Length == 0 ? "*" : hosts, address, obj.ArrAt("spec", "tls")?.Count > 0 ? "80, 443" : "80", age];
            case "Event":
                var last = obj.Str("lastTimestamp") ?? obj.Str("eventTime") ?? obj.Str("metadata", "creationTimestamp");
                var involved = obj.ObjAt("involvedObject");
                return [Age(last, now), obj.Str("type") ?? "Normal", obj.Str("reason") ?? "", $"{involved.Str("kind")?.ToLowerInvariant()}/{involved.Str("name")}", obj.Str("message") ?? "", name];
            case "Node":
                var nodeReady = obj.ArrAt("status", "conditions").Objects().Any(c => c.Str("type") == "Ready" && c.Str("status") == "True");
                return [name, nodeReady ? "Ready" : "NotReady", "control-plane", age, obj.Str("status", "nodeInfo", "kubeletVersion") ?? ""];
            case "StorageClass":
                var isDefault = obj.Str("metadata", "annotations", "storageclass.kubernetes.io/is-default-class") == "true";
                return [isDefault ? $"{name} (default)" : name, obj.Str("provisioner") ?? "", obj.Str("reclaimPolicy") ?? "Delete", obj.Str("volumeBindingMode") ?? "Immediate", age];
            case "Endpoints":
                var addresses = obj.ArrAt("subsets").Objects().SelectMany(s => s.ArrAt("addresses").Objects().SelectMany(a => s.ArrAt("ports").Objects().Select(p => $"{a.Str("ip")}:{p.Long("port")}"))).ToList();
                return [name, addresses.Count == 0 ? "<none>" : string.Join(",", addresses.Take(3)) + (addresses.Count > 3 ? $" + {addresses.Count - 3} more..." : ""), age];
            default:
                return [name, age];
        }
    }

    /// <summary>The STATUS column kubectl shows for a pod (Running, ContainerCreating, CrashLoopBackOff, Completed…).</summary>
    public static string PodStatus(JsonObject pod)
    {
        var reason = pod.Str("status", "reason") ?? pod.Str("status", "phase") ?? "Pending";
        var initStatuses = pod.ArrAt("status", "initContainerStatuses").Objects().ToList();
        var initTotal = pod.ArrAt("spec", "initContainers")?.Count ?? 0;
        for (var i = 0; i < initStatuses.Count; i++)
        {
            var s = initStatuses[i];
            if (s.ObjAt("state", "terminated") is { } terminated && terminated.Long("exitCode") == 0)
            {
                continue;
            }

            if (s.ObjAt("state", "waiting") is { } waiting && waiting.Str("reason") is { Length: > 0 } waitingReason && waitingReason != "PodInitializing")
            {
                return "Init:" + waitingReason;
            }

            if (s.ObjAt("state", "running") is not null)
            {
                return $"Init:{i}/{initTotal}";
            }
        }

        var running = false;
        foreach (var s in pod.ArrAt("status", "containerStatuses").Objects().Reverse())
        {
            if (s.ObjAt("state", "waiting") is { } waiting && waiting.Str("reason") is { Length: > 0 } waitingReason)
            {
                reason = waitingReason;
            }
            else if (s.ObjAt("state", "terminated") is { } terminated)
            {
                reason = terminated.Str("reason") ?? (terminated.Long("signal") is { } signal ? $"Signal:{signal}" : $"ExitCode:{terminated.Long("exitCode")}");
            }
            else if (s.Bool("ready") == true && s.ObjAt("state", "running") is not null)
            {
                running = true;
            }
        }

        if (reason == "Completed" && running)
        {
            reason = "Running";
        }

        if (pod.Str("metadata", "deletionTimestamp") is not null)
        {
            reason = "Terminating";
        }

        return reason;
    }

    private static string AccessModes(JsonArray? modes) =>
        string.Join(",", modes?.Select(m => m?.GetValue<string>() switch
        {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            var other => other,
        }) ?? []);

    public static string Age(string? timestamp, DateTimeOffset now) =>
        Json.ParseTime(timestamp) is { } t ? Human(now - t) : "<unknown>";

    /// <summary>The real apimachinery HumanDuration: "45s", "5m30s", "3h", "2d4h".</summary>
    public static string Human(TimeSpan duration)
    {
        var seconds = (long)duration.TotalSeconds;
        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 120)
        {
            return $"{seconds}s";
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            return seconds % 60 == 0 ? $"{minutes}m" : $"{minutes}m{seconds % 60}s";
        }

        if (minutes < 180)
        {
            return $"{minutes}m";
        }

        var hours = minutes / 60;
        if (hours < 8)
        {
            return minutes % 60 == 0 ? $"{hours}h" : $"{hours}h{minutes % 60}m";
        }

        if (hours < 48)
        {
            return $"{hours}h";
        }

        if (hours < 192)
        {
            return hours % 24 == 0 ? $"{hours / 24}d" : $"{hours / 24}d{hours % 24}h";
        }

        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24}d";
        }

        return $"{hours / 24 / 365}y";
    }
}
