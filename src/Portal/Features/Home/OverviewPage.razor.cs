using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Hosting;
using Portal.Provisioning.Stacks;

namespace Portal.Features.Home;

/// <summary>The landing page: every stack with its running or last operation, and what the portal runs on.</summary>
/// <remarks>Loaded on open and on refresh; live updates come with the watch-driven topology.</remarks>
public sealed partial class OverviewPage
{
    private IReadOnlyList<StackSummary>? _stacks;

    [Inject]
    public required PortalEnvironment Environment { get; init; }

    [Inject]
    public required IStackService Stacks { get; init; }

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        _stacks = await Stacks.ListAsync(CancellationToken.None);
    }

    private static OperationSummary? OperationOf(StackSummary stack) => stack.ActiveOperation ?? stack.LastOperation;

    private static string Since(StackSummary stack)
    {
        var at = OperationOf(stack)?.FinishedAt ?? OperationOf(stack)?.CreatedAt ?? stack.UpdatedAt;
        return at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static Color ColorOf(string state) => state switch
    {
        "Succeeded" => Color.Success,
        "Failed" => Color.Error,
        "Running" or "Failing" or "Cancelling" => Color.Info,
        _ => Color.Default,
    };
}
