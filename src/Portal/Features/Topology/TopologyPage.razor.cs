using Microsoft.AspNetCore.Components;
using Portal.Domain.Catalog;
using Portal.Domain.Status;
using Portal.Domain.Topology;
using Portal.Provisioning.Live;
using Portal.Provisioning.Stacks;
using Portal.Shared.Live;
using Portal.Shared.Topology;

namespace Portal.Features.Topology;

/// <summary>The live topology of one stack: its components and relations with their status, the root causes of what is not
/// green, and a drawer for a component or a relation chosen by the URL.</summary>
/// <remarks>Subscribes to the stack's live updates while open (again when the stack in the URL changes) and unsubscribes when
/// the page or the circuit goes away. The layout depends on the spec only and is recomputed when the spec's structure changes;
/// a status update only recolours. The stored stack (config, operations) is read on open, when a drawer opens, and again
/// after live changes at most every <see cref="StoredRefresh"/>.</remarks>
public sealed partial class TopologyPage : IAsyncDisposable
{
    private const int RecentOperations = 20;
    private static readonly TimeSpan StoredRefresh = TimeSpan.FromSeconds(5);
    private static readonly string[] Legend = ["active", "maintenance", "waiting", "unknown", "blocked", "error"];

    private readonly PulseTracker _nodePulses = new();
    private readonly PulseTracker _edgePulses = new();
    private LiveFeed? _feed;
    private string? _subscribed;
    private string? _drawerShown;
    private LiveStack? _stack;
    private bool _removed;
    private string? _structure;
    private GraphLayout? _layout;
    private Dictionary<string, DiagramNode> _nodes = [];
    private Dictionary<string, DiagramEdge> _edges = [];
    private IReadOnlyList<StatusDiagnosis> _rootCauses = [];
    private string? _focus;
    private StackView? _view;
    private bool _viewMissing;
    private IReadOnlyList<OperationView>? _operations;
    private DateTimeOffset _storedAt = DateTimeOffset.MinValue;
    private string? _storedProblem;
    private DateTimeOffset _now;

    [Inject]
    public required ILiveStacks Live { get; init; }

    [Inject]
    public required IStackService Stacks { get; init; }

    [Inject]
    public required ComponentCatalog Catalog { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Parameter, EditorRequired]
    public required string Name { get; set; }

    /// <summary>The component whose drawer is open (from the URL).</summary>
    [Parameter]
    public string? Component { get; set; }

    /// <summary>The key of the relation whose drawer is open (from the URL).</summary>
    [Parameter]
    public string? Relation { get; set; }

    private bool DrawerOpen => Component is not null || Relation is not null;

    protected override async Task OnParametersSetAsync()
    {
        _now = Time.GetUtcNow();
        var drawer = Component ?? Relation;
        var drawerOpened = drawer is not null && drawer != _drawerShown;
        _drawerShown = drawer;
        if (_subscribed != Name)
        {
            await SubscribeAsync();
            await LoadStoredAsync();
        }
        else if (drawerOpened)
        {
            // A drawer opened: show it with fresh config and operations.
            await LoadStoredAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_feed is not null)
        {
            await _feed.DisposeAsync();
        }
    }

    // Every field changes before the first await: parameters set again while the old feed stops see the new subscription.
    private async Task SubscribeAsync()
    {
        var previous = _feed;
        _subscribed = Name;
        _stack = null;
        _removed = false;
        _structure = null;
        _layout = null;
        _focus = null;
        _view = null;
        _viewMissing = false;
        _operations = null;
        _storedProblem = null;
        _nodePulses.Clear();
        _edgePulses.Clear();
        if (Live.Find(Name) is { } known)
        {
            Show(known);
        }

        var name = Name;
        _feed = LiveFeed.Start(Live, name, batch => InvokeAsync(() => Apply(name, batch)), DispatchExceptionAsync);
        if (previous is not null)
        {
            await previous.DisposeAsync();
        }
    }

    private void Apply(string stack, IReadOnlyList<LiveUpdate> batch)
    {
        if (stack != _subscribed)
        {
            // A batch of the previous stack that was already on its way.
            return;
        }

        _now = Time.GetUtcNow();
        foreach (var update in LiveFeed.Merge(batch).Where(u => u.Stack.Stack == stack))
        {
            if (!update.IsInitial)
            {
                _nodePulses.Mark(update.ChangedComponents, _now);
                _edgePulses.Mark(update.ChangedRelations, _now);
            }

            _removed = update.Removed;
            Show(update.Stack);
        }

        StateHasChanged();
        if (_now - _storedAt >= StoredRefresh)
        {
            _ = RefreshStoredAsync();
        }
    }

    private void Show(LiveStack stack)
    {
        _stack = stack;
        var structure = TopologyModel.Structure(stack.Spec);
        if (structure != _structure)
        {
            _structure = structure;
            _layout = TopologyModel.Layout(stack.Spec, Catalog);
        }

        _nodes = TopologyModel.Nodes(stack, Catalog, _nodePulses, _now);
        _edges = TopologyModel.Edges(stack, _edgePulses, _now);
        _rootCauses = WhyNotGreen.RootCauses(stack.Status);
        _focus ??= _rootCauses.Count > 0 ? TopologyModel.DeepestComponent(_rootCauses[0]) : null;
    }

    private async Task RefreshStoredAsync()
    {
        try
        {
            await LoadStoredAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A refresh in the background keeps what it had; the header says why it may be stale.
            _storedProblem = $"Could not read the stored stack: {e.Message}";
        }

        StateHasChanged();
    }

    private async Task LoadStoredAsync()
    {
        var name = Name;
        _storedAt = Time.GetUtcNow();
        var view = await Stacks.GetAsync(name, CancellationToken.None);
        var operations = view.IsSuccess ? await Stacks.ListOperationsAsync(name, RecentOperations, CancellationToken.None) : [];
        if (name != _subscribed)
        {
            // The page moved to another stack meanwhile; this answer is about the previous one.
            return;
        }

        _view = view.IsSuccess ? view.Value : null;
        _viewMissing = view.Status == ServiceStatus.NotFound;
        _operations = operations;
        _storedProblem = null;
    }

    private void OpenComponent(string component) => Navigation.NavigateTo(TopologyLinks.Component(Name, component));

    private void OpenRelation(string key) => Navigation.NavigateTo(TopologyLinks.Relation(Name, key));

    private void CloseDrawer() => Navigation.NavigateTo(TopologyLinks.Stack(Name));
}
