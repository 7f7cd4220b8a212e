using Portal.Domain.Plans;

namespace Portal.Domain.Operations;

/// <summary>How often and how long a step may try: attempts for failures, a deadline for waiting on health, and the backoff.</summary>
/// <remarks>"Not ready yet" (a workload still starting) is not a failure: it costs no attempt, only time, and the deadline
/// bounds it, so nothing waits forever. A failure (an API error, a refused login) costs an attempt.</remarks>
public sealed record StepPolicy
{
    public static StepPolicy Default { get; } = new();

    public int MaxAttempts { get; init; } = 6;

    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a step may keep waiting for something to become ready.</summary>
    public TimeSpan AwaitDeadline { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long any other step may keep retrying before it fails for good.</summary>
    public TimeSpan StepDeadline { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a worker holds a running step before another may take it over (renewed while running).</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a step that is not ready yet looks again, once it has been waiting a while.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The first look again after "not ready": most waits (a pod starting, a Job finishing) end within a second or
    /// two, so the step looks early, then doubles the interval up to <see cref="PollInterval"/>.</summary>
    public TimeSpan FirstPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>When a step that has run <paramref name="runs"/> times and is still not ready looks again.</summary>
    public TimeSpan PollAfter(int runs)
    {
        var exponent = Math.Clamp(runs - 1, 0, 20);
        var delay = Math.Min(FirstPollInterval.TotalMilliseconds * Math.Pow(2, exponent), PollInterval.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Max(delay, 0));
    }

    /// <summary>Attempts of a certificate issuance: few, since every one asks the ACME server (whose rate limits are counted per
    /// failed validation too); its failures are retried after longer waits than other steps (<see cref="IssuanceFirstBackoff"/>).</summary>
    public int IssuanceAttempts { get; init; } = 4;

    /// <summary>The first wait after a failed issuance; it doubles up to <see cref="IssuanceMaxBackoff"/>.</summary>
    public TimeSpan IssuanceFirstBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan IssuanceMaxBackoff { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an issuance may keep retrying (an ACME order with DNS propagation takes minutes).</summary>
    public TimeSpan IssuanceDeadline { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How long a verification waits for the ingress to serve the new certificate (the controller reloads it).</summary>
    public TimeSpan VerifyDeadline { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>How long the drop of a dual-validity secret's previous value may wait: the longest grace period an option
    /// accepts (<see cref="Catalog.Kinds.AirbyteWebhooksKind.MaxGracePeriod"/>) and a day to spare.</summary>
    public TimeSpan GraceDeadline { get; init; } = Catalog.Kinds.AirbyteWebhooksKind.MaxGracePeriod + TimeSpan.FromDays(1);

    public TimeSpan DeadlineFor(StepKind kind) => kind switch
    {
        StepKind.DropPreviousSecret => GraceDeadline,
        StepKind.AwaitHealthy or StepKind.VerifySecret => AwaitDeadline,
        StepKind.IssueCertificate => IssuanceDeadline,
        StepKind.VerifyCertificate => VerifyDeadline,
        _ => StepDeadline,
    };

    /// <summary>How many failed attempts a step of <paramref name="kind"/> gets.</summary>
    public int MaxAttemptsFor(StepKind kind) => kind == StepKind.IssueCertificate ? IssuanceAttempts : MaxAttempts;

    /// <summary>The backoff of a step of <paramref name="kind"/> after failed attempts (issuance waits longer).</summary>
    public TimeSpan BackoffAfter(StepKind kind, int failedAttempts, double jitter) => kind == StepKind.IssueCertificate
        ? Backoff(IssuanceFirstBackoff, IssuanceMaxBackoff, failedAttempts, jitter)
        : BackoffAfter(failedAttempts, jitter);

    /// <summary>Exponential backoff after the given number of failed attempts, with up to 20% jitter from <paramref name="jitter"/> (0..1).</summary>
    public TimeSpan BackoffAfter(int failedAttempts, double jitter) => Backoff(FirstBackoff, MaxBackoff, failedAttempts, jitter);

    private static TimeSpan Backoff(TimeSpan first, TimeSpan max, int failedAttempts, double jitter)
    {
        var exponent = Math.Clamp(failedAttempts - 1, 0, 20);
        var delay = Math.Min(first.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay * (1 + (0.2 * Math.Clamp(jitter, 0, 1))));
    }
}
