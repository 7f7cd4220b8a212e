namespace Portal.Provisioning.Operations;

/// <summary>What running a step came to.</summary>
internal abstract record StepOutcome
{
    /// <summary>The step did its work; <paramref name="Message"/> says what is true now.</summary>
    public sealed record Done(string? Message = null) : StepOutcome;

    /// <summary>Not done yet, and nothing is wrong (a workload still starting): look again soon, or at <paramref name="Until"/>
    /// when the step knows it cannot be ready before then (a grace period); the time is persisted with the step.</summary>
    public sealed record NotReady(string WaitingFor, DateTimeOffset? Until = null) : StepOutcome;

    /// <summary>It failed. A transient failure is retried with backoff; a permanent one (refused credentials, an object that
    /// belongs to someone else) fails the step at once. <paramref name="RetryAfter"/>: the least wait before the next attempt (an ACME
    /// server's rate limit), when the other side said.</summary>
    public sealed record Failed(string Error, bool Permanent, TimeSpan? RetryAfter = null) : StepOutcome;

    public static StepOutcome Ok(string? message = null) => new Done(message);

    public static StepOutcome Wait(string waitingFor, DateTimeOffset? until = null) => new NotReady(waitingFor, until);

    public static StepOutcome Fail(string error, bool permanent = false, TimeSpan? retryAfter = null) => new Failed(error, permanent, retryAfter);
}
