using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Features.Operations;
using Portal.Features.Topology;
using Portal.Provisioning.Stacks;
using Portal.Tests.Fakes;

namespace Portal.Tests.Features;

public class OperationPageTests : PortalTestContext
{
    private static readonly Guid Id = OperationsStackService.StartedOperation;
    private readonly OperationsStackService _stacks = new();
    private readonly DateTimeOffset _t0;

    public OperationPageTests()
    {
        Services.AddSingleton<IStackService>(_stacks);
        SignInAs("olivia", PortalRole.Operator);
        _t0 = Clock.GetUtcNow() - TimeSpan.FromSeconds(90);
    }

    [Fact]
    public void The_progress_view_shows_every_step_with_state_attempts_and_duration_and_the_progress()
    {
        _stacks.Operations[Id] = Operation("Running",
            Step("namespace:prod", "Succeeded", started: 0, finished: 2),
            Step("apply:postgresql", "Succeeded", started: 2, finished: 5),
            Step("await:postgresql", "Waiting", started: 5, runs: 3, attempts: 1, waitsFor: "postgresql to accept connections"),
            Step("apply:airbyte", "Blocked"));

        var page = Render<OperationPage>(p => p.Add(x => x.Id, Id));

        var progress = page.WaitForElement("[data-testid=progress]");
        Assert.Equal(("2", "4"), (progress.GetAttribute("data-done"), progress.GetAttribute("data-total")));
        Assert.Contains("2 of 4 steps done", progress.TextContent, StringComparison.Ordinal);
        var steps = page.FindAll("[data-testid=steps] > li");
        Assert.Equal(["succeeded", "succeeded", "waiting", "blocked"], steps.Select(s => s.GetAttribute("data-state")));
        Assert.Contains("3 runs · 1 failed", steps[2].TextContent, StringComparison.Ordinal);
        Assert.Contains("waits for postgresql to accept connections", steps[2].TextContent, StringComparison.Ordinal);
        Assert.Equal("3s", steps[1].QuerySelector("[data-testid=duration]")!.TextContent);
        Assert.Equal("1m 25s", steps[2].QuerySelector("[data-testid=duration]")!.TextContent);
        Assert.Contains("Requested by olivia", page.Find("[data-testid=operation-facts]").TextContent, StringComparison.Ordinal);
        Assert.Contains("ticket OPS-42", page.Find("[data-testid=operation-facts]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=cancel]"));
        Assert.Empty(page.FindAll("[data-testid=retry]"));
    }

    [Fact]
    public void A_running_operation_refreshes_every_second_until_it_succeeds_then_links_to_the_topology()
    {
        _stacks.Operations[Id] = Operation("Running", Step("apply:airbyte", "Running", started: 80));
        var page = Render<OperationPage>(p => p.Add(x => x.Id, Id));
        page.WaitForElement("[data-testid=steps]");
        Assert.Equal("10s", page.Find("[data-testid=duration]").TextContent);

        Clock.Advance(OperationPage.PollInterval);
        page.WaitForAssertion(() => Assert.Equal("11s", page.Find("[data-testid=duration]").TextContent));

        _stacks.Operations[Id] = Operation("Succeeded", Step("apply:airbyte", "Succeeded", started: 80, finished: 95)) with { FinishedAt = _t0 + TimeSpan.FromSeconds(95) };
        Clock.Advance(OperationPage.PollInterval);

        page.WaitForAssertion(() => Assert.Contains("See prod's topology", page.Find("[data-testid=succeeded]").TextContent, StringComparison.Ordinal));
        Assert.Equal(TopologyLinks.Stack("prod"), page.Find("[data-testid=succeeded] a").GetAttribute("href"));
        var calls = _stacks.GetOperationCalls;
        Clock.Advance(OperationPage.PollInterval * 3);
        Assert.Equal(calls, _stacks.GetOperationCalls);
        Assert.Empty(page.FindAll("[data-testid=cancel]"));
    }

    [Fact]
    public void A_failed_step_shows_its_error_with_the_events_and_logs_of_its_component_and_retry_asks_first()
    {
        Live.Seed(StackWorld.Healthy().CrashLoop("airbyte-server").Snapshot());
        _stacks.Operations[Id] = Operation("Failed",
            Step("apply:airbyte", "Succeeded", started: 0, finished: 3),
            Step("await:airbyte", "Failed", started: 3, finished: 60, attempts: 3, error: "airbyte did not become healthy within 10m: server is crash-looping.")) with { Error = "Step await:airbyte failed." };
        var page = Render<OperationPage>(p => p.Add(x => x.Id, Id));

        var failure = page.WaitForElement("[data-testid=failure]");
        Assert.Contains("server is crash-looping", failure.TextContent, StringComparison.Ordinal);
        Assert.Contains("BackOff", failure.QuerySelector("[data-testid=failure-events]")!.TextContent, StringComparison.Ordinal);
        page.WaitForAssertion(() => Assert.Contains(PodLogs.Reads, r => r.Pod == StackWorld.PodOf("airbyte-server")));
        Assert.Empty(page.FindAll("[data-testid=cancel]"));

        page.Find("[data-testid=retry]").Click();
        Assert.Empty(_stacks.Retried);
        _stacks.ActionAnswer = _ => ServiceResult<OperationView>.Ok(Operation("Running", Step("apply:airbyte", "Succeeded", started: 0, finished: 3), Step("await:airbyte", "Queued")));
        page.Find("[data-testid=confirm]").Click();

        page.WaitForAssertion(() => Assert.Equal([(Id, "olivia")], _stacks.Retried));
        page.WaitForAssertion(() => Assert.Equal("queued", page.Find("[data-step='await:airbyte']").GetAttribute("data-state")));
    }

    [Fact]
    public void Cancel_asks_first_and_a_refusal_is_shown()
    {
        _stacks.Operations[Id] = Operation("Running", Step("apply:airbyte", "Running", started: 10));
        _stacks.ActionAnswer = _ => ServiceResult<OperationView>.Conflict("The operation finished before it could be cancelled.");
        var page = Render<OperationPage>(p => p.Add(x => x.Id, Id));

        page.WaitForElement("[data-testid=cancel]").Click();
        page.Find("[data-testid=confirm]").Click();

        page.WaitForAssertion(() => Assert.Contains("finished before it could be cancelled", page.Find("[data-testid=action-problem]").TextContent, StringComparison.Ordinal));
        Assert.Equal([(Id, "olivia")], _stacks.Cancelled);
    }

    [Fact]
    public void A_viewer_sees_the_progress_without_cancel_or_retry()
    {
        SignInAs("victor", PortalRole.Viewer);
        _stacks.Operations[Id] = Operation("Failed", Step("await:airbyte", "Failed", started: 3, finished: 60, error: "boom"));

        var page = Render<OperationPage>(p => p.Add(x => x.Id, Id));

        page.WaitForElement("[data-testid=failure]");
        Assert.Empty(page.FindAll("[data-testid=retry]"));
        Assert.Empty(page.FindAll("[data-testid=cancel]"));
    }

    [Fact]
    public void An_unknown_operation_says_so()
    {
        var page = Render<OperationPage>(p => p.Add(x => x.Id, Guid.NewGuid()));

        page.WaitForAssertion(() => Assert.Contains("There is no operation", page.Find("[data-testid=problem]").TextContent, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("apply:airbyte", "airbyte")]
    [InlineData("await:temporal-admin", "temporal-admin")]
    [InlineData("relate:airbyte:db--postgresql:database", "airbyte")]
    [InlineData("namespace:prod", null)]
    public void A_step_belongs_to_the_component_it_works_on(string key, string? component) =>
        Assert.Equal(component, OperationPage.ComponentOf(key));

    private OperationView Operation(string state, params StepView[] steps) =>
        new(Id, "prod", "Deploy", state, "olivia", "ticket OPS-42", _t0, null, null, [], steps);

    private StepView Step(string key, string state, int? started = null, int? finished = null, int runs = 1, int attempts = 0, string waitsFor = "", string? error = null) =>
        new(key, key.Split(':')[0], $"Step {key}", waitsFor, [], state, attempts, started is null ? 0 : runs,
            started is { } s ? _t0 + TimeSpan.FromSeconds(s) : null, finished is { } f ? _t0 + TimeSpan.FromSeconds(f) : null, null, error);
}
