using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Certificates;

/// <summary>A stack's certificates, one lane per hostname: the live certificate and where it comes from, renewal, revisions and
/// what the ingress really serves; operators rotate, roll back or upload from here.</summary>
/// <remarks>Reads the certificate service on open, on Refresh and every <see cref="RefreshInterval"/> until the page goes (the
/// certificates live in the cluster's Secrets, which no stream offers here). A cluster that does not answer keeps the last lanes
/// read on screen under a banner saying so.</remarks>
public sealed partial class CertificatesPage : IAsyncDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    private static readonly DialogOptions Options = new() { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseOnEscapeKey = true };

    private readonly CancellationTokenSource _disposed = new();
    private readonly Dictionary<string, string> _refusals = new(StringComparer.Ordinal);
    private Task _poll = Task.CompletedTask;
    private StackCertificates? _certificates;
    private string? _problem;
    private bool _missing;
    private bool _operates;
    private bool _loading;
    private DateTimeOffset? _loadedAt;
    private DateTimeOffset _now;
    private string? _loadedName;

    [Inject]
    public required ICertificateService Certificates { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Parameter]
    public required string Name { get; set; }

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
        _certificates = null;
        _loadedAt = null;
        _refusals.Clear();
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
            var result = await Certificates.ListAsync(Name, _disposed.Token);
            _missing = result.Status == ServiceStatus.NotFound;
            if (result.IsSuccess)
            {
                _certificates = result.Value;
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
            // An infrastructure fault reads like an unavailable cluster: a banner, the last lanes kept, the next refresh tries again.
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

    private Task RotateAsync(CertificateLane lane) => WhenAllowedAsync(lane, () =>
        Dialogs.ShowAsync<RotateCertificateDialog>($"Rotate the certificate of {lane.Host}", Parameters<RotateCertificateDialog>(lane), Options));

    private Task RollbackAsync(CertificateLane lane) => WhenAllowedAsync(lane, () =>
        Dialogs.ShowAsync<RollbackCertificateDialog>($"Roll back the certificate of {lane.Host}", Parameters<RollbackCertificateDialog>(lane), Options));

    private Task UploadAsync(CertificateLane lane) => WhenAllowedAsync(lane, () =>
        Dialogs.ShowAsync<UploadCertificateDialog>($"Upload a certificate for {lane.Host}", Parameters<UploadCertificateDialog>(lane), Options));

    private DialogParameters Parameters<TDialog>(CertificateLane lane) => new() { { "Stack", Name }, { "Lane", lane } };

    // The buttons are disabled for viewers; the role is checked again here because a disabled button is not a permission.
    private async Task WhenAllowedAsync(CertificateLane lane, Func<Task> open)
    {
        try
        {
            await Authorization.DemandAsync(PortalPolicies.Operator);
            _refusals.Remove(lane.Host);
            await open();
        }
        catch (UnauthorizedAccessException e)
        {
            _refusals[lane.Host] = e.Message;
        }
    }
}
