using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Security;

namespace Portal.Features.Stacks;

/// <summary>The day-2 actions on a stack (edit configuration, scale, relations, tear down), offered to operators on the
/// topology page's header.</summary>
/// <remarks>Hidden from viewers, and each action checks the Operator role again before it opens: hiding a menu is not
/// enough. The dialogs check it once more when they change something.</remarks>
public sealed partial class StackActions
{
    private static readonly DialogOptions Options = new() { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseOnEscapeKey = true };

    private bool _operates;
    private string? _refusal;

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Parameter, EditorRequired]
    public required string Stack { get; set; }

    /// <summary>The browser's download of the stack in an export format (its sign-in cookie authorizes it; /api/v1 would not).</summary>
    private string ExportUrl(string format) => Api.StackExports.BrowserUrl(Stack, format);

    protected override async Task OnInitializedAsync() => _operates = await Authorization.AllowsAsync(PortalPolicies.Operator);

    private Task EditAsync() => WhenAllowedAsync(() =>
    {
        Navigation.NavigateTo(EditStackPage.Url(Stack));
        return Task.CompletedTask;
    });

    private Task ScaleAsync() => WhenAllowedAsync(() =>
        Dialogs.ShowAsync<ScaleDialog>($"Scale {Stack}", new DialogParameters<ScaleDialog> { { d => d.Stack, Stack } }, Options));

    private Task RelationsAsync() => WhenAllowedAsync(() =>
        Dialogs.ShowAsync<RelationsDialog>($"Relations of {Stack}", new DialogParameters<RelationsDialog> { { d => d.Stack, Stack } }, Options));

    private Task TearDownAsync() => WhenAllowedAsync(() =>
        Dialogs.ShowAsync<TeardownDialog>($"Tear down {Stack}", new DialogParameters<TeardownDialog> { { d => d.Stack, Stack } }, Options));

    private async Task WhenAllowedAsync(Func<Task> open)
    {
        try
        {
            await Authorization.DemandAsync(PortalPolicies.Operator);
            _refusal = null;
            await open();
        }
        catch (UnauthorizedAccessException e)
        {
            _refusal = e.Message;
        }
    }
}
