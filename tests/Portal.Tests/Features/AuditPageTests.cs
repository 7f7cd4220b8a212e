using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Features.Audit;
using Portal.Provisioning.Stacks;

namespace Portal.Tests.Features;

public class AuditPageTests : PortalTestContext
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid DeployId = Guid.Parse("0b9f8f4e-7c55-4c0c-9d0a-2a8f3c1e5d11");

    private readonly FakeAuditLog _audit = new();
    private readonly FakeStackService _stacks = new();

    public AuditPageTests()
    {
        Services.AddSingleton<IAuditLog>(_audit);
        Services.AddSingleton<IStackService>(_stacks);
        _audit.Entries =
        [
            new AuditEntry(3, T0.AddHours(2), "bob", "teardown", "staging", "staging", null, "refused: Say why the stack is torn down (a reason is kept in the audit log).", AuditOutcomes.Refused, null, null),
            new AuditEntry(2, T0.AddHours(1), "alice", "reconfigure", "prod", "prod", "chasing a sync bug", "accepted: 1 step", AuditOutcomes.Accepted, null,
                "~ airbyte.log-level: INFO → DEBUG\n~ oauth2-proxy.client-secret changed ((secret))\n- lego.eab-kid (was kid-1)"),
            new AuditEntry(1, T0, "alice", "create", "prod", "prod", "first deploy", "accepted: 12 steps", AuditOutcomes.Accepted, DeployId, "+ airbyte.external-hostname = prod.example.com"),
        ];
    }

    [Fact]
    public void Entries_show_when_who_what_on_which_stack_the_result_and_why()
    {
        var page = Render<AuditPage>();

        var rows = page.WaitForElements("[aria-label='Audit entries'] tbody tr");
        Assert.Equal(3, rows.Count);
        Assert.Contains("2026-11-26 12:00:00", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("bob", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("teardown", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("refused", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Say why the stack is torn down", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("chasing a sync bug", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Equal("3 entries", page.Find("[data-testid=total]").TextContent.Trim());
    }

    [Fact]
    public void Opening_an_entry_shows_its_changes_line_by_line_with_secrets_still_masked()
    {
        var page = Render<AuditPage>();

        page.WaitForElements("[aria-label='Audit entries'] tbody tr")[1].Click();

        var changes = page.WaitForElements("[data-entry='2'] .diff li");
        Assert.Equal(["changed", "changed", "removed"], changes.Select(li => li.ClassName));
        Assert.Equal("airbyte.log-level: INFO → DEBUG", changes[0].QuerySelector("code")!.TextContent);
        Assert.Equal("oauth2-proxy.client-secret changed ((secret))", changes[1].QuerySelector("code")!.TextContent);
        Assert.Contains("lego.eab-kid (was kid-1)", changes[2].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_with_an_operation_shows_its_steps_on_request()
    {
        _stacks.Operation = new OperationView(DeployId, "prod", "Deploy", "Succeeded", "alice", "first deploy", T0, T0.AddMinutes(3), null, [],
        [
            new StepView("namespace", "Namespace", "Create namespace prod", "", [], "Succeeded", 0, 1, T0, T0, null, null),
            new StepView("apply:airbyte", "Apply", "Apply airbyte", "", ["namespace"], "Succeeded", 1, 2, T0, T0.AddMinutes(2), null, null),
        ]);
        var page = Render<AuditPage>();
        page.WaitForElements("[aria-label='Audit entries'] tbody tr")[2].Click();

        page.WaitForElement($"button[aria-label='Show operation {DeployId}']").Click();

        page.WaitForAssertion(() =>
        {
            var operation = page.Find("[aria-label=Operation]").TextContent;
            Assert.Contains("Deploy of stack prod, succeeded, requested by alice", operation, StringComparison.Ordinal);
            Assert.Equal(2, page.FindAll("[aria-label=Steps] tbody tr").Count);
        });
        Assert.Equal([DeployId], _stacks.OperationsAsked);
    }

    [Fact]
    public async Task Choosing_filters_asks_for_the_matching_entries_from_page_one_and_the_csv_link_follows()
    {
        var page = Render<AuditPage>();
        page.WaitForElements("[aria-label='Audit entries'] tbody tr");

        await Select(page, "stack", "prod");
        await Select(page, "result", AuditOutcomes.Accepted);

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[aria-label='Audit entries'] tbody tr").Count));
        var query = _audit.Queries.Last();
        Assert.Equal(("prod", AuditOutcomes.Accepted, 1), (query.Stack, query.Result, query.Page));
        Assert.Equal("/audit/export.csv?stack=prod&result=accepted", page.Find("[data-testid=export]").GetAttribute("href"));
    }

    [Fact]
    public void A_time_range_filters_in_utc_and_an_inverted_one_is_explained_instead_of_queried()
    {
        var page = Render<AuditPage>();
        page.WaitForElements("[aria-label='Audit entries'] tbody tr");

        page.Find("input[data-filter=from]").Change("2026-11-26T10:30");

        page.WaitForAssertion(() => Assert.Equal(new DateTimeOffset(2026, 11, 26, 10, 30, 0, TimeSpan.Zero), _audit.Queries.Last().From));
        Assert.Equal("/audit/export.csv?from=2026-11-26T10%3A30%3A00Z", page.Find("[data-testid=export]").GetAttribute("href"));
        var asked = _audit.Queries.Count;

        page.Find("input[data-filter=to]").Change("2026-11-26T09:00");

        page.WaitForAssertion(() => Assert.Contains("The end of the time range must be after its start.", page.Find("[aria-label='Filter problems']").TextContent, StringComparison.Ordinal));
        Assert.Equal(asked, _audit.Queries.Count);
    }

    [Fact]
    public void Many_entries_are_paged()
    {
        _audit.Entries = Enumerable.Range(1, 120)
            .Select(i => new AuditEntry(i, T0.AddMinutes(-i), "alice", "retry", "prod", "prod", null, "accepted", AuditOutcomes.Accepted, null, null))
            .ToList();
        var page = Render<AuditPage>();
        page.WaitForAssertion(() => Assert.Equal("120 entries", page.Find("[data-testid=total]").TextContent.Trim()));

        page.Find("[aria-label=Pages] button[aria-label='Page 2']").Click();

        page.WaitForAssertion(() => Assert.Equal(2, _audit.Queries.Last().Page));
        Assert.Contains("2026-11-26 09:09:00", page.FindAll("[aria-label='Audit entries'] tbody tr")[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Filters_in_the_address_apply_from_the_start()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("/audit?stack=staging&result=refused");

        var page = Render<AuditPage>();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[aria-label='Audit entries'] tbody tr")));
        Assert.Equal(("staging", AuditOutcomes.Refused), (_audit.Queries.First().Stack, _audit.Queries.First().Result));
    }

    [Fact]
    public void Without_entries_the_page_says_so()
    {
        _audit.Entries = [];

        var page = Render<AuditPage>();

        page.WaitForAssertion(() => Assert.Contains("Nothing has been changed through the portal yet", page.Find("[data-testid=no-entries]").TextContent, StringComparison.Ordinal));
    }

    private static Task Select(IRenderedComponent<AuditPage> page, string filter, string value)
    {
        // The options open in a popover outside the page; choosing one is the select's ValueChanged, as here.
        var select = page.FindComponents<MudSelect<string>>().Single(s => Equals(s.Instance.UserAttributes.GetValueOrDefault("data-filter"), filter));
        return page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(value));
    }

    /// <summary>An audit log over a list, filtering and paging as the real one does.</summary>
    private sealed class FakeAuditLog : IAuditLog
    {
        public IReadOnlyList<AuditEntry> Entries { get; set; } = [];

        public List<AuditQuery> Queries { get; } = [];

        public Task<ServiceResult<AuditEntryPage>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
        {
            Queries.Add(query);
            var matching = Matching(query).ToList();
            var items = matching.Skip((query.Page - 1) * query.PageSize).Take(query.PageSize).ToList();
            return Task.FromResult(ServiceResult<AuditEntryPage>.Ok(new AuditEntryPage(items, query.Page, query.PageSize, matching.Count)));
        }

        public async IAsyncEnumerable<AuditEntry> ExportAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            foreach (var entry in Matching(query))
            {
                yield return entry;
            }
        }

        public Task<AuditFacets> FacetsAsync(CancellationToken cancellationToken) => Task.FromResult(new AuditFacets(
            Entries.Select(e => e.Actor).Distinct().Order(StringComparer.Ordinal).ToList(),
            Entries.Select(e => e.Action).Distinct().Order(StringComparer.Ordinal).ToList(),
            Entries.Select(e => e.Stack).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList()));

        private IEnumerable<AuditEntry> Matching(AuditQuery query) => Entries
            .Where(e => query.Stack is null || e.Stack == query.Stack)
            .Where(e => query.Actor is null || e.Actor == query.Actor)
            .Where(e => query.Action is null || e.Action == query.Action)
            .Where(e => query.Result is null || e.Outcome == query.Result)
            .Where(e => query.From is null || e.At >= query.From)
            .Where(e => query.To is null || e.At < query.To)
            .OrderByDescending(e => e.At);
    }

    /// <summary>Only operations are read by the audit page; the other members refuse, so a test notices if that changes.</summary>
    private sealed class FakeStackService : IStackService
    {
        public OperationView? Operation { get; set; }

        public List<Guid> OperationsAsked { get; } = [];

        public Task<IReadOnlyList<OperationView>> ListOperationsAsync(string stack, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<OperationView>>(Operation is null ? [] : [Operation]);

        public Task<ServiceResult<OperationView>> GetOperationAsync(Guid id, CancellationToken cancellationToken)
        {
            OperationsAsked.Add(id);
            return Task.FromResult(Operation is { } operation && operation.Id == id
                ? ServiceResult<OperationView>.Ok(operation)
                : ServiceResult<OperationView>.NotFound($"There is no operation {id}."));
        }

        public Task<IReadOnlyList<StackSummary>> ListAsync(CancellationToken cancellationToken) => Unused<IReadOnlyList<StackSummary>>();

        public Task<ServiceResult<StackView>> GetAsync(string name, CancellationToken cancellationToken) => Unused<ServiceResult<StackView>>();

        public Task<ServiceResult<StackChange>> CreateAsync(CreateStackCommand command, string actor, CancellationToken cancellationToken) => Unused<ServiceResult<StackChange>>();

        public Task<ServiceResult<StackChange>> UpdateAsync(string name, UpdateStackCommand command, string actor, CancellationToken cancellationToken) => Unused<ServiceResult<StackChange>>();

        public Task<ServiceResult<UpdatePreview>> PreviewUpdateAsync(string name, UpdateStackCommand command, CancellationToken cancellationToken) => Unused<ServiceResult<UpdatePreview>>();

        public Task<ServiceResult<StackChange>> DeleteAsync(string name, TeardownStackCommand command, string actor, CancellationToken cancellationToken) => Unused<ServiceResult<StackChange>>();

        public Task<ServiceResult<string>> ExportAsync(string name, StackExportFormat format, CancellationToken cancellationToken) => Unused<ServiceResult<string>>();

        public Task<ServiceResult<OperationView>> RetryAsync(Guid id, string actor, CancellationToken cancellationToken) => Unused<ServiceResult<OperationView>>();

        public Task<ServiceResult<OperationView>> CancelAsync(Guid id, string actor, CancellationToken cancellationToken) => Unused<ServiceResult<OperationView>>();

        private static Task<T> Unused<T>() => throw new InvalidOperationException("The audit page only reads operations.");
    }
}
