using System.Collections.Concurrent;
using System.Globalization;
using Hangfire.Server;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Provisioning.Operations;

namespace Portal.Steps.Bench;

/// <summary>The benchmark's only stand-in: a step that does nothing and succeeds, so what is measured is the runner itself
/// (lease, save, dependency bookkeeping, delivery through Hangfire).</summary>
internal sealed class NoOpStepHandler : IStepHandler
{
    /// <summary>The kind the benchmark's steps have; the portal's real handlers are removed, so this one runs them.</summary>
    public const StepKind BenchKind = StepKind.ApplyComponent;

    public StepKind Kind => BenchKind;

    public Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken) => Task.FromResult(StepOutcome.Ok());
}

/// <summary>Counts the step jobs the Hangfire server performed and those that threw (Hangfire then retries them); other jobs (the
/// portal's recurring ones) are left out. Observation only.</summary>
internal sealed class JobCounter : IServerFilter
{
    private readonly ConcurrentDictionary<string, int> _exceptions = new(StringComparer.Ordinal);
    private long _performed;
    private long _threw;

    public long Performed => Interlocked.Read(ref _performed);

    public long Threw => Interlocked.Read(ref _threw);

    /// <summary>The exceptions jobs threw so far, by type name.</summary>
    public IReadOnlyDictionary<string, int> Exceptions => new Dictionary<string, int>(_exceptions, StringComparer.Ordinal);

    public void OnPerforming(PerformingContext context)
    {
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.BackgroundJob.Job.Type != typeof(StepJob))
        {
            return;
        }

        Interlocked.Increment(ref _performed);
        if (context.Exception is not null && !context.ExceptionHandled)
        {
            Interlocked.Increment(ref _threw);
            var exception = context.Exception is JobPerformanceException { InnerException: { } inner } ? inner : context.Exception;
            _exceptions.AddOrUpdate(exception.GetType().Name, 1, (_, n) => n + 1);
        }
    }
}

/// <summary>The benchmark's plans: <c>count</c> steps in layers of <c>width</c>, each step waiting for every step of the layer before
/// (width 1: a chain).</summary>
internal static class Dags
{
    public static Plan Layered(string stack, int count, int width)
    {
        var steps = new List<PlanStep>(count);
        for (var i = 0; i < count; i++)
        {
            var layer = i / width;
            var previous = layer == 0
                ? []
                : Enumerable.Range((layer - 1) * width, width).Select(Id).ToList();
            steps.Add(new PlanStep(Id(i), NoOpStepHandler.BenchKind, null, null, previous, $"No-op step {i} (layer {layer})", $"step {i} done"));
        }

        var plan = Plan.Create(PlanKind.Deploy, stack, stack, steps);
        return plan.IsSuccess ? plan.Value : throw new InvalidOperationException(string.Join("; ", plan.Errors));
    }

    private static string Id(int index) => $"s{index.ToString("D4", CultureInfo.InvariantCulture)}";
}

/// <summary>What a finished operation's saved steps say about the runner: the span, and each step's scheduling delay (from the
/// moment its last dependency was recorded finished, or the operation was started for a root, to the moment a worker started it).</summary>
internal sealed record DagTimings(TimeSpan Span, IReadOnlyList<double> DelaysMs, IReadOnlyList<double> RunTimesMs, int RunMoreThanOnce, int Runs)
{
    public static DagTimings Of(Operation operation)
    {
        var byKey = operation.Steps.ToDictionary(s => s.Key, StringComparer.Ordinal);
        var delays = new List<double>(operation.Steps.Count);
        var runTimes = new List<double>(operation.Steps.Count);
        foreach (var step in operation.Steps)
        {
            var ready = step.DependsOn.Count == 0
                ? operation.CreatedAt
                : step.DependsOn.Max(key => byKey[key].FinishedAt ?? throw new InvalidOperationException($"{key} has no finish time."));
            var started = step.StartedAt ?? throw new InvalidOperationException($"{step.Key} has no start time.");
            delays.Add((started - ready).TotalMilliseconds);
            runTimes.Add((step.FinishedAt!.Value - started).TotalMilliseconds);
        }

        var end = operation.Steps.Max(s => s.FinishedAt!.Value);
        return new DagTimings(end - operation.CreatedAt, delays, runTimes, operation.Steps.Count(s => s.Runs > 1), operation.Steps.Sum(s => s.Runs));
    }

    public double StepsPerSecond => DelaysMs.Count / Span.TotalSeconds;

    /// <summary>"p50 …, p95 …, max … (mean …)" of values in ms, nearest-rank.</summary>
    public static string Percentiles(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"p50 {At(0.50):N0} ms, p95 {At(0.95):N0} ms, max {sorted[^1]:N0} ms (mean {sorted.Average():N0} ms)");
    }
}
