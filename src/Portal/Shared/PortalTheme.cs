using MudBlazor;

namespace Portal.Shared;

/// <summary>The portal's palette: status colours stay distinguishable in both light and dark mode.</summary>
public static class PortalTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#615EFF",
            AppbarBackground = "#1A1B3A",
            AppbarText = "#FFFFFF",
            Success = "#2E7D32",
            Warning = "#ED6C02",
            Error = "#D32F2F",
            Info = "#0277BD",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8F8CFF",
            AppbarBackground = "#14152B",
            Success = "#66BB6A",
            Warning = "#FFA726",
            Error = "#EF5350",
            Info = "#4FC3F7",
        },
    };
}
