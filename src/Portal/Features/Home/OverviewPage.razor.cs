using Microsoft.AspNetCore.Components;
using Portal.Domain.Status;
using Portal.Hosting;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Live;
using Portal.Provisioning.Stacks;
using Portal.Shared.Live;
using Portal.Shared.Status;

namespace Portal.Features.Home;

/// <summary>The landing page: one card per stack with its live status and soonest certificate expiry, and what the portal runs on.</summary>
/// <remarks>Subscribes to every stack's live updates while open; each update redraws only its own card. The stored stacks
/// (where they run, operations) are read on open, on refresh, and again after live changes at most every
/// <see cref="StoredRefresh"/>, so a stack created elsewhere or an operation that ended shows up without a reload.</remarks>
public sealed partial class OverviewPage : IAsyncDisposable
{
    private static readonly TimeSpan StoredRefresh = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, LiveStack> _live = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, StackSummary>? _summaries;
    private IReadOnlyList<string> _names = [];
    private LiveFeed? _feed;
    private DateTimeOffset _storedAt = DateTimeOffset.MinValue;
    private string? _problem;
    private IReadOnlyDictionary<string, StackCertificateExpiries>? _expiries;
    private string? _expiriesProblem;
    private DateTimeOffset _now;

    [Inject]
    public required PortalEnvironment Environment { get; init; }

    [Inject]
    public required IStackService Stacks { get; init; }

    /// <summary>The clusters connected now (added on the clusters page or from configuration), not only those configured at start.</summary>
    [Inject]
    public required Portal.Provisioning.Clusters.IClusterRegistry Clusters { get; init; }

    [Inject]
    public required ILiveStacks Live { get; init; }

    [Inject]
    public required ICertificateService Certificates { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    /// <summary>The clusters connected now, with how the configured ones came (<c>sandbox (embedded)</c>), then configured ones
    /// that are not connected.</summary>
    private List<string> ClusterList
    {
        get
        {
            static bool Names(string described, string name) =>
                described == name || described.StartsWith(name + " (", StringComparison.Ordinal);
            var connected = Clusters.Names;
            return connected.Select(n => Environment.Clusters.FirstOrDefault(d => Names(d, n)) ?? n)
                .Concat(Environment.Clusters.Where(d => !connected.Any(n => Names(d, n))))
                .ToList();
        }
    }

    private IEnumerable<(string Word, int Count)> StatusTotals =>
        _names.Select(n => LiveOf(n)?.Status.Status ?? ComponentStatus.Unknown)
            .GroupBy(s => s)
            .OrderBy(g => g.Key)
            .Select(g => (StatusStyles.Word(g.Key), g.Count()));

    protected override async Task OnInitializedAsync()
    {
        _now = Time.GetUtcNow();
        foreach (var stack in Live.All)
        {
            _live[stack.Stack] = stack;
        }

        Arrange();
        _feed = LiveFeed.Start(Live, null, batch => InvokeAsync(() => Apply(batch)), DispatchExceptionAsync);
        await LoadAsync();
        await LoadExpiriesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }
    }

    private async Task LoadAsync()
    {
        _storedAt = Time.GetUtcNow();
        var stacks = await Stacks.ListAsync(CancellationToken.None);
        _summaries = stacks.ToDictionary(s => s.Name, StringComparer.Ordinal);
        _problem = null;
        _now = Time.GetUtcNow();
        Arrange();
    }

    private async Task RefreshAllAsync()
    {
        await LoadAsync();
        await LoadExpiriesAsync();
    }

    // Once per load of the overview (and on Refresh), for every card at once: it reads the TLS Secrets of every stack's cluster,
    // too much to repeat on each live update.
    private async Task LoadExpiriesAsync()
    {
        try
        {
            var expiries = await Certificates.ExpiriesAsync(CancellationToken.None);
            _expiries = expiries.ToDictionary(e => e.Stack, StringComparer.Ordinal);
            _expiriesProblem = null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _expiriesProblem = $"the certificates could not be read ({e.Message})";
        }
    }

    private void Apply(IReadOnlyList<LiveUpdate> batch)
    {
        foreach (var update in LiveFeed.Merge(batch))
        {
            if (update.Removed)
            {
                _live.Remove(update.Stack.Stack);
            }
            else
            {
                _live[update.Stack.Stack] = update.Stack;
            }
        }

        _now = Time.GetUtcNow();
        Arrange();
        StateHasChanged();
        if (_now - _storedAt >= StoredRefresh)
        {
            _ = RefreshAsync();
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            await LoadAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A background refresh keeps the summaries it had, and says why they may be stale.
            _problem = $"Could not read the stored stacks: {e.Message}";
        }

        StateHasChanged();
    }

    private void Arrange() =>
        _names = (_summaries?.Keys ?? []).Union(_live.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private StackSummary? SummaryOf(string name) => _summaries is not null && _summaries.TryGetValue(name, out var summary) ? summary : null;

    private CardExpiry ExpiryOf(string name) => CardExpiry.For(name, _expiries, _expiriesProblem);

    private LiveStack? LiveOf(string name) => _live.GetValueOrDefault(name);
}
