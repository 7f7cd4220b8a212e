using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Hosting;
using Portal.Provisioning.Clusters;

namespace Portal.Shared.Layout;

/// <summary>The shell: app bar with the environment the portal runs on, navigation, theme with dark mode.</summary>
public sealed partial class MainLayout : IDisposable
{
    private MudThemeProvider? _themeProvider;
    private bool _isDarkMode;
    private bool _drawerOpen = true;
    private bool _interactive;

    [Inject]
    public required PortalEnvironment Environment { get; init; }

    [Inject]
    public required IClusterRegistry Clusters { get; init; }

    // The clusters connected now (one added or removed on the clusters page shows here at once), each with the note the
    // configuration gives it, e.g. "sandbox (embedded)".
    private string ClustersText => Clusters.Names.Select(Label).ToList() switch
    {
        [] => "no clusters",
        [var one] => $"cluster: {one}",
        var all => $"clusters: {string.Join(", ", all)}",
    };

    private string Label(string name) =>
        Environment.Clusters.FirstOrDefault(c => c.StartsWith($"{name} (", StringComparison.Ordinal)) ?? name;

    protected override void OnInitialized() => Clusters.Changed += OnClustersChanged;

    public void Dispose() => Clusters.Changed -= OnClustersChanged;

    private void OnClustersChanged() => _ = InvokeAsync(StateHasChanged);

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
