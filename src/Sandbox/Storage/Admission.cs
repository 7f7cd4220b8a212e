using System.Text.Json.Nodes;
using Portal.Sandbox.Api;

namespace Portal.Sandbox.Storage;

/// <summary>
/// Defaulting and mutating admission: the fields a real API server fills in on create (clusterIP, pod defaults,
/// deployment strategy, job selector, default storage class…) so objects read back the way they do on a cluster.
/// </summary>
internal sealed class Admission(ClusterApi api)
{
    private readonly HashSet<string> _usedClusterIps = new(StringComparer.Ordinal);
    private int _nextClusterIp = 10;
    private int _nextNodePort = 30000;

    public void OnCreate(ResourceType type, JsonObject obj)
    {
        var registry = api.Registry;
        if (type == registry.Namespaces)
        {
            obj.Child("spec")["finalizers"] = new JsonArray("kubernetes");
            obj.Child("status")["phase"] = "Active";
            obj.Metadata().Child("labels")["kubernetes.io/metadata.name"] = obj.Name();
        }
        else if (type == registry.Pods)
        {
            DefaultPodSpec(obj.Child("spec"));
            var status = obj.Child("status");
            status["phase"] = "Pending";
            status["qosClass"] = QosClass(obj.ObjAt("spec"));
        }
        else if (type == registry.Services)
        {
            DefaultService(obj, null);
        }
        else if (type == registry.Deployments)
        {
            var spec = obj.Child("spec");
            spec["replicas"] ??= 1;
            spec["revisionHistoryLimit"] ??= 10;
            spec["progressDeadlineSeconds"] ??= 600;
            var strategy = spec.Child("strategy");
            strategy["type"] ??= "RollingUpdate";
            if (strategy.Str("type") == "RollingUpdate")
            {
                var rolling = strategy.Child("rollingUpdate");
                rolling["maxSurge"] ??= "25%";
                rolling["maxUnavailable"] ??= "25%";
            }

            DefaultPodSpec(spec.Child("template").Child("spec"));
        }
        else if (type == registry.ReplicaSets)
        {
            var spec = obj.Child("spec");
            spec["replicas"] ??= 1;
            DefaultPodSpec(spec.Child("template").Child("spec"));
        }
        else if (type == registry.StatefulSets)
        {
            var spec = obj.Child("spec");
            spec["replicas"] ??= 1;
            spec["podManagementPolicy"] ??= "OrderedReady";
            spec["revisionHistoryLimit"] ??= 10;
            var strategy = spec.Child("updateStrategy");
            strategy["type"] ??= "RollingUpdate";
            if (strategy.Str("type") == "RollingUpdate")
            {
                strategy.Child("rollingUpdate")["partition"] ??= 0;
            }

            var retention = spec.Child("persistentVolumeClaimRetentionPolicy");
            retention["whenDeleted"] ??= "Retain";
            retention["whenScaled"] ??= "Retain";
            DefaultPodSpec(spec.Child("template").Child("spec"));
            DefaultClaimTemplates(spec);
        }
        else if (type == registry.Jobs)
        {
            DefaultJob(obj);
        }
        else if (type == registry.Secrets)
        {
            obj["type"] ??= "Opaque";
            FoldStringData(obj);
        }
        else if (type == registry.PersistentVolumeClaims)
        {
            var spec = obj.Child("spec");
            spec["volumeMode"] ??= "Filesystem";
            if (spec["storageClassName"] is null && DefaultStorageClass() is { } defaultClass)
            {
                spec["storageClassName"] = defaultClass;
            }

            obj.Child("status")["phase"] = "Pending";
        }
        else if (type == registry.Ingresses)
        {
            obj.Child("status").Child("loadBalancer");
        }
    }

    public void OnUpdate(ResourceType type, JsonObject old, JsonObject obj)
    {
        var registry = api.Registry;
        if (type == registry.Services)
        {
            DefaultService(obj, old);
        }
        else if (type == registry.Secrets)
        {
            FoldStringData(obj);
        }
        else if (type == registry.Namespaces)
        {
            // spec.finalizers only changes through the finalize subresource.
            obj.Child("spec")["finalizers"] = old.ObjAt("spec")?["finalizers"]?.DeepClone();
            obj.Metadata().Child("labels")["kubernetes.io/metadata.name"] = obj.Name();
        }
        else if (type == registry.Pods || type == registry.Deployments || type == registry.StatefulSets || type == registry.ReplicaSets || type == registry.Jobs)
        {
            var podSpec = type == registry.Pods ? obj.ObjAt("spec") : obj.ObjAt("spec", "template", "spec");
            if (podSpec is not null)
            {
                DefaultPodSpec(podSpec);
            }

            // Claim templates are defaulted on every write, as the real API server does: an apply that leaves the defaults
            // out must not look like a change (it would bump the generation).
            if (type == registry.StatefulSets && obj.ObjAt("spec") is { } spec)
            {
                DefaultClaimTemplates(spec);
            }
        }
    }

    private static void DefaultClaimTemplates(JsonObject statefulSetSpec)
    {
        foreach (var claim in statefulSetSpec.ArrAt("volumeClaimTemplates").Objects())
        {
            claim["apiVersion"] ??= "v1";
            claim["kind"] ??= "PersistentVolumeClaim";
            claim.Child("spec")["volumeMode"] ??= "Filesystem";
        }
    }

    /// <summary>Marks an address taken (services loaded from a state file).</summary>
    public void Reserve(string? ip)
    {
        if (ip is not null)
        {
            _usedClusterIps.Add(ip);
        }
    }

    public void ReleaseClusterIp(string? ip)
    {
        if (ip is not null)
        {
            _usedClusterIps.Remove(ip);
        }
    }

    private string? DefaultStorageClass() =>
        api.Store.List(api.Registry.StorageClasses, null).Items
            .FirstOrDefault(c => c.Node.Str("metadata", "annotations", "storageclass.kubernetes.io/is-default-class") == "true")?.Name;

    private void DefaultService(JsonObject obj, JsonObject? old)
    {
        var spec = obj.Child("spec");
        spec["type"] ??= old.Str("spec", "type") ?? "ClusterIP";
        spec["sessionAffinity"] ??= "None";
        var type = spec.Str("type");
        if (type != "ExternalName")
        {
            if (spec["clusterIP"] is null || spec.Str("clusterIP") == "")
            {
                spec["clusterIP"] = old.Str("spec", "clusterIP") ?? AllocateClusterIp();
            }

            spec["clusterIPs"] = new JsonArray(spec.Str("clusterIP"));
            spec["ipFamilies"] ??= new JsonArray("IPv4");
            spec["ipFamilyPolicy"] ??= "SingleStack";
            spec["internalTrafficPolicy"] ??= "Cluster";
        }

        var oldPorts = old.ArrAt("spec", "ports").Objects().ToList();
        foreach (var port in spec.ArrAt("ports").Objects())
        {
            port["protocol"] ??= "TCP";
            port["targetPort"] ??= port["port"]?.DeepClone();
            if (type is "NodePort" or "LoadBalancer" && port["nodePort"] is null)
            {
                var previous = oldPorts.FirstOrDefault(p => Json.Same(p["port"], port["port"]))?["nodePort"];
                port["nodePort"] = previous?.DeepClone() ?? _nextNodePort++;
            }
        }

        if (type is "NodePort" or "LoadBalancer")
        {
            spec["externalTrafficPolicy"] ??= "Cluster";
        }

        if (old is null)
        {
            obj.Child("status").Child("loadBalancer");
        }
    }

    private string AllocateClusterIp()
    {
        while (true)
        {
            var n = _nextClusterIp++;
            var ip = $"10.96.{n / 250 % 256}.{(n % 250) + 1}";
            if (_usedClusterIps.Add(ip))
            {
                return ip;
            }
        }
    }

    private void DefaultJob(JsonObject obj)
    {
        var spec = obj.Child("spec");
        spec["parallelism"] ??= 1;
        spec["completions"] ??= 1;
        spec["backoffLimit"] ??= 6;
        spec["completionMode"] ??= "NonIndexed";
        spec["suspend"] ??= false;
        var uid = obj.Uid();
        var template = spec.Child("template");
        var labels = template.Metadata().Child("labels");
        if (spec["selector"] is null || spec.Bool("manualSelector") != true)
        {
            spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid } };
            labels["batch.kubernetes.io/controller-uid"] = uid;
            labels["controller-uid"] = uid;
        }

        labels["batch.kubernetes.io/job-name"] = obj.Name();
        labels["job-name"] = obj.Name();
        DefaultPodSpec(template.Child("spec"));
    }

    private static void FoldStringData(JsonObject secret)
    {
        if (secret["stringData"] is not JsonObject stringData)
        {
            return;
        }

        var data = secret.Child("data");
        foreach (var (key, value) in stringData)
        {
            data[key] = ClusterApi.Base64(value?.GetValue<string>() ?? "");
        }

        secret.Remove("stringData");
    }

    private static void DefaultPodSpec(JsonObject spec)
    {
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["schedulerName"] ??= "default-scheduler";
        spec["securityContext"] ??= new JsonObject();
        if (spec["serviceAccountName"] is null)
        {
            spec["serviceAccountName"] = spec["serviceAccount"]?.DeepClone() ?? "default";
        }

        spec["serviceAccount"] ??= spec["serviceAccountName"]!.DeepClone();
        foreach (var list in (string[])["initContainers", "containers"])
        {
            foreach (var container in spec.ArrAt(list).Objects())
            {
                var image = container.Str("image") ?? "";
                container["imagePullPolicy"] ??= image.Contains(':', StringComparison.Ordinal) && !image.EndsWith(":latest", StringComparison.Ordinal) ? "IfNotPresent" : "Always";
                container["terminationMessagePath"] ??= "/dev/termination-log";
                container["terminationMessagePolicy"] ??= "File";
                container["resources"] ??= new JsonObject();
                foreach (var port in container.ArrAt("ports").Objects())
                {
                    port["protocol"] ??= "TCP";
                }
            }
        }
    }

    private static string QosClass(JsonObject? spec)
    {
        var containers = spec.ArrAt("containers").Objects().ToList();
        var anyResources = containers.Any(c => c.ObjAt("resources", "requests") is { Count: > 0 } || c.ObjAt("resources", "limits") is { Count: > 0 });
        if (!anyResources)
        {
            return "BestEffort";
        }

        var guaranteed = containers.All(c =>
            c.ObjAt("resources", "limits") is { } limits && limits["cpu"] is not null && limits["memory"] is not null
            && (c.ObjAt("resources", "requests") is not { } requests || (Json.Same(requests["cpu"], limits["cpu"]) && Json.Same(requests["memory"], limits["memory"]))));
        return guaranteed ? "Guaranteed" : "Burstable";
    }
}

/// <summary>The validation a real server does that clients notice (names, required fields, immutable fields).</summary>
internal static class Validation
{
    public static void CheckName(ResourceType type, string name)
    {
        var labelOnly = type.Plural is "namespaces" or "services";
        var max = labelOnly ? 63 : 253;
        var valid = name.Length <= max && (labelOnly ? IsDnsLabel(name) : name.Split('.').All(IsDnsLabel));
        if (!valid)
        {
            var rule = labelOnly
                ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
                : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
            throw ApiException.Invalid(type, name, [("metadata.name", $"Invalid value: \"{name}\": {rule}")]);
        }
    }

    public static void Check(ResourceType type, JsonObject? old, JsonObject obj)
    {
        var causes = new List<(string, string)>();
        CheckLabels(obj["metadata"]?["labels"] as JsonObject, "metadata.labels", causes);
        if (obj["spec"]?["template"]?["metadata"]?["labels"] is JsonObject templateLabels)
        {
            CheckLabels(templateLabels, "spec.template.metadata.labels", causes);
        }

        switch (type.Kind)
        {
            case "Pod":
                CheckContainers(obj.ObjAt("spec"), "spec", causes);
                break;
            case "Deployment" or "ReplicaSet" or "StatefulSet":
                CheckContainers(obj.ObjAt("spec", "template", "spec"), "spec.template.spec", causes);
                var selector = obj.ObjAt("spec", "selector");
                if (selector is null)
                {
                    causes.Add(("spec.selector", "Required value"));
                }
                else if (!LabelSelector.FromObject(selector).Matches(obj.Labels("spec", "template", "metadata", "labels")))
                {
                    causes.Add(("spec.template.metadata.labels", $"Invalid value: {obj.ObjAt("spec", "template", "metadata", "labels")?.ToJsonString() ?? "null"}: `selector` does not match template `labels`"));
                }

                if (old is not null && !Json.Same(old.ObjAt("spec", "selector"), selector))
                {
                    causes.Add(("spec.selector", $"Invalid value: {selector?.ToJsonString()}: field is immutable"));
                }

                break;
            case "Job":
                CheckContainers(obj.ObjAt("spec", "template", "spec"), "spec.template.spec", causes);
                if (obj.Str("spec", "template", "spec", "restartPolicy") is not ("Never" or "OnFailure"))
                {
                    causes.Add(("spec.template.spec.restartPolicy", "Required value: valid values: \"OnFailure\", \"Never\""));
                }

                if (old is not null && !Json.Same(old.ObjAt("spec", "template"), obj.ObjAt("spec", "template")))
                {
                    causes.Add(("spec.template", "Invalid value: field is immutable"));
                }

                break;
            case "ConfigMap":
                foreach (var (key, value) in obj.ObjAt("data") ?? [])
                {
                    if (value is not JsonValue v || !v.TryGetValue<string>(out _))
                    {
                        causes.Add(($"data[{key}]", "Invalid value: must be a string"));
                    }
                }

                break;
            case "Secret":
                foreach (var (key, value) in obj.ObjAt("data") ?? [])
                {
                    if (value is not JsonValue v || !v.TryGetValue<string>(out var s) || !IsBase64(s))
                    {
                        causes.Add(($"data[{key}]", "Invalid value: must be base64-encoded"));
                    }
                }

                if (old is not null && old.Str("type") != obj.Str("type"))
                {
                    causes.Add(("type", "Invalid value: field is immutable"));
                }

                break;
            case "Service":
                if (old is not null && old.Str("spec", "clusterIP") is { } oldIp && obj.Str("spec", "clusterIP") is { } newIp && oldIp != newIp)
                {
                    causes.Add(("spec.clusterIPs[0]", "Invalid value: field is immutable"));
                }

                break;
        }

        if (causes.Count > 0)
        {
            throw ApiException.Invalid(type, obj.Name(), causes);
        }
    }

    // Label values as the real API server checks them: at most 63 characters, alphanumerics, '-', '_' and '.', starting and
    // ending with an alphanumeric (or empty). Keys: an optional DNS subdomain prefix and a name of the same shape.
    private static void CheckLabels(JsonObject? labels, string path, List<(string, string)> causes)
    {
        foreach (var (key, node) in labels ?? [])
        {
            var value = node?.GetValue<string>() ?? "";
            if (value.Length > 63 || (value.Length > 0 && !IsQualifiedPart(value)))
            {
                causes.Add(($"{path}", $"Invalid value: \"{value}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
            }

            var slash = key.LastIndexOf('/');
            var name = slash < 0 ? key : key[(slash + 1)..];
            var prefix = slash < 0 ? null : key[..slash];
            if (name.Length is 0 or > 63 || !IsQualifiedPart(name) || (prefix is not null && (prefix.Length > 253 || !prefix.Split('.').All(IsDnsLabel))))
            {
                causes.Add(($"{path}", $"Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
            }
        }
    }

    private static bool IsQualifiedPart(string text) =>
        char.IsAsciiLetterOrDigit(text[0]) && char.IsAsciiLetterOrDigit(text[^1]) && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static void CheckContainers(JsonObject? podSpec, string path, List<(string, string)> causes)
    {
        var containers = podSpec.ArrAt("containers");
        if (containers is null || containers.Count == 0)
        {
            causes.Add(($"{path}.containers", "Required value"));
            return;
        }

        var index = 0;
        foreach (var container in containers.Objects())
        {
            if (string.IsNullOrEmpty(container.Str("name")))
            {
                causes.Add(($"{path}.containers[{index}].name", "Required value"));
            }

            if (string.IsNullOrEmpty(container.Str("image")))
            {
                causes.Add(($"{path}.containers[{index}].image", "Required value"));
            }

            index++;
        }
    }

    private static bool IsDnsLabel(string text) =>
        text.Length is > 0 and <= 63
        && IsLowerOrDigit(text[0])
        && IsLowerOrDigit(text[^1])
        && text.All(c => IsLowerOrDigit(c) || c == '-');

    private static bool IsLowerOrDigit(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');

    private static bool IsBase64(string text)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(text, buffer, out _);
    }
}
