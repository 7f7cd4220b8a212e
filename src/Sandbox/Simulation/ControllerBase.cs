using System.Text.Json.Nodes;
using Portal.Sandbox.Api;
using Portal.Sandbox.Faults;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Simulation;

/// <summary>What every simulated controller shares: the API, the clock, events, logs, faults and options.</summary>
internal sealed class SimulationContext(ClusterApi api, Simulator simulator, SimulationOptions options, FaultInjector faults, LogBook logs)
{
    private readonly Dictionary<string, string> _eventNames = new(StringComparer.Ordinal);
    private readonly Lock _eventGate = new();
    private int _nextPodIp = 2;

    public ClusterApi Api { get; } = api;

    public Simulator Simulator { get; } = simulator;

    public SimulationOptions Options { get; } = options;

    public FaultInjector Faults { get; } = faults;

    public LogBook Logs { get; } = logs;

    /// <summary>Where the simulated ingress controller serves TLS, when it does (set before the controllers start).</summary>
    public int? IngressTlsPort { get; set; }

    public ResourceRegistry Registry => Api.Registry;

    public DateTimeOffset Now => Simulator.Now;

    public string NowText => Json.Time(Now);

    public string NextPodIp()
    {
        var n = Interlocked.Increment(ref _nextPodIp);
        return $"10.244.{n / 250 % 256}.{(n % 250) + 2}";
    }

    /// <summary>
    /// Records a core/v1 Event about <paramref name="involved"/>, aggregating repeats (same reason and message) into
    /// one Event with a rising count, as the kubelet's and controllers' event recorders do.
    /// </summary>
    public void Event(JsonObject involved, string type, string reason, string message, string component, string? fieldPath = null)
    {
        var ns = involved.Namespace();
        if (ns.Length == 0)
        {
            ns = "default";
        }

        var key = $"{involved.Uid()}|{reason}|{message}|{fieldPath}";
        var events = Registry.Events;
        lock (_eventGate)
        {
            if (_eventNames.TryGetValue(key, out var existing))
            {
                var updated = Api.Mutate(events, ns, existing, e =>
                {
                    e["count"] = (e.Long("count") ?? 1) + 1;
                    e["lastTimestamp"] = NowText;
                    return true;
                }, component);
                if (updated is not null)
                {
                    return;
                }
            }

            var name = $"{involved.Name()}.{Now.UtcTicks:x}{Interlocked.Increment(ref s_eventSequence) % 4096:x3}";
            var involvedObject = new JsonObject
            {
                ["kind"] = involved.Str("kind"),
                ["namespace"] = involved.Namespace().Length > 0 ? involved.Namespace() : null,
                ["name"] = involved.Name(),
                ["uid"] = involved.Uid(),
                ["apiVersion"] = involved.Str("apiVersion"),
                ["resourceVersion"] = involved.Str("metadata", "resourceVersion"),
            };
            if (involvedObject["namespace"] is null)
            {
                involvedObject.Remove("namespace");
            }

            if (fieldPath is not null)
            {
                involvedObject["fieldPath"] = fieldPath;
            }

            var body = new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                ["involvedObject"] = involvedObject,
                ["reason"] = reason,
                ["message"] = message,
                ["source"] = new JsonObject { ["component"] = component, ["host"] = component == SandboxManagers.Kubelet ? Options.NodeName : null },
                ["firstTimestamp"] = NowText,
                ["lastTimestamp"] = NowText,
                ["count"] = 1,
                ["type"] = type,
                ["eventTime"] = null,
                ["reportingComponent"] = component,
                ["reportingInstance"] = component == SandboxManagers.Kubelet ? Options.NodeName : "",
            };
            try
            {
                Api.Create(events, ns, body, new WriteContext(component));
                _eventNames[key] = name;
            }
            catch (ApiException)
            {
                // The namespace is going away: events about its objects have nowhere to go, as on a real cluster.
            }
        }
    }

    private static long s_eventSequence;

    public static WorkItem Item(string controller, StoredObject obj) => new(controller, obj.Type.Key, obj.Namespace, obj.Name);

    public static WorkItem Item(string controller, ResourceType type, string ns, string name) => new(controller, type.Key, ns, name);

    /// <summary>The owner a controller acts for (ownerReferences entry with controller=true) of a given kind.</summary>
    public static JsonObject? ControllerRef(JsonObject obj, string kind) =>
        obj.ArrAt("metadata", "ownerReferences").Objects().FirstOrDefault(o => o.Bool("controller") == true && o.Str("kind") == kind);

    public static JsonObject OwnerReference(JsonObject owner) => new()
    {
        ["apiVersion"] = owner.Str("apiVersion"),
        ["kind"] = owner.Str("kind"),
        ["name"] = owner.Name(),
        ["uid"] = owner.Uid(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    public static bool Deleting(JsonObject obj) => obj.Str("metadata", "deletionTimestamp") is not null;

    public static JsonObject? Condition(JsonObject obj, string type) =>
        obj.ArrAt("status", "conditions").Objects().FirstOrDefault(c => c.Str("type") == type);

    public static bool IsPodReady(JsonObject pod) => Condition(pod, "Ready")?.Str("status") == "True";

    /// <summary>Ready for at least minReadySeconds: what "available" means to workload controllers.</summary>
    public bool IsPodAvailable(JsonObject pod, long minReadySeconds)
    {
        var ready = Condition(pod, "Ready");
        if (ready?.Str("status") != "True")
        {
            return false;
        }

        if (minReadySeconds <= 0)
        {
            return true;
        }

        return Json.ParseTime(ready.Str("lastTransitionTime")) is { } since && since.AddSeconds(minReadySeconds) <= Now;
    }

    public static bool IsPodTerminal(JsonObject pod) => pod.Str("status", "phase") is "Succeeded" or "Failed";

    /// <summary>Sets a condition, moving lastTransitionTime only when its status changes (as controllers do).</summary>
    public void SetCondition(JsonObject status, string type, string value, string? reason, string? message, bool withUpdateTime = false, bool touchUpdate = true)
    {
        var conditions = status.ChildArray("conditions");
        var existing = conditions.Objects().FirstOrDefault(c => c.Str("type") == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }

        var changed = existing.Str("status") != value;
        var reasonChanged = existing.Str("reason") != reason || existing.Str("message") != message;
        existing["status"] = value;
        if (withUpdateTime && (changed || reasonChanged || touchUpdate || existing["lastUpdateTime"] is null))
        {
            existing["lastUpdateTime"] = NowText;
        }

        if (changed || existing["lastTransitionTime"] is null)
        {
            existing["lastTransitionTime"] = NowText;
        }

        if (reason is null)
        {
            existing.Remove("reason");
        }
        else
        {
            existing["reason"] = reason;
        }

        if (message is null)
        {
            existing.Remove("message");
        }
        else
        {
            existing["message"] = message;
        }
    }

    /// <summary>Canonical JSON (keys sorted) so hashes of templates do not depend on property order.</summary>
    public static string Canonical(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                return "{" + string.Join(",", obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"\"{p.Key}\":{Canonical(p.Value)}")) + "}";
            case JsonArray array:
                return "[" + string.Join(",", array.Select(Canonical)) + "]";
            case null:
                return "null";
            default:
                return node.ToJsonString();
        }
    }

    /// <summary>A pod template's hash (pod-template-hash / controller-revision-hash), ignoring the hash label itself.</summary>
    public static string TemplateHash(JsonObject? template, string hashLabel)
    {
        var copy = (JsonObject?)template?.DeepClone() ?? [];
        copy.ObjAt("metadata", "labels")?.Remove(hashLabel);
        return Identity.Hash(Canonical(copy));
    }

    /// <summary>A pod from a workload's template.</summary>
    public static JsonObject PodFromTemplate(JsonObject template, JsonObject owner, string name)
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = template.ObjAt("metadata", "labels")?.DeepClone() ?? new JsonObject(),
                ["ownerReferences"] = new JsonArray(OwnerReference(owner)),
            },
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
        if (template.ObjAt("metadata", "annotations") is { Count: > 0 } annotations)
        {
            pod.Metadata()["annotations"] = annotations.DeepClone();
        }

        return pod;
    }

    /// <summary>An int-or-percent value (maxSurge, maxUnavailable) resolved against a total.</summary>
    public static int IntOrPercent(JsonNode? value, int total, bool roundUp, int fallback)
    {
        if (value is null)
        {
            return fallback;
        }

        if (value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            if (text.EndsWith('%') && int.TryParse(text[..^1], System.Globalization.CultureInfo.InvariantCulture, out var percent))
            {
                var exact = total * percent / 100.0;
                return roundUp ? (int)Math.Ceiling(exact) : (int)Math.Floor(exact);
            }

            return int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : fallback;
        }

        return (int)(value.Long() ?? fallback);
    }
}
