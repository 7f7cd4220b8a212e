using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;

namespace Portal.Domain.Tests.Operations;

public class OperationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly StepPolicy Policy = StepPolicy.Default with { MaxAttempts = 3, PollInterval = TimeSpan.FromSeconds(5) };
    private static readonly StackSpec Target = new("prod", "charmed-airbyte", "sandbox", "airbyte-prod", [], []);

    // a → b, a → c, (b, c) → d; e stands alone.
    private static Operation Diamond()
    {
        var plan = Plan.Create(PlanKind.Deploy, "prod", "airbyte-prod",
        [
            Step("a"), Step("b", "a"), Step("c", "a"), Step("d", "b", "c"), Step("e"),
        ]).Value;
        return Operation.Start(Guid.NewGuid(), OperationKind.Deploy, plan, Target, "ops@example.com", null, T0);
    }

    private static PlanStep Step(string id, params string[] dependsOn) =>
        new(id, StepKind.ApplyComponent, id, null, dependsOn, $"Apply {id}", $"{id} applied");

    private static Step S(Operation operation, string key) => operation.Steps.Single(s => s.Key == key);

    private static void Run(Operation operation, string key, DateTimeOffset now)
    {
        Assert.Equal(StepStart.Run, operation.Begin(S(operation, key).Id, now, Policy));
        operation.Complete(S(operation, key).Id, now);
    }

    [Fact]
    public void Start_queues_the_roots_and_blocks_the_rest()
    {
        var operation = Diamond();

        Assert.Equal(OperationState.Running, operation.State);
        Assert.Equal(["a", "e"], operation.DueSteps(T0).Select(s => s.Key));
        Assert.All(new[] { "b", "c", "d" }, key => Assert.Equal(StepState.Blocked, S(operation, key).State));
    }

    [Fact]
    public void A_dependent_is_queued_only_when_all_its_prerequisites_succeeded()
    {
        var operation = Diamond();
        Run(operation, "a", T0);

        Assert.Equal(StepState.Queued, S(operation, "b").State);
        Assert.Equal(StepState.Queued, S(operation, "c").State);

        operation.Begin(S(operation, "b").Id, T0, Policy);
        var afterB = operation.Complete(S(operation, "b").Id, T0);
        Assert.Empty(afterB);
        Assert.Equal(StepState.Blocked, S(operation, "d").State);

        operation.Begin(S(operation, "c").Id, T0, Policy);
        var afterC = operation.Complete(S(operation, "c").Id, T0);
        Assert.Equal(["d"], afterC.Select(s => s.Key));
    }

    [Fact]
    public void A_redelivered_job_finds_its_step_done_and_changes_nothing()
    {
        var operation = Diamond();
        Run(operation, "a", T0);
        var version = operation.Version;

        Assert.Equal(StepStart.Skip, operation.Begin(S(operation, "a").Id, T0, Policy));
        Assert.Empty(operation.Complete(S(operation, "a").Id, T0));
        Assert.Equal(version, operation.Version);
    }

    [Fact]
    public void A_step_held_by_a_worker_is_not_run_twice_until_its_lease_ends()
    {
        var operation = Diamond();
        var a = S(operation, "a").Id;

        Assert.Equal(StepStart.Run, operation.Begin(a, T0, Policy));
        Assert.Equal(StepStart.Skip, operation.Begin(a, T0 + TimeSpan.FromSeconds(10), Policy));
        Assert.Empty(operation.StepsWithExpiredLease(T0 + TimeSpan.FromSeconds(10)));

        var later = T0 + Policy.Lease + TimeSpan.FromSeconds(1);
        Assert.Equal(["a"], operation.StepsWithExpiredLease(later).Select(s => s.Key));
        Assert.Equal(StepStart.Run, operation.Begin(a, later, Policy));
        Assert.Equal(2, S(operation, "a").Runs);
    }

    [Fact]
    public void Renewing_the_lease_keeps_the_step_with_its_worker()
    {
        var operation = Diamond();
        var a = S(operation, "a").Id;
        operation.Begin(a, T0, Policy);

        operation.Renew(a, T0 + TimeSpan.FromSeconds(25), Policy);

        Assert.Equal(StepStart.Skip, operation.Begin(a, T0 + TimeSpan.FromSeconds(40), Policy));
    }

    [Fact]
    public void The_operation_succeeds_when_every_step_did()
    {
        var operation = Diamond();
        foreach (var key in new[] { "a", "e", "b", "c", "d" })
        {
            Run(operation, key, T0 + TimeSpan.FromMinutes(1));
        }

        Assert.Equal(OperationState.Succeeded, operation.State);
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), operation.FinishedAt);
        Assert.Null(operation.Error);
    }

    [Fact]
    public void Not_ready_waits_for_the_poll_interval_without_costing_an_attempt()
    {
        var operation = Diamond();
        var a = S(operation, "a").Id;
        operation.Begin(a, T0, Policy);

        operation.NotReady(a, T0, Policy, "waiting for airbyte-server to be available");

        Assert.Equal(StepState.Waiting, S(operation, "a").State);
        Assert.Equal(0, S(operation, "a").FailedAttempts);
        Assert.Equal("waiting for airbyte-server to be available", S(operation, "a").Message);
        Assert.Equal(StepStart.TooEarly, operation.Begin(a, T0 + Policy.FirstPollInterval - TimeSpan.FromMilliseconds(1), Policy));
        Assert.Equal(StepStart.Run, operation.Begin(a, T0 + Policy.FirstPollInterval, Policy));
    }

    [Fact]
    public void A_step_that_stays_not_ready_looks_again_ever_later_up_to_the_poll_interval()
    {
        var operation = Diamond();
        var a = S(operation, "a").Id;
        var now = T0;
        var waits = new List<TimeSpan>();
        for (var poll = 0; poll < 8; poll++)
        {
            Assert.Equal(StepStart.Run, operation.Begin(a, now, Policy));
            operation.NotReady(a, now, Policy, "waiting");
            var next = S(operation, "a").NotBefore!.Value;
            waits.Add(next - now);
            now = next;
        }

        Assert.Equal(
            [250, 500, 1000, 2000, 4000, 5000, 5000, 5000],
            waits.Select(w => (int)w.TotalMilliseconds));
    }

    [Fact]
    public void Not_ready_past_the_deadline_fails_with_what_it_waited_for()
    {
        var operation = Diamond();
        var a = S(operation, "a").Id;
        operation.Begin(a, T0, Policy);

        var late = T0 + Policy.StepDeadline;
        operation.Begin(a, late, Policy);
        operation.NotReady(a, late, Policy, "waiting for an ingress address");

        Assert.Equal(StepState.Failed, S(operation, "a").State);
        Assert.Contains("still waiting for an ingress address after 10 minutes", S(operation, "a").Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_transient_failure_is_retried_with_backoff_until_attempts_run_out()
    {
        var operation = Diamond();
        var a = S(operation, "a").Id;
        var now = T0;

        for (var attempt = 1; attempt < Policy.MaxAttempts; attempt++)
        {
            Assert.Equal(StepStart.Run, operation.Begin(a, now, Policy));
            operation.Failed(a, now, Policy, "the API server answered 503", permanent: false, jitter: 0);
            Assert.Equal(StepState.Waiting, S(operation, "a").State);
            Assert.Equal(now + Policy.BackoffAfter(attempt, 0), S(operation, "a").NotBefore);
            now = S(operation, "a").NotBefore!.Value;
        }

        operation.Begin(a, now, Policy);
        operation.Failed(a, now, Policy, "the API server answered 503", permanent: false, jitter: 0);

        Assert.Equal(StepState.Failed, S(operation, "a").State);
        Assert.Contains("gave up after 3 attempts", S(operation, "a").Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3600, 3600)]
    [InlineData(0.5, 2)]
    public void A_failure_that_says_when_to_come_back_waits_at_least_that_long(double retryAfterSeconds, double waitSeconds)
    {
        var operation = Diamond();
        var a = S(operation, "a").Id;
        operation.Begin(a, T0, Policy);

        operation.Failed(a, T0, Policy, "rate limited: too many certificates for this domain", permanent: false, jitter: 0, retryAfter: TimeSpan.FromSeconds(retryAfterSeconds));

        Assert.Equal(TimeSpan.FromSeconds(2), Policy.BackoffAfter(1, 0));
        Assert.Equal(T0 + TimeSpan.FromSeconds(waitSeconds), S(operation, "a").NotBefore);
        Assert.Equal(StepState.Waiting, S(operation, "a").State);
    }

    [Fact]
    public void A_final_failure_cancels_what_depends_on_it_while_independent_steps_finish()
    {
        var operation = Diamond();
        var a = S(operation, "a").Id;
        operation.Begin(a, T0, Policy);
        operation.Begin(S(operation, "e").Id, T0, Policy);

        operation.Failed(a, T0, Policy, "password authentication failed for portal_admin", permanent: true, jitter: 0);

        Assert.Equal(OperationState.Failing, operation.State);
        Assert.All(new[] { "b", "c", "d" }, key => Assert.Equal(StepState.Cancelled, S(operation, key).State));
        Assert.Equal("not run: 'Apply a' failed", S(operation, "d").Message);

        operation.Complete(S(operation, "e").Id, T0);

        Assert.Equal(OperationState.Failed, operation.State);
        Assert.Equal("Step 'Apply a' failed: password authentication failed for portal_admin", operation.Error);
    }

    [Fact]
    public void Cancel_stops_what_has_not_started_and_ends_when_running_steps_finish()
    {
        var operation = Diamond();
        operation.Begin(S(operation, "a").Id, T0, Policy);

        Assert.True(operation.Cancel(T0, "ops@example.com"));

        Assert.Equal(OperationState.Cancelling, operation.State);
        Assert.Equal(StepState.Cancelled, S(operation, "e").State);
        Assert.Empty(operation.Complete(S(operation, "a").Id, T0));
        Assert.Equal(OperationState.Cancelled, operation.State);
        Assert.Equal(StepState.Cancelled, S(operation, "b").State);
        Assert.Equal(StepStart.Skip, operation.Begin(S(operation, "b").Id, T0, Policy));
        Assert.False(operation.Cancel(T0, "ops@example.com"));
    }

    [Fact]
    public void Retry_resumes_from_the_failed_steps_and_keeps_what_succeeded()
    {
        var operation = Diamond();
        Run(operation, "a", T0);
        Run(operation, "e", T0);
        Run(operation, "b", T0);
        var c = S(operation, "c").Id;
        operation.Begin(c, T0, Policy);
        operation.Failed(c, T0, Policy, "boom", permanent: true, jitter: 0);
        Assert.Equal(OperationState.Failed, operation.State);

        var ready = operation.Retry(T0 + TimeSpan.FromMinutes(5));

        Assert.Equal(OperationState.Running, operation.State);
        Assert.Equal(["c"], ready.Select(s => s.Key));
        Assert.Equal(StepState.Blocked, S(operation, "d").State);
        Assert.Equal(StepState.Succeeded, S(operation, "b").State);
        Assert.Equal(0, S(operation, "c").FailedAttempts);
        Assert.Null(operation.Error);

        Run(operation, "c", T0 + TimeSpan.FromMinutes(6));
        Run(operation, "d", T0 + TimeSpan.FromMinutes(6));
        Assert.Equal(OperationState.Succeeded, operation.State);
    }

    [Fact]
    public void Retry_of_a_running_operation_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => Diamond().Retry(T0));
    }

    [Fact]
    public void Every_change_bumps_the_version_for_optimistic_concurrency()
    {
        var operation = Diamond();
        var before = operation.Version;

        operation.Begin(S(operation, "a").Id, T0, Policy);
        operation.Complete(S(operation, "a").Id, T0);

        Assert.Equal(before + 2, operation.Version);
    }

    [Fact]
    public void An_empty_plan_succeeds_at_once()
    {
        var plan = Plan.Create(PlanKind.Reconfigure, "prod", "airbyte-prod", []).Value;

        var operation = Operation.Start(Guid.NewGuid(), OperationKind.Reconfigure, plan, Target, "ops@example.com", null, T0);

        Assert.Equal(OperationState.Succeeded, operation.State);
    }

    [Fact]
    public void Backoff_doubles_up_to_the_cap_with_bounded_jitter()
    {
        var policy = StepPolicy.Default;

        Assert.Equal(TimeSpan.FromSeconds(2), policy.BackoffAfter(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(4), policy.BackoffAfter(2, 0));
        Assert.Equal(TimeSpan.FromSeconds(8), policy.BackoffAfter(3, 0));
        Assert.Equal(TimeSpan.FromMinutes(1), policy.BackoffAfter(30, 0));
        Assert.Equal(TimeSpan.FromSeconds(2.4), policy.BackoffAfter(1, 1));
    }

    [Fact]
    public void Abandon_fails_a_queued_step_and_cancels_its_dependents()
    {
        var operation = Diamond();

        operation.Abandon(S(operation, "a").Id, T0, "the portal could not reach its database");

        Assert.Equal(StepState.Failed, S(operation, "a").State);
        Assert.Equal(StepState.Cancelled, S(operation, "d").State);
        Assert.Equal(OperationState.Failing, operation.State);
    }
}
