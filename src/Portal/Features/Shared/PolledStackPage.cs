using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Shared;

/// <summary>A page about one stack that reads a service on open, on Refresh and every <see cref="RefreshInterval"/> until it goes
/// (what it shows lives in the cluster, which no stream offers here): the certificates and the secrets pages.</summary>
/// <remarks>A cluster that does not answer keeps the last data read on screen under a banner (<see cref="Problem"/>). Actions
/// on one item (a lane, a secret) are checked for the Operator role when clicked, and a refusal stays next to that item.</remarks>
/// <typeparam name="TData">What one read returns.</typeparam>
public abstract class PolledStackPage<TData> : ComponentBase, IAsyncDisposable
    where TData : class
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    /// <summary>The dialogs an item's actions open.</summary>
    protected static readonly DialogOptions DialogOptions = new() { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseOnEscapeKey = true };

    private readonly CancellationTokenSource _disposed = new();
    private Task _poll = Task.CompletedTask;
    private string? _loadedName;

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Parameter]
    public required string Name { get; set; }

    /// <summary>The last data read; kept while later reads fail.</summary>
    protected TData? Data { get; set; }

    /// <summary>Why the last read failed; null when it succeeded.</summary>
    protected string? Problem { get; private set; }

    /// <summary>The portal knows no stack of this name.</summary>
    protected bool Missing { get; private set; }

    /// <summary>The viewer holds the Operator role (the buttons are enabled; each click checks again).</summary>
    protected bool Operates { get; private set; }

    protected bool Loading { get; private set; }

    protected DateTimeOffset? LoadedAt { get; private set; }

    /// <summary>The clock at the last read, for "read … ago" and what is due.</summary>
    protected DateTimeOffset Now { get; private set; }

    /// <summary>Why an action on an item was refused, by the item's key.</summary>
    protected Dictionary<string, string> Refusals { get; } = new(StringComparer.Ordinal);

    /// <summary>Cancelled when the page goes.</summary>
    protected CancellationToken Disposed => _disposed.Token;

    /// <summary>One read of the page's data for stack <paramref name="name"/>.</summary>
    protected abstract Task<ServiceResult<TData>> ReadAsync(string name, CancellationToken cancellationToken);

    /// <summary>Called when the page moves to another stack, to forget what belonged to the previous one.</summary>
    protected virtual void OnStackChanged()
    {
    }

    protected override async Task OnInitializedAsync()
    {
        Operates = await Authorization.AllowsAsync(PortalPolicies.Operator);
        _poll = PollAsync(_disposed.Token);
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedName == Name)
        {
            return;
        }

        _loadedName = Name;
        Data = null;
        LoadedAt = null;
        Refusals.Clear();
        OnStackChanged();
        await LoadAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        try
        {
            await _poll;
        }
        catch (OperationCanceledException)
        {
            // The page went while a refresh was waiting or on its way.
        }

        _disposed.Dispose();
        GC.SuppressFinalize(this);
    }

    protected async Task RefreshAsync()
    {
        Refusals.Clear();
        await LoadAsync();
    }

    protected async Task LoadAsync()
    {
        Loading = true;
        try
        {
            var result = await ReadAsync(Name, _disposed.Token);
            Missing = result.Status == ServiceStatus.NotFound;
            if (result.IsSuccess)
            {
                Data = result.Value;
                LoadedAt = Time.GetUtcNow();
                Problem = null;
            }
            else
            {
                Problem = result.Message;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An infrastructure fault reads like an unavailable cluster: a banner, the last data kept, the next refresh tries again.
            Problem = $"Reading them failed: {e.Message}";
        }
        finally
        {
            Loading = false;
            Now = Time.GetUtcNow();
        }
    }

    /// <summary>Opens an item's action after checking the Operator role again: a disabled button is not a permission.</summary>
    protected async Task WhenAllowedAsync(string item, Func<Task> open)
    {
        try
        {
            await Authorization.DemandAsync(PortalPolicies.Operator);
            Refusals.Remove(item);
            await open();
        }
        catch (UnauthorizedAccessException e)
        {
            Refusals[item] = e.Message;
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(RefreshInterval, Time, cancellationToken);
            await InvokeAsync(async () =>
            {
                await LoadAsync();
                StateHasChanged();
            });
        }
    }
}
