using System.Text.Json.Nodes;
using Portal.Sandbox.Api;
using Portal.Sandbox.Faults;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Simulation;

/// <summary>
/// The scheduler and kubelet of the single simulated node: binds pods, "pulls" images, starts containers, reports
/// readiness, runs batch pods to completion, and plays the faults (image pull failure, crash loop, never ready,
/// failing job) with the events and container states the real kubelet reports.
/// </summary>
internal sealed class Kubelet(SimulationContext sim) : IController
{
    private const string ControllerName = "kubelet";

    // When each container entered its current waiting state: the only kubelet state not visible in the pod itself.
    private readonly Dictionary<(string Uid, string Container), DateTimeOffset> _waitingSince = [];
    private readonly Dictionary<(string Uid, string Container), long> _pullAttempts = [];
    private readonly HashSet<string> _killing = [];
    private readonly Lock _gate = new();

    public string Name => ControllerName;

    public IEnumerable<WorkItem> Interested(StoreEvent change)
    {
        if (change.Object.Type == sim.Registry.Pods)
        {
            if (change.Type == ChangeType.Deleted)
            {
                sim.Logs.RemovePod(change.Object.Namespace, change.Object.Name);
                lock (_gate)
                {
                    foreach (var key in _waitingSince.Keys.Where(k => k.Uid == change.Object.Uid).ToList())
                    {
                        _waitingSince.Remove(key);
                    }

                    foreach (var key in _pullAttempts.Keys.Where(k => k.Uid == change.Object.Uid).ToList())
                    {
                        _pullAttempts.Remove(key);
                    }

                    _killing.Remove(change.Object.Uid);
                }

                yield break;
            }

            yield return SimulationContext.Item(ControllerName, change.Object);
        }
        else if (change.Object.Type == sim.Registry.PersistentVolumeClaims && change.Type != ChangeType.Deleted)
        {
            // A claim that binds lets its pods schedule.
            foreach (var pod in sim.Api.Store.List(sim.Registry.Pods, change.Object.Namespace).Items)
            {
                if (pod.Node.Str("spec", "nodeName") is null && ClaimNames(pod.Node).Contains(change.Object.Name))
                {
                    yield return SimulationContext.Item(ControllerName, pod);
                }
            }
        }
    }

    public void Reconcile(WorkItem item)
    {
        var stored = sim.Api.Store.Get(sim.Registry.Pods, item.Namespace, item.Name);
        if (stored is null)
        {
            return;
        }

        var pod = stored.Node;
        if (SimulationContext.Deleting(pod))
        {
            Terminate(stored);
            return;
        }

        if (pod.Str("spec", "nodeName") is null)
        {
            Schedule(stored);
            return;
        }

        Run(stored);
    }

    private void Terminate(StoredObject stored)
    {
        var pod = stored.Node;
        var since = Json.ParseTime(pod.Str("metadata", "deletionTimestamp")) ?? sim.Now;
        var grace = TimeSpan.FromSeconds(pod.Long("metadata", "deletionGracePeriodSeconds") ?? 30);
        var due = since + (grace < sim.Options.PodTerminationDelay ? grace : sim.Options.PodTerminationDelay);
        if (sim.Now < due)
        {
            bool first;
            lock (_gate)
            {
                first = _killing.Add(stored.Uid);
            }

            if (first && pod.ArrAt("status", "containerStatuses").Objects().Any(c => c.ObjAt("state", "running") is not null))
            {
                foreach (var container in pod.ArrAt("spec", "containers").Objects())
                {
                    sim.Event(pod, "Normal", "Killing", $"Stopping container {container.Str("name")}", SandboxManagers.Kubelet, $"spec.containers{{{container.Str("name")}}}");
                }
            }

            sim.Simulator.At(due, SimulationContext.Item(ControllerName, stored));
            return;
        }

        foreach (var container in pod.ArrAt("spec", "containers").Objects())
        {
            sim.Logs.Terminated(stored.Namespace, stored.Name, container.Str("name") ?? "");
        }

        lock (sim.Api.Store.Gate)
        {
            // Removed only if it is still the same pod (not re-created under the same name meanwhile).
            if (sim.Api.Store.Get(sim.Registry.Pods, stored.Namespace, stored.Name) is { } current && current.Uid == stored.Uid
                && current.Node.ArrAt("metadata", "finalizers") is not { Count: > 0 })
            {
                sim.Api.Store.Remove(sim.Registry.Pods, stored.Namespace, stored.Name);
            }
        }
    }

    private void Schedule(StoredObject stored)
    {
        var pod = stored.Node;
        var created = Json.ParseTime(pod.Str("metadata", "creationTimestamp")) ?? sim.Now;
        var due = created + sim.Options.SchedulingDelay;
        if (sim.Now < due)
        {
            sim.Simulator.At(due, SimulationContext.Item(ControllerName, stored));
            return;
        }

        var pvcs = sim.Registry.PersistentVolumeClaims;
        foreach (var claimName in ClaimNames(pod))
        {
            var claim = sim.Api.Store.Get(pvcs, stored.Namespace, claimName);
            string? problem = null;
            if (claim is null)
            {
                problem = $"0/1 nodes are available: persistentvolumeclaim \"{claimName}\" not found. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
            }
            else if (claim.Node.Str("status", "phase") != "Bound")
            {
                var className = claim.Node.Str("spec", "storageClassName");
                var storageClass = className is null ? null : sim.Api.Store.Get(sim.Registry.StorageClasses, "", className);
                if (storageClass?.Node.Str("volumeBindingMode") == "WaitForFirstConsumer")
                {
                    // The scheduler picks the node and tells the provisioner, which binds the claim next.
                    sim.Api.Mutate(pvcs, stored.Namespace, claimName, c =>
                    {
                        var annotations = c.Metadata().Child("annotations");
                        if (annotations["volume.kubernetes.io/selected-node"] is not null)
                        {
                            return false;
                        }

                        annotations["volume.kubernetes.io/selected-node"] = sim.Options.NodeName;
                        return true;
                    }, SandboxManagers.Scheduler);
                }

                problem = "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.";
            }

            if (problem is not null)
            {
                sim.Api.Mutate(sim.Registry.Pods, stored.Namespace, stored.Name, p =>
                {
                    sim.SetCondition(p.Child("status"), "PodScheduled", "False", "Unschedulable", problem);
                    return true;
                }, SandboxManagers.Scheduler, "status");
                sim.Event(pod, "Warning", "FailedScheduling", problem, "default-scheduler");
                return;
            }
        }

        var bound = sim.Api.Mutate(sim.Registry.Pods, stored.Namespace, stored.Name, p =>
        {
            p.Child("spec")["nodeName"] = sim.Options.NodeName;
            sim.SetCondition(p.Child("status"), "PodScheduled", "True", null, null);
            return true;
        }, SandboxManagers.Scheduler);
        if (bound is not null)
        {
            sim.Event(bound.Node, "Normal", "Scheduled", $"Successfully assigned {stored.Namespace}/{stored.Name} to {sim.Options.NodeName}", "default-scheduler");
        }
    }

    private void Run(StoredObject stored)
    {
        var pod = stored.Node;
        var now = sim.Now;
        var jobName = SimulationContext.ControllerRef(pod, "Job")?.Str("name");
        var restartPolicy = pod.Str("spec", "restartPolicy") ?? "Always";
        var batch = restartPolicy != "Always";
        var events = new List<(string Type, string Reason, string Message, string Container)>();
        var logs = new List<(string Container, string Text)>();
        var restarts = new List<string>();
        var terminations = new List<string>();
        var completed = new List<JsonObject>();
        DateTimeOffset? next = null;
        void WakeAt(DateTimeOffset t) => next = next is null || t < next ? t : next;

        if (SimulationContext.IsPodTerminal(pod))
        {
            return;
        }

        var updated = sim.Api.Mutate(sim.Registry.Pods, stored.Namespace, stored.Name, p =>
        {
            var status = p.Child("status");
            var spec = p.ObjAt("spec")!;
            if (status["startTime"] is null)
            {
                status["startTime"] = sim.NowText;
                status["hostIP"] = "172.18.0.2";
                status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = "172.18.0.2" });
                var ip = sim.NextPodIp();
                status["podIP"] = ip;
                status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip });
                sim.SetCondition(status, "PodReadyToStartContainers", "True", null, null);
                sim.SetCondition(status, "Initialized", "True", null, null);
                if (spec.ArrAt("initContainers") is { Count: > 0 } inits)
                {
                    status["initContainerStatuses"] = Json.ToArray(inits.Objects().Select(c => (JsonNode)new JsonObject
                    {
                        ["name"] = c.Str("name"),
                        ["image"] = c.Str("image"),
                        ["imageID"] = ImageId(c.Str("image")),
                        ["ready"] = true,
                        ["restartCount"] = 0,
                        ["started"] = false,
                        ["state"] = new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = 0, ["reason"] = "Completed", ["startedAt"] = sim.NowText, ["finishedAt"] = sim.NowText } },
                    }));
                }

                status["containerStatuses"] = Json.ToArray(spec.ArrAt("containers").Objects().Select(c => (JsonNode)new JsonObject
                {
                    ["name"] = c.Str("name"),
                    ["image"] = c.Str("image"),
                    ["imageID"] = "",
                    ["ready"] = false,
                    ["restartCount"] = 0,
                    ["started"] = false,
                    ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } },
                }));
                foreach (var c in spec.ArrAt("containers").Objects())
                {
                    SetWaitingSince(p.Uid(), c.Str("name")!, now);
                    events.Add(("Normal", "Pulling", $"Pulling image \"{c.Str("image")}\"", c.Str("name")!));
                }
            }

            var containers = spec.ArrAt("containers").Objects().ToDictionary(c => c.Str("name") ?? "");
            foreach (var cs in status.ArrAt("containerStatuses").Objects())
            {
                var name = cs.Str("name") ?? "";
                if (!containers.TryGetValue(name, out var container))
                {
                    continue;
                }

                var fault = sim.Faults.PodFaultFor(p, container, jobName);
                var image = container.Str("image") ?? "";
                var state = cs.ObjAt("state")!;
                if (state["waiting"] is JsonObject waiting)
                {
                    var since = WaitingSince(p.Uid(), name, now);
                    var reason = waiting.Str("reason");
                    if (reason is "ContainerCreating" or "ErrImagePull" or "ImagePullBackOff")
                    {
                        var pullDue = since + (reason == "ContainerCreating" ? sim.Options.ImagePullDelay : Backoff(cs.Long("restartCount") ?? 0, PullAttempts(name, p)));
                        if (now < pullDue)
                        {
                            WakeAt(pullDue);
                            continue;
                        }

                        if (fault == PodFault.ImagePull)
                        {
                            if (reason == "ErrImagePull")
                            {
                                cs["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ImagePullBackOff", ["message"] = $"Back-off pulling image \"{image}\"" } };
                                events.Add(("Normal", "BackOff", $"Back-off pulling image \"{image}\"", name));
                                events.Add(("Warning", "Failed", "Error: ImagePullBackOff", name));
                            }
                            else
                            {
                                if (reason == "ImagePullBackOff")
                                {
                                    events.Add(("Normal", "Pulling", $"Pulling image \"{image}\"", name));
                                }

                                var message = $"Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": not found";
                                cs["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ErrImagePull", ["message"] = message } };
                                events.Add(("Warning", "Failed", message, name));
                                events.Add(("Warning", "Failed", "Error: ErrImagePull", name));
                                IncrementPullAttempts(p, name);
                            }

                            SetWaitingSince(p.Uid(), name, now);
                            WakeAt(now + Backoff(0, PullAttempts(name, p)));
                            continue;
                        }

                        events.Add(("Normal", "Pulled", $"Successfully pulled image \"{image}\" in {sim.Options.ImagePullDelay.TotalSeconds:0.###}s ({sim.Options.ImagePullDelay.TotalSeconds:0.###}s including waiting). Image size: 52428800 bytes.", name));
                        StartContainer(p, cs, container, fault, batch, now, events, logs, WakeAt);
                        continue;
                    }

                    if (reason == "CrashLoopBackOff")
                    {
                        var finished = Json.ParseTime(cs.Str("lastState", "terminated", "finishedAt")) ?? since;
                        var restartDue = finished + Backoff(cs.Long("restartCount") ?? 0, 0);
                        if (now < restartDue)
                        {
                            WakeAt(restartDue);
                            continue;
                        }

                        restarts.Add(name);
                        events.Add(("Normal", "Pulled", $"Container image \"{image}\" already present on machine", name));
                        StartContainer(p, cs, container, fault, batch, now, events, logs, WakeAt);
                    }

                    continue;
                }

                if (state["running"] is JsonObject running)
                {
                    var startedAt = Json.ParseTime(running.Str("startedAt")) ?? now;
                    var endAt = fault == PodFault.CrashLoop ? startedAt + sim.Options.CrashRunDuration
                        : batch ? startedAt + sim.Options.JobRunDuration
                        : (DateTimeOffset?)null;
                    if (endAt is { } end && now >= end)
                    {
                        var failed = fault is PodFault.CrashLoop or PodFault.Fail;
                        var terminated = new JsonObject
                        {
                            ["exitCode"] = failed ? 1 : 0,
                            ["reason"] = failed ? "Error" : "Completed",
                            ["startedAt"] = running.Str("startedAt"),
                            ["finishedAt"] = sim.NowText,
                            ["containerID"] = cs.Str("containerID"),
                        };
                        logs.Add((name, failed ? $"{Json.MicroTime(now)} ERROR {name}: fatal: {(fault == PodFault.CrashLoop ? "unable to start: connection refused" : "job step failed")}" : $"{Json.MicroTime(now)} INFO  {name}: work complete, exiting"));
                        terminations.Add(name);
                        if (!failed)
                        {
                            completed.Add(container);
                        }

                        cs["ready"] = false;
                        cs["started"] = false;
                        var restart = restartPolicy == "Always" || (restartPolicy == "OnFailure" && failed);
                        if (restart)
                        {
                            cs["lastState"] = new JsonObject { ["terminated"] = terminated };
                            cs["restartCount"] = (cs.Long("restartCount") ?? 0) + 1;
                            var backoff = Backoff(cs.Long("restartCount") ?? 1, 0);
                            cs["state"] = new JsonObject
                            {
                                ["waiting"] = new JsonObject
                                {
                                    ["reason"] = "CrashLoopBackOff",
                                    ["message"] = $"back-off {Tables.Human(backoff)} restarting failed container={name} pod={p.Name()}_{p.Namespace()}({p.Uid()})",
                                },
                            };
                            SetWaitingSince(p.Uid(), name, now);
                            events.Add(("Warning", "BackOff", $"Back-off restarting failed container {name} in pod {p.Name()}_{p.Namespace()}({p.Uid()})", name));
                            WakeAt(now + backoff);
                        }
                        else
                        {
                            cs["state"] = new JsonObject { ["terminated"] = terminated };
                        }

                        continue;
                    }

                    if (endAt is { } later)
                    {
                        WakeAt(later);
                    }

                    if (cs.Bool("ready") != true)
                    {
                        var probed = container["readinessProbe"] is not null || fault == PodFault.NeverReady;
                        var readyAt = probed ? startedAt + sim.Options.ReadinessDelay : startedAt;
                        if (fault == PodFault.NeverReady)
                        {
                            var lastProbe = LastProbe(p.Uid(), name + "#probe", readyAt - sim.Options.ProbeInterval);
                            if (now >= lastProbe + sim.Options.ProbeInterval)
                            {
                                events.Add(("Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", name));
                                SetWaitingSince(p.Uid(), name + "#probe", now);
                                WakeAt(now + sim.Options.ProbeInterval);
                            }
                            else
                            {
                                WakeAt(lastProbe + sim.Options.ProbeInterval);
                            }
                        }
                        else if (now >= readyAt)
                        {
                            cs["ready"] = true;
                        }
                        else
                        {
                            WakeAt(readyAt);
                        }
                    }

                    if (sim.Options.LogHeartbeatInterval is { } beat && endAt is null)
                    {
                        var last = LastProbe(p.Uid(), name + "#beat", startedAt);
                        if (now >= last + beat)
                        {
                            var beats = (long)((now - startedAt) / beat);
                            logs.Add((name, $"{Json.MicroTime(now)} INFO  {name}: heartbeat {beats}: serving, 0 errors"));
                            SetWaitingSince(p.Uid(), name + "#beat", now);
                            WakeAt(now + beat);
                        }
                        else
                        {
                            WakeAt(last + beat);
                        }
                    }
                }
            }

            UpdatePodConditions(p, status, restartPolicy);
            return true;
        }, SandboxManagers.Kubelet, "status");

        var podNode = updated?.Node ?? pod;
        foreach (var name in terminations)
        {
            sim.Logs.Terminated(stored.Namespace, stored.Name, name);
        }

        foreach (var container in completed)
        {
            WriteBootloaderSecret(stored.Namespace, container);
        }

        foreach (var (type, reason, message, container) in events)
        {
            if (reason == "Started")
            {
                if (restarts.Contains(container))
                {
                    sim.Logs.Restarted(stored.Namespace, stored.Name, container);
                }
                else
                {
                    sim.Logs.Started(stored.Namespace, stored.Name, container);
                }
            }

            sim.Event(podNode, type, reason, message, SandboxManagers.Kubelet, $"spec.containers{{{container}}}");
        }

        foreach (var (container, text) in logs)
        {
            sim.Logs.Append(stored.Namespace, stored.Name, container, now, text);
        }

        if (next is { } wake)
        {
            sim.Simulator.At(wake, SimulationContext.Item(ControllerName, stored));
        }
    }

    private void StartContainer(JsonObject pod, JsonObject cs, JsonObject container, PodFault fault, bool batch, DateTimeOffset now, List<(string, string, string, string)> events, List<(string, string)> logs, Action<DateTimeOffset> wakeAt)
    {
        var name = cs.Str("name") ?? "";
        var image = container.Str("image") ?? "";
        cs["imageID"] = ImageId(image);
        cs["containerID"] = $"containerd://{Identity.Hash(pod.Uid() + name + (cs.Long("restartCount") ?? 0)).PadRight(12, '0')}";
        cs["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = sim.NowText } };
        cs["started"] = true;
        var probed = container["readinessProbe"] is not null || fault == PodFault.NeverReady;
        cs["ready"] = !probed && fault != PodFault.NeverReady;
        events.Add(("Normal", "Created", $"Created container: {name}", name));
        events.Add(("Normal", "Started", $"Started container {name}", name));
        var ports = string.Join(", ", container.ArrAt("ports").Objects().Select(p => p.Long("containerPort")));
        logs.Add((name, $"{Json.MicroTime(now)} INFO  {name}: starting {image}"));
        logs.Add((name, $"{Json.MicroTime(now)} INFO  {name}: configuration loaded from environment ({container.ArrAt("env")?.Count ?? 0} variables)"));
        logs.Add((name, ports.Length > 0 ? $"{Json.MicroTime(now)} INFO  {name}: listening on port(s) {ports}" : $"{Json.MicroTime(now)} INFO  {name}: started"));
        if (probed)
        {
            wakeAt(now + sim.Options.ReadinessDelay);
        }

        if (fault == PodFault.CrashLoop)
        {
            wakeAt(now + sim.Options.CrashRunDuration);
        }
        else if (batch)
        {
            wakeAt(now + sim.Options.JobRunDuration);
        }

        if (sim.Options.LogHeartbeatInterval is { } beat && !batch && fault != PodFault.CrashLoop)
        {
            SetWaitingSince(pod.Uid(), name + "#beat", now);
            wakeAt(now + beat);
        }
    }

    /// <summary>What Airbyte's bootloader does when it completes: it writes the Secret named by <c>AB_KUBERNETES_SECRET_NAME</c>
    /// (instance-admin, JWT and dataplane credentials) unless it exists, when <c>AB_AUTH_SECRET_CREATION_ENABLED</c> is true.</summary>
    private void WriteBootloaderSecret(string ns, JsonObject container)
    {
        var env = container.ArrAt("env").Objects().ToDictionary(e => e.Str("name") ?? "", e => e.Str("value"), StringComparer.Ordinal);
        if (env.GetValueOrDefault("AB_AUTH_SECRET_CREATION_ENABLED") != "true" || env.GetValueOrDefault("AB_KUBERNETES_SECRET_NAME") is not { Length: > 0 } name
            || sim.Api.Store.Get(sim.Registry.Secrets, ns, name) is not null)
        {
            return;
        }

        var data = new JsonObject();
        foreach (var key in new[] { "instance-admin-password", "instance-admin-client-id", "instance-admin-client-secret", "jwt-signature-secret", "dataplane-client-id", "dataplane-client-secret" })
        {
            data[key] = ClusterApi.Base64(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        }

        try
        {
            sim.Api.Create(sim.Registry.Secrets, ns, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name }, ["type"] = "Opaque", ["data"] = data },
                new WriteContext("airbyte-bootloader"));
        }
        catch (ApiException)
        {
            // Written meanwhile, or the namespace is going away: as the real bootloader, leave it.
        }
    }

    private void UpdatePodConditions(JsonObject pod, JsonObject status, string restartPolicy)
    {
        var statuses = status.ArrAt("containerStatuses").Objects().ToList();
        var allReady = statuses.Count > 0 && statuses.All(s => s.Bool("ready") == true);
        var allTerminated = statuses.Count > 0 && statuses.All(s => s.ObjAt("state", "terminated") is not null);
        var anyRunning = statuses.Any(s => s.ObjAt("state", "running") is not null || s.Str("state", "waiting", "reason") == "CrashLoopBackOff");
        if (allTerminated)
        {
            var succeeded = statuses.All(s => s.Long("state", "terminated", "exitCode") == 0);
            status["phase"] = succeeded ? "Succeeded" : "Failed";
            sim.SetCondition(status, "Ready", "False", "PodCompleted", null);
            sim.SetCondition(status, "ContainersReady", "False", "PodCompleted", null);
            sim.SetCondition(status, "PodReadyToStartContainers", "False", null, null);
            return;
        }

        status["phase"] = anyRunning || statuses.Any(s => s.ObjAt("lastState", "terminated") is not null) ? "Running" : "Pending";
        var notReady = statuses.Where(s => s.Bool("ready") != true).Select(s => s.Str("name")).ToList();
        var message = notReady.Count == 0 ? null : $"containers with unready status: [{string.Join(" ", notReady)}]";
        sim.SetCondition(status, "ContainersReady", allReady ? "True" : "False", allReady ? null : "ContainersNotReady", message);
        sim.SetCondition(status, "Ready", allReady ? "True" : "False", allReady ? null : "ContainersNotReady", message);
        SortConditions(status);
    }

    private static void SortConditions(JsonObject status)
    {
        string[] order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];
        if (status["conditions"] is not JsonArray conditions)
        {
            return;
        }

        var sorted = conditions.Objects().OrderBy(c => Array.IndexOf(order, c.Str("type")) is var i && i < 0 ? 99 : i).Select(c => c.DeepClone()).ToList();
        status["conditions"] = new JsonArray([.. sorted]);
    }

    private TimeSpan Backoff(long restarts, long attempts)
    {
        var n = Math.Max(restarts, attempts);
        var backoff = sim.Options.CrashBackoff * Math.Pow(2, Math.Max(0, n - 1));
        return backoff > sim.Options.CrashBackoffLimit ? sim.Options.CrashBackoffLimit : backoff;
    }

    // Pull retries back off like restarts; the count lives in the kubelet only (no field of the pod shows it).
    private long PullAttempts(string container, JsonObject pod)
    {
        lock (_gate)
        {
            return _pullAttempts.GetValueOrDefault((pod.Uid(), container));
        }
    }

    private void IncrementPullAttempts(JsonObject pod, string container)
    {
        lock (_gate)
        {
            _pullAttempts[(pod.Uid(), container)] = _pullAttempts.GetValueOrDefault((pod.Uid(), container)) + 1;
        }
    }

    private DateTimeOffset WaitingSince(string uid, string container, DateTimeOffset fallback)
    {
        lock (_gate)
        {
            return _waitingSince.TryGetValue((uid, container), out var since) ? since : fallback;
        }
    }

    private DateTimeOffset LastProbe(string uid, string key, DateTimeOffset fallback) => WaitingSince(uid, key, fallback);

    private void SetWaitingSince(string uid, string container, DateTimeOffset time)
    {
        lock (_gate)
        {
            _waitingSince[(uid, container)] = time;
        }
    }

    private static string ImageId(string? image) => $"docker.io/library/{image}@sha256:{Identity.Hash(image ?? "").PadRight(64, '0')}";

    private static HashSet<string> ClaimNames(JsonObject pod) =>
        [.. pod.ArrAt("spec", "volumes").Objects().Select(v => v.Str("persistentVolumeClaim", "claimName")).OfType<string>()];
}
