using Portal.Domain.Plans;

namespace Portal.Domain.Secrets;

/// <summary>The plans of the secret operations on one secret: rotate (new value → re-apply the consumers → verify) and roll back
/// (restore a kept revision → re-apply the consumers → verify). The verification puts the previous revision back when the
/// consumers do not become healthy.</summary>
/// <remarks>A secret whose owner serves the others with it (MinIO's root credentials, which its consumers use as their access and
/// secret key) names that owner as <c>first</c>: the owner is re-applied and verified healthy on the new revision before any other
/// consumer is re-applied, so nobody restarts with credentials the server does not accept yet.</remarks>
public static class SecretRotationPlans
{
    /// <param name="secret">The secret id, <c>&lt;component&gt;.&lt;secret&gt;</c>.</param>
    /// <param name="kubernetesSecret">The Kubernetes Secret that holds it, e.g. <c>airbyte-db-relation</c>.</param>
    /// <param name="newValue">How the new value comes about, as it reads in a sentence: "Generate a new password for role prod_airbyte
    /// and set it through the admin connection", "Generate a new cookie secret (32 random bytes)".</param>
    /// <param name="revision">The live revision, which becomes the previous one.</param>
    /// <param name="consumers">The components whose workloads load the Secret, in the order they restart.</param>
    /// <param name="checks">What the verification checks besides health, or null: "the new password logs in and the old one is refused".</param>
    /// <param name="first">The consumer that restarts and must be healthy before the others are re-applied (MinIO for its root
    /// credentials), or null when they all restart at once.</param>
    public static Plan Rotate(
        string stack, string @namespace, string secret, string kubernetesSecret, string newValue, int revision, IReadOnlyList<string> consumers, string? checks,
        string? first = null)
    {
        var change = new PlanStep(
            StepIds.RotateSecret(secret), StepKind.RotateSecret, null, null, [],
            $"{newValue}, and store it as revision {revision + 1} of Secret {kubernetesSecret}, keeping revision {revision}",
            $"revision {revision + 1} of {secret} stored") { Subject = new StepSubject(secret) };
        return Create(stack, @namespace, secret, kubernetesSecret, change, revision + 1, revision, consumers, checks, first);
    }

    /// <summary>The rotation of a dual-validity secret (the webhook signing secret): the new value and the previous one are both
    /// accepted for <paramref name="grace"/>. The operation ends when the consumers are healthy on both; the previous value is dropped
    /// by a later operation (<see cref="DropPrevious"/>), which the scheduler starts in the first maintenance window after the grace
    /// period, so that the stack is not held for the grace period.</summary>
    /// <param name="key">The key of the value, e.g. <c>signing-secret</c>.</param>
    /// <param name="previousKey">The key the previous value is kept under during the grace period, e.g. <c>signing-secret-previous</c>.</param>
    /// <param name="grace">How long both values are accepted.</param>
    public static Plan RotateDualValidity(
        string stack, string @namespace, string secret, string kubernetesSecret, string newValue, string key, string previousKey, TimeSpan grace, int revision,
        IReadOnlyList<string> consumers)
    {
        var change = new PlanStep(
            StepIds.RotateSecret(secret), StepKind.RotateSecret, null, null, [],
            $"{newValue}, and store it as revision {revision + 1} of Secret {kubernetesSecret} under {key}, with the current value kept under {previousKey} "
            + $"so that both are accepted for the grace period ({GraceText(grace)}; then the scheduler drops the previous value in the next maintenance window); "
            + $"revision {revision} is kept",
            $"revision {revision + 1} of {secret} stored") { Subject = new StepSubject(secret) };
        return Create(stack, @namespace, secret, kubernetesSecret, change, revision + 1, revision, consumers, null, null);
    }

    /// <summary>The end of a dual-validity secret's grace period: remove the previous value as the next revision, roll the consumers
    /// again and verify them; if they do not get healthy, the revision with both values is put back.</summary>
    /// <param name="previousKey">The key of the previous value, e.g. <c>signing-secret-previous</c>.</param>
    /// <param name="revision">The live revision (with both values).</param>
    public static Plan DropPrevious(string stack, string @namespace, string secret, string kubernetesSecret, string previousKey, int revision, IReadOnlyList<string> consumers)
    {
        var drop = new PlanStep(
            StepIds.DropPreviousSecret(secret), StepKind.DropPreviousSecret, null, null, [],
            $"Remove {previousKey} from Secret {kubernetesSecret} as revision {revision + 1}, so that only the new value is accepted (its grace period is over)",
            $"previous value of {secret} dropped") { Subject = new StepSubject(secret) };
        return Create(stack, @namespace, secret, kubernetesSecret, drop, revision + 1, revision, consumers, null, null);
    }

    /// <summary>A grace period as an operator reads it: <c>24 h</c>, <c>2 days</c>, <c>30 min</c>.</summary>
    public static string GraceText(TimeSpan grace) =>
        grace.TotalDays >= 2 && grace.TotalDays == Math.Floor(grace.TotalDays) ? $"{grace.TotalDays:0} days"
        : grace.TotalHours >= 1 && grace.TotalHours == Math.Floor(grace.TotalHours) ? $"{grace.TotalHours:0} h"
        : $"{Math.Ceiling(grace.TotalMinutes):0} min";

    /// <param name="revision">The kept revision to restore.</param>
    /// <param name="live">The live revision: the restored one becomes revision <paramref name="live"/> + 1.</param>
    /// <param name="setsPassword">Whether restoring sets the password on the database role too (a database password).</param>
    /// <param name="first">As for <see cref="Rotate"/>: the consumer restarted and verified healthy before the others.</param>
    public static Plan Rollback(
        string stack, string @namespace, string secret, string kubernetesSecret, int revision, int live, bool setsPassword, IReadOnlyList<string> consumers, string? checks,
        string? first = null)
    {
        var password = setsPassword ? ", and set its password on the database role" : "";
        var restore = new PlanStep(
            StepIds.RestoreSecret(secret), StepKind.RestoreSecret, null, null, [],
            $"Install revision {revision} of Secret {kubernetesSecret} again, as revision {live + 1}{password}",
            $"revision {revision} of {secret} restored") { Subject = new StepSubject(secret, revision) };
        return Create(stack, @namespace, secret, kubernetesSecret, restore, live + 1, live, consumers, checks, first);
    }

    /// <summary>A roll-back of one secret of a Kubernetes Secret that may hold others (the OAuth2 Proxy's cookie and client secret),
    /// said in the secret's own revisions: only its value comes back from the kept copy, the Secret's other values stay as they are.</summary>
    /// <param name="name">The secret's name in its owner (<c>cookie-secret</c>).</param>
    /// <param name="ownRevision">The secret's own revision to put back.</param>
    /// <param name="ownLive">The secret's own live revision: the restored value becomes its revision <paramref name="ownLive"/> + 1.</param>
    /// <param name="revision">The kept copy of the Kubernetes Secret that holds it (<c>&lt;name&gt;-rev-&lt;n&gt;</c>).</param>
    /// <param name="live">The Kubernetes Secret's live revision, which the consumers' pods load.</param>
    /// <param name="first">As for <see cref="Rotate"/>: the consumer restarted and verified healthy before the others.</param>
    public static Plan Rollback(
        string stack, string @namespace, string secret, string name, int ownRevision, int ownLive, string kubernetesSecret, int revision, int live, bool setsPassword,
        IReadOnlyList<string> consumers, string? checks, string? first = null)
    {
        var password = setsPassword ? ", and set it as the password of the database role" : "";
        var restore = new PlanStep(
            StepIds.RestoreSecret(secret), StepKind.RestoreSecret, null, null, [],
            $"Put revision {ownRevision} of {name} back (kept in {kubernetesSecret}-rev-{revision}) as its revision {ownLive + 1}{password}; the other values of Secret {kubernetesSecret} stay as they are, and the Secret becomes revision {live + 1}",
            $"revision {ownRevision} of {secret} restored as revision {ownLive + 1}") { Subject = new StepSubject(secret, revision) };
        return Create(stack, @namespace, secret, kubernetesSecret, restore, live + 1, live, consumers, checks, first);
    }

    private static Plan Create(
        string stack, string @namespace, string secret, string kubernetesSecret, PlanStep change, int next, int previous, IReadOnlyList<string> consumers, string? checks,
        string? first)
    {
        var steps = new List<PlanStep> { change };
        var after = change.Id;
        if (first is not null && consumers.Contains(first))
        {
            after = FirstSteps(steps, secret, kubernetesSecret, change, next, previous, first);
        }

        foreach (var consumer in consumers.Where(c => c != first))
        {
            steps.Add(new PlanStep(
                StepIds.Apply(consumer), StepKind.ApplyComponent, consumer, null, [after],
                $"Re-apply {consumer} so that its pods load revision {next} of Secret {kubernetesSecret} (they restart)",
                $"{consumer} re-applied"));
        }

        var also = checks is null ? "" : $", check that {checks}";
        var verify = new PlanStep(
            StepIds.VerifySecret(secret), StepKind.VerifySecret, null, null, steps.Select(s => s.Id).ToList(),
            consumers.Count == 0
                ? $"Check Secret {kubernetesSecret}{also}; if that fails, put revision {previous} back"
                : $"Wait until {string.Join(", ", consumers)} {(consumers.Count == 1 ? "is" : "are")} healthy on revision {next}{also}; if not, put revision {previous} back and re-apply {(consumers.Count == 1 ? "it" : "them")}",
            $"{secret} verified") { Subject = new StepSubject(secret) };
        steps.Add(verify);
        return Plan.Create(PlanKind.Secret, stack, @namespace, steps).Value;
    }

    // The owner's re-apply and its health wait (a verification of the owner alone, which puts the previous revision back when the
    // owner does not get healthy); returns the id of the step the other consumers wait for.
    private static string FirstSteps(List<PlanStep> steps, string secret, string kubernetesSecret, PlanStep change, int next, int previous, string first)
    {
        var apply = new PlanStep(
            StepIds.Apply(first), StepKind.ApplyComponent, first, null, [change.Id],
            $"Re-apply {first} so that its pods load revision {next} of Secret {kubernetesSecret} (they restart), before any other consumer",
            $"{first} re-applied");
        var healthy = new PlanStep(
            StepIds.VerifySecret(secret, first), StepKind.VerifySecret, first, null, [apply.Id],
            $"Wait until {first} is healthy on revision {next} before the others restart; if not, put revision {previous} back and re-apply it",
            $"{first} healthy on revision {next}") { Subject = new StepSubject(secret) };
        steps.Add(apply);
        steps.Add(healthy);
        return healthy.Id;
    }
}
