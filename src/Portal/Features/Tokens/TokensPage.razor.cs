using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Domain.Access;
using Portal.Provisioning.Stacks;
using Portal.Provisioning.Tokens;
using Portal.Security;

namespace Portal.Features.Tokens;

/// <summary>API tokens for admins: create one (its value shown once), see every token's role, expiry and last use, revoke.</summary>
/// <remarks>The page needs Admin to render, and each action checks Admin again in the circuit before it runs.</remarks>
public sealed partial class TokensPage
{
    private static readonly int[] ExpiryChoices = [7, 30, 90, 180, 365];

    private IReadOnlyList<ApiTokenView>? _tokens;
    private CreatedApiToken? _created;
    private string? _name;
    private PortalRole _role = PortalRole.Operator;
    private int _days = 90;
    private bool _busy;
    private string? _problem;
    private Dictionary<string, string> _errors = [];

    [Inject]
    public required IApiTokenService Tokens { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    protected override async Task OnInitializedAsync() => await LoadAsync();

    private async Task LoadAsync() => _tokens = await Tokens.ListAsync(CancellationToken.None);

    private async Task CreateAsync()
    {
        _problem = null;
        _errors = [];
        _busy = true;
        try
        {
            var actor = await Authorization.DemandAsync(PortalPolicies.Admin);
            var result = await Tokens.CreateAsync(new CreateApiTokenCommand(_name, _role.ToString(), _days), actor, CancellationToken.None);
            if (!result.IsSuccess)
            {
                _errors = result.Errors.GroupBy(e => e.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => string.Join(" ", g.Select(e => e.Message)), StringComparer.Ordinal);
                _problem = result.Status == ServiceStatus.Invalid ? null : result.Message;
                return;
            }

            _created = result.Value;
            _name = null;
            await LoadAsync();
        }
        catch (UnauthorizedAccessException e)
        {
            _problem = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RevokeAsync(ApiTokenView token)
    {
        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Revoke token",
            $"Revoke {token.Name} ({token.Role})? Calls with it are refused at once; this cannot be undone.",
            yesText: "Revoke",
            cancelText: "Keep it");
        if (confirmed != true)
        {
            return;
        }

        _problem = null;
        try
        {
            var actor = await Authorization.DemandAsync(PortalPolicies.Admin);
            var result = await Tokens.RevokeAsync(token.Id, actor, CancellationToken.None);
            if (!result.IsSuccess)
            {
                _problem = result.Message;
            }

            if (_created?.Token.Id == token.Id)
            {
                _created = null;
            }

            await LoadAsync();
        }
        catch (UnauthorizedAccessException e)
        {
            _problem = e.Message;
        }
    }

    private async Task CopyAsync()
    {
        if (_created is not null)
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", _created.Value);
        }
    }

    private void DismissCreated() => _created = null;

    private string? ErrorOf(string path) => _errors.GetValueOrDefault(path);

    private static string When(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string StateText(ApiTokenView token) => token.State switch
    {
        ApiTokenState.Revoked => $"revoked by {token.RevokedBy}",
        ApiTokenState.Expired => "expired",
        _ => "active",
    };

    private static Color ColorOf(ApiTokenState state) => state switch
    {
        ApiTokenState.Active => Color.Success,
        ApiTokenState.Revoked => Color.Error,
        _ => Color.Default,
    };

    private static string RoleHelp(PortalRole role) => role switch
    {
        PortalRole.Viewer => "read only",
        PortalRole.Operator => "deploy, reconfigure, rotate, retry, cancel",
        _ => "everything, including clusters and tokens",
    };
}
