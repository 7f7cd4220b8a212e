using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Hosting;

namespace Portal.Shared.Layout;

/// <summary>The shell: app bar with the environment the portal runs on, navigation, theme with dark mode.</summary>
public sealed partial class MainLayout
{
    private MudThemeProvider? _themeProvider;
    private bool _isDarkMode;
    private bool _drawerOpen = true;
    private bool _interactive;

    [Inject]
    public required PortalEnvironment Environment { get; init; }

    private string ClustersText => Environment.Clusters.Count switch
    {
        0 => "no clusters",
        1 => $"cluster: {Environment.Clusters[0]}",
        _ => $"clusters: {string.Join(", ", Environment.Clusters)}",
    };

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        if (_themeProvider is not null)
        {
            _isDarkMode = await _themeProvider.GetSystemDarkModeAsync();
        }

        // End-to-end tests wait for this marker before clicking: before it, clicks can be lost.
        _interactive = true;
        StateHasChanged();
    }

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;

    private void ToggleDarkMode() => _isDarkMode = !_isDarkMode;
}
