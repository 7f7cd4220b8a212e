using System.Text;
using Portal.Domain.Common;

namespace Portal.Domain.Plans;

/// <summary>A DAG of named steps that provisioning runs (one job per step) to deploy, reconfigure or tear down a stack.</summary>
/// <remarks><see cref="Steps"/> is in a topological order: every step comes after the steps it waits for. Steps that
/// do not wait for each other may run in parallel; <see cref="Waves"/> groups them.</remarks>
public sealed class Plan
{
    private readonly Dictionary<string, PlanStep> _byId;
    private readonly Dictionary<string, int> _depth;

    private Plan(
        PlanKind kind, string stack, string @namespace, IReadOnlyList<PlanStep> steps, IReadOnlyList<string> keeps, Dictionary<string, int> depth)
    {
        Kind = kind;
        Stack = stack;
        Namespace = @namespace;
        Steps = steps;
        Keeps = keeps;
        _byId = steps.ToDictionary(s => s.Id, StringComparer.Ordinal);
        _depth = depth;
    }

    public PlanKind Kind { get; }

    public string Stack { get; }

    public string Namespace { get; }

    /// <summary>Every step, each after the steps it waits for; by wave, then by id.</summary>
    public IReadOnlyList<PlanStep> Steps { get; }

    /// <summary>What the plan deliberately leaves in place, e.g. "the minio data volume" (teardown and removals).</summary>
    public IReadOnlyList<string> Keeps { get; }

    /// <summary>A reconfigure with nothing to do.</summary>
    public bool IsEmpty => Steps.Count == 0;

    /// <summary>The steps that wait for nothing: provisioning enqueues these first.</summary>
    public IReadOnlyList<PlanStep> Roots => Steps.Where(s => s.DependsOn.Count == 0).ToList();

    /// <summary>The steps grouped by depth: each wave can run once the earlier waves are done (the fastest possible schedule).</summary>
    public IReadOnlyList<IReadOnlyList<PlanStep>> Waves =>
        Steps.GroupBy(s => _depth[s.Id]).OrderBy(g => g.Key).Select(g => (IReadOnlyList<PlanStep>)g.ToList()).ToList();

    public PlanStep this[string id] =>
        _byId.TryGetValue(id, out var step) ? step : throw new KeyNotFoundException($"The plan has no step '{id}'.");

    public bool TryGetStep(string id, out PlanStep step) => _byId.TryGetValue(id, out step!);

    public bool Contains(string id) => _byId.ContainsKey(id);

    /// <summary>The steps that wait directly for <paramref name="id"/>: provisioning checks them when it succeeds.</summary>
    public IReadOnlyList<PlanStep> DependentsOf(string id) => Steps.Where(s => s.DependsOn.Contains(id, StringComparer.Ordinal)).ToList();

    /// <summary>True when <paramref name="step"/> can only start after <paramref name="prerequisite"/>, directly or through other steps.</summary>
    public bool WaitsFor(string step, string prerequisite)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(this[step].DependsOn);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (current == prerequisite)
            {
                return true;
            }

            if (seen.Add(current))
            {
                foreach (var next in this[current].DependsOn)
                {
                    pending.Push(next);
                }
            }
        }

        return false;
    }

    /// <summary>One sentence: what the plan does, how many steps, and what it keeps.</summary>
    public string Summary
    {
        get
        {
            var what = Kind switch
            {
                PlanKind.Deploy => $"Deploy {Stack} into namespace {Namespace}",
                PlanKind.Reconfigure => $"Reconfigure {Stack}",
                PlanKind.Certificate => CertificateChange(),
                PlanKind.Secret => SecretChange(),
                _ => $"Tear down {Stack} in namespace {Namespace}",
            };
            if (IsEmpty)
            {
                return $"{what}: nothing changed, nothing to do.";
            }

            var steps = Steps.Count == 1 ? "1 step" : $"{Steps.Count} steps";
            var keeps = Keeps.Count == 0 ? "" : $"; keeps {Phrases.JoinWithAnd(Keeps)}";
            var waves = Waves.Count == 1 ? "1 wave" : $"{Waves.Count} waves";
            return $"{what} in {steps} ({waves}){keeps}.";
        }
    }

    /// <summary>The summary and every step on its own line, with what it waits for: readable in a log or a review.</summary>
    public string Describe()
    {
        var builder = new StringBuilder(Summary);
        var number = 0;
        foreach (var step in Steps)
        {
            number++;
            builder.Append('\n').Append(number).Append(". ").Append(step.Description);
            builder.Append(" [").Append(step.Id).Append(']');
            if (step.WaitsFor.Length > 0)
            {
                builder.Append(" — ").Append(step.WaitsFor);
            }
        }

        return builder.ToString();
    }

    public override string ToString() => Summary;

    // "Rotate the certificate of airbyte.example.com on prod", from the plan's first step.
    private string CertificateChange()
    {
        var first = Steps.FirstOrDefault(s => s.Subject is not null);
        var host = first?.Subject?.Host ?? "a hostname";
        return first?.Kind switch
        {
            StepKind.RestoreCertificate => $"Roll back the certificate of {host} on {Stack} to revision {first.Subject!.Revision}",
            StepKind.InstallCertificate => $"Install the uploaded certificate for {host} on {Stack}",
            _ => $"Rotate the certificate of {host} on {Stack}",
        };
    }

    // "Rotate secret oauth2-proxy.cookie-secret of prod", from the plan's first step (the subject's host holds the secret id).
    private string SecretChange()
    {
        var first = Steps.FirstOrDefault(s => s.Subject is not null);
        var secret = first?.Subject?.Host ?? "a secret";
        return first?.Kind == StepKind.RestoreSecret
            ? $"Roll back secret {secret} of {Stack} to revision {first.Subject!.Revision}"
            : $"Rotate secret {secret} of {Stack}";
    }

    /// <summary>Checks the steps (unique ids, known prerequisites, no cycle), orders them and fills each step's
    /// <see cref="PlanStep.WaitsFor"/>; every problem is reported, a cycle by naming its steps.</summary>
    public static Result<Plan> Create(
        PlanKind kind, string stack, string @namespace, IEnumerable<PlanStep> steps, IEnumerable<string>? keeps = null)
    {
        var list = steps.ToList();
        var errors = new ErrorList();
        var graph = new PlanGraph();
        foreach (var duplicate in list.GroupBy(s => s.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"steps.{duplicate.Key}", $"The id '{duplicate.Key}' is used by {duplicate.Count()} steps; ids must be unique.");
        }

        foreach (var step in list)
        {
            graph.Add(step.Id);
        }

        foreach (var step in list)
        {
            foreach (var prerequisite in step.DependsOn)
            {
                if (graph.Contains(prerequisite))
                {
                    graph.AddDependency(step.Id, prerequisite);
                }
                else
                {
                    errors.Add($"steps.{step.Id}", $"The step waits for '{prerequisite}', which is not in the plan.");
                }
            }
        }

        if (graph.FindCycle() is { } cycle)
        {
            errors.Add("plan", PlanGraph.CycleMessage(cycle));
        }

        if (errors.Count > 0)
        {
            return Result<Plan>.Failure(errors);
        }

        var order = graph.TopologicalOrder().Value;
        var position = order.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index, StringComparer.Ordinal);
        var byId = list.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var ordered = order
            .Select(id => byId[id])
            .Select(step =>
            {
                var dependsOn = step.DependsOn.Distinct(StringComparer.Ordinal).OrderBy(d => position[d]).ToList();
                var waitsFor = dependsOn.Count == 0 ? "" : $"waits for: {string.Join(", ", dependsOn.Select(d => byId[d].Outcome))}";
                return step with { DependsOn = dependsOn, WaitsFor = waitsFor };
            })
            .ToList();
        var depth = graph.Depths().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return Result<Plan>.Success(new Plan(kind, stack, @namespace, ordered, keeps?.ToList() ?? [], depth));
    }
}
