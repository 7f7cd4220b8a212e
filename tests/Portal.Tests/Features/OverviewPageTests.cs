using Microsoft.Extensions.DependencyInjection;
using Portal.Features.Home;
using Portal.Provisioning.Stacks;

namespace Portal.Tests.Features;

public class OverviewPageTests : PortalTestContext
{
    private readonly FakeStackService _stacks = new();

    public OverviewPageTests() => Services.AddSingleton<IStackService>(_stacks);

    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private static StackSummary Stack(string name, OperationSummary? active, OperationSummary? last) =>
        new(name, "charmed-airbyte", "sandbox", $"airbyte-{name}", last is not null, active, last, T0, T0);

    [Fact]
    public void Overview_shows_the_environment_the_portal_runs_on()
    {
        var page = Render<OverviewPage>();

        var environment = page.Find("[aria-label=Environment]").TextContent;
        Assert.Contains("SQLite (.portal/portal.db)", environment, StringComparison.Ordinal);
        Assert.Contains("Hangfire in memory", environment, StringComparison.Ordinal);
        Assert.Contains("sandbox (embedded)", environment, StringComparison.Ordinal);
        Assert.Contains("development sign-in", environment, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_stacks_the_overview_says_so_and_points_to_the_blueprint()
    {
        var page = Render<OverviewPage>();

        page.WaitForAssertion(() => Assert.Contains("No stack is deployed yet", page.Find("[data-testid=no-stacks]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Each_stack_shows_where_it_runs_and_its_running_or_last_operation()
    {
        _stacks.Stacks =
        [
            Stack("prod", active: null, last: new OperationSummary(Guid.NewGuid(), "Deploy", "Succeeded", T0, T0.AddMinutes(2))),
            Stack("staging", active: new OperationSummary(Guid.NewGuid(), "Reconfigure", "Running", T0, null), last: null),
        ];

        var page = Render<OverviewPage>();

        page.WaitForAssertion(() =>
        {
            var rows = page.FindAll("[aria-label=Stacks] tbody tr");
            Assert.Equal(2, rows.Count);
            Assert.Contains("sandbox / airbyte-prod", rows[0].TextContent, StringComparison.Ordinal);
            Assert.Contains("Deploy succeeded", rows[0].TextContent, StringComparison.Ordinal);
            Assert.Contains("2026-11-26 10:02 UTC", rows[0].TextContent, StringComparison.Ordinal);
            Assert.Contains("Reconfigure running", rows[1].TextContent, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Refresh_loads_the_stacks_again()
    {
        var page = Render<OverviewPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=no-stacks]")));
        _stacks.Stacks = [Stack("prod", null, new OperationSummary(Guid.NewGuid(), "Deploy", "Failed", T0, T0))];

        page.Find("button[aria-label='Refresh the stacks']").Click();

        page.WaitForAssertion(() => Assert.Contains("Deploy failed", page.Find("[aria-label=Stacks] tbody tr").TextContent, StringComparison.Ordinal));
        Assert.Equal(2, _stacks.ListCalls);
    }

    /// <summary>Only listing is used by the overview; the other members refuse, so a test notices if that changes.</summary>
    private sealed class FakeStackService : IStackService
    {
        public IReadOnlyList<StackSummary> Stacks { get; set; } = [];

        public int ListCalls { get; private set; }

        public Task<IReadOnlyList<StackSummary>> ListAsync(CancellationToken cancellationToken)
        {
            ListCalls++;
            return Task.FromResult(Stacks);
        }

        public Task<ServiceResult<StackView>> GetAsync(string name, CancellationToken cancellationToken) => Unused<StackView>();

        public Task<ServiceResult<StackChange>> CreateAsync(CreateStackCommand command, string actor, CancellationToken cancellationToken) => Unused<StackChange>();

        public Task<ServiceResult<StackChange>> UpdateAsync(string name, UpdateStackCommand command, string actor, CancellationToken cancellationToken) => Unused<StackChange>();

        public Task<ServiceResult<StackChange>> DeleteAsync(string name, TeardownStackCommand command, string actor, CancellationToken cancellationToken) => Unused<StackChange>();

        public Task<ServiceResult<string>> RenderManifestsAsync(string name, CancellationToken cancellationToken) => Unused<string>();

        public Task<ServiceResult<OperationView>> GetOperationAsync(Guid id, CancellationToken cancellationToken) => Unused<OperationView>();

        public Task<ServiceResult<OperationView>> RetryAsync(Guid id, string actor, CancellationToken cancellationToken) => Unused<OperationView>();

        public Task<ServiceResult<OperationView>> CancelAsync(Guid id, string actor, CancellationToken cancellationToken) => Unused<OperationView>();

        private static Task<ServiceResult<T>> Unused<T>() => throw new InvalidOperationException("The overview only lists stacks.");
    }
}
