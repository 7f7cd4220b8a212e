using System.Text.Json.Nodes;
using Portal.Sandbox.Api;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Simulation;

/// <summary>The Job controller: runs pods until spec.completions succeed (Complete) or failures pass backoffLimit (Failed).</summary>
internal sealed class JobController(SimulationContext sim) : IController
{
    public const string ControllerName = "job";

    public string Name => ControllerName;

    public IEnumerable<WorkItem> Interested(StoreEvent change)
    {
        if (change.Object.Type == sim.Registry.Jobs && change.Type != ChangeType.Deleted)
        {
            yield return SimulationContext.Item(ControllerName, change.Object);
        }
        else if (change.Object.Type == sim.Registry.Pods && SimulationContext.ControllerRef(change.Object.Node, "Job") is { } owner)
        {
            yield return SimulationContext.Item(ControllerName, sim.Registry.Jobs, change.Object.Namespace, owner.Str("name") ?? "");
        }
    }

    public void Reconcile(WorkItem item)
    {
        var stored = sim.Api.Store.Get(sim.Registry.Jobs, item.Namespace, item.Name);
        if (stored is null || SimulationContext.Deleting(stored.Node))
        {
            return;
        }

        var job = stored.Node;
        var finished = SimulationContext.Condition(job, "Complete")?.Str("status") == "True" || SimulationContext.Condition(job, "Failed")?.Str("status") == "True";
        var pods = sim.Api.Store.Dependents(stored.Uid).Where(p => p.Type == sim.Registry.Pods).ToList();
        var active = pods.Where(p => !SimulationContext.IsPodTerminal(p.Node) && !SimulationContext.Deleting(p.Node)).ToList();
        var succeeded = pods.Count(p => p.Node.Str("status", "phase") == "Succeeded");
        var failed = pods.Count(p => p.Node.Str("status", "phase") == "Failed");
        var completions = (int)(job.Long("spec", "completions") ?? 1);
        var parallelism = (int)(job.Long("spec", "parallelism") ?? 1);
        var backoffLimit = (int)(job.Long("spec", "backoffLimit") ?? 6);
        var suspended = job.Bool("spec", "suspend") == true;
        string? outcome = null;
        if (!finished)
        {
            if (failed > backoffLimit)
            {
                outcome = "Failed";
                foreach (var pod in active)
                {
                    sim.Api.Delete(sim.Registry.Pods, pod.Namespace, pod.Name, new DeleteRequest());
                }

                active.Clear();
                sim.Event(job, "Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit", "job-controller");
            }
            else if (succeeded >= completions)
            {
                outcome = "Complete";
                sim.Event(job, "Normal", "Completed", "Job completed", "job-controller");
            }
            else if (!suspended)
            {
                var wanted = Math.Min(parallelism, completions - succeeded) - active.Count;
                var template = job.ObjAt("spec", "template") ?? [];
                for (var i = 0; i < wanted; i++)
                {
                    string name;
                    do
                    {
                        name = $"{stored.Name}-{sim.Api.Identity.Suffix()}";
                    }
                    while (sim.Api.Store.Get(sim.Registry.Pods, stored.Namespace, name) is not null);

                    var pod = SimulationContext.PodFromTemplate(template, job, name);
                    active.Add(sim.Api.Create(sim.Registry.Pods, stored.Namespace, pod, new WriteContext(SandboxManagers.ControllerManager)));
                    sim.Event(job, "Normal", "SuccessfulCreate", $"Created pod: {name}", "job-controller");
                }
            }
        }

        var ready = active.Count(p => SimulationContext.IsPodReady(p.Node));
        sim.Api.Mutate(sim.Registry.Jobs, stored.Namespace, stored.Name, j =>
        {
            var status = j.Child("status");
            status["startTime"] ??= sim.NowText;
            status["active"] = active.Count;
            status["succeeded"] = succeeded;
            status["failed"] = failed;
            status["ready"] = ready;
            status["terminating"] = 0;
            status["uncountedTerminatedPods"] = new JsonObject();
            foreach (var zeroField in (string[])["active", "succeeded", "failed"])
            {
                if (status.Long(zeroField) == 0)
                {
                    status.Remove(zeroField);
                }
            }

            if (outcome == "Complete")
            {
                sim.SetCondition(status, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", touchUpdate: false);
                sim.SetCondition(status, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", touchUpdate: false);
                status["completionTime"] = sim.NowText;
                SetProbeTimes(status);
            }
            else if (outcome == "Failed")
            {
                sim.SetCondition(status, "FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", touchUpdate: false);
                sim.SetCondition(status, "Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", touchUpdate: false);
                SetProbeTimes(status);
            }

            return true;
        }, SandboxManagers.ControllerManager, "status");
    }

    // Job conditions carry lastProbeTime too.
    private void SetProbeTimes(JsonObject status)
    {
        foreach (var condition in status.ArrAt("conditions").Objects())
        {
            condition["lastProbeTime"] ??= sim.NowText;
        }
    }
}
