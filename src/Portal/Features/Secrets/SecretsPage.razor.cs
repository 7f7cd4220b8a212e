using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Secrets;

/// <summary>A stack's secrets, one card each: owner, consumers, where it lives, revision and fingerprint (never the value), rotation
/// policy and when it next rotates, and the ledger's workloads still on an older revision; operators rotate, roll back and set the
/// policy from here.</summary>
/// <remarks>Reads the secret service on open, on Refresh and every <see cref="RefreshInterval"/> until the page goes. A cluster that
/// does not answer keeps the last inventory read on screen under a banner saying so.</remarks>
public sealed partial class SecretsPage : IAsyncDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    private static readonly DialogOptions Options = new() { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseOnEscapeKey = true };

    private readonly CancellationTokenSource _disposed = new();
    private readonly Dictionary<string, string> _refusals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<string>> _policyErrors = new(StringComparer.Ordinal);
    private Task _poll = Task.CompletedTask;
    private StackSecretInventory? _inventory;
    private string? _problem;
    private bool _missing;
    private bool _operates;
    private bool _loading;
    private string? _savingPolicy;
    private DateTimeOffset? _loadedAt;
    private DateTimeOffset _now;
    private string? _loadedName;

    [Inject]
    public required ISecretService Secrets { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Parameter]
    public required string Name { get; set; }

    private List<SecretView> StaleSecrets => _inventory?.Secrets.Where(s => s.Stale.Count > 0).ToList() ?? [];

    private string StaleHeadline
    {
        get
        {
            var workloads = StaleSecrets.SelectMany(s => s.Stale).Select(w => w.Workload).Distinct(StringComparer.Ordinal).Count();
            return workloads == 1
                ? "1 workload still runs an older revision of a secret."
                : $"{workloads} workloads still run an older revision of a secret.";
        }
    }

    protected override async Task OnInitializedAsync()
    {
        _operates = await Authorization.AllowsAsync(PortalPolicies.Operator);
        _poll = PollAsync(_disposed.Token);
    }

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedName == Name)
        {
            return;
        }

        _loadedName = Name;
        _inventory = null;
        _loadedAt = null;
        _refusals.Clear();
        _policyErrors.Clear();
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
    }

    private async Task RefreshAsync()
    {
        _refusals.Clear();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        try
        {
            var result = await Secrets.ListAsync(Name, _disposed.Token);
            _missing = result.Status == ServiceStatus.NotFound;
            if (result.IsSuccess)
            {
                _inventory = result.Value;
                _loadedAt = Time.GetUtcNow();
                _problem = null;
            }
            else
            {
                _problem = result.Message;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An infrastructure fault reads like an unavailable cluster: a banner, the last inventory kept, the next refresh tries again.
            _problem = $"Reading them failed: {e.Message}";
        }
        finally
        {
            _loading = false;
            _now = Time.GetUtcNow();
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

    private async Task SetPolicyAsync(SecretView secret, RotationPolicy policy)
    {
        _savingPolicy = secret.Id;
        try
        {
            var actor = await Authorization.DemandAsync(PortalPolicies.Operator);
            var result = await Secrets.SetPolicyAsync(Name, secret.Id, SecretStyles.Word(policy), actor, _disposed.Token);
            if (result.IsSuccess)
            {
                _policyErrors.Remove(secret.Id);
                Replace(result.Value);
            }
            else
            {
                _policyErrors[secret.Id] = result.Errors.Count > 0 ? [.. result.Errors.Select(e => e.Message)] : [result.Message];
            }
        }
        catch (UnauthorizedAccessException e)
        {
            _policyErrors[secret.Id] = [e.Message];
        }
        finally
        {
            _savingPolicy = null;
        }
    }

    private void Replace(SecretView changed)
    {
        if (_inventory is { } inventory)
        {
            _inventory = inventory with { Secrets = [.. inventory.Secrets.Select(s => s.Id == changed.Id ? changed : s)] };
        }
    }

    private Task RotateAsync(SecretView secret) => WhenAllowedAsync(secret, () =>
        Dialogs.ShowAsync<RotateSecretDialog>($"Rotate {secret.Name}", Parameters(secret), Options));

    private Task RollbackAsync(SecretView secret) => WhenAllowedAsync(secret, () =>
        Dialogs.ShowAsync<RollbackSecretDialog>($"Roll back {secret.Name}", Parameters(secret), Options));

    // Whatever the dialog ended with, the inventory is read again: a revealed secret is revealable no more.
    private Task RevealAsync(SecretView secret) => WhenAllowedAsync(secret, async () =>
    {
        var dialog = await Dialogs.ShowAsync<RevealSecretDialog>($"Reveal {secret.Name} once", Parameters(secret), Options);
        await dialog.Result;
        await LoadAsync();
    });

    private DialogParameters Parameters(SecretView secret) => new() { { "Stack", Name }, { "Secret", secret } };

    // The buttons are disabled for viewers; the role is checked again here because a disabled button is not a permission.
    private async Task WhenAllowedAsync(SecretView secret, Func<Task> open)
    {
        try
        {
            await Authorization.DemandAsync(PortalPolicies.Operator);
            _refusals.Remove(secret.Id);
            await open();
        }
        catch (UnauthorizedAccessException e)
        {
            _refusals[secret.Id] = e.Message;
        }
    }
}
