using Microsoft.Playwright;

namespace Portal.E2E.Tests;

/// <summary>Debian's Chromium, launched by Playwright through its executable path: Playwright's own browser download is
/// never used (it cannot be fetched here), so <c>playwright install</c> is never needed.</summary>
internal static class Chromium
{
    /// <summary>Set by .ci/run; otherwise <c>chromium</c> on the PATH.</summary>
    public const string EnvironmentVariable = "PORTAL_CHROMIUM";

    // What works headless in a container without a GPU or a user namespace sandbox, and keeps the browser off the network.
    private static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    /// <summary>The Chromium to run, or an exception that says how to get one.</summary>
    public static string Executable()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new FileNotFoundException($"{EnvironmentVariable} is {configured}, which does not exist. Install Chromium (apt-get install chromium) or point {EnvironmentVariable} at it.", configured);
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "chromium"))
            .FirstOrDefault(File.Exists);
        return onPath ?? throw new FileNotFoundException(
            $"Chromium is not installed: the end-to-end tests need it. Run `apt-get install chromium` (.ci/run does), or set {EnvironmentVariable} to a Chromium executable.");
    }

    /// <summary>A headless browser; Playwright gives it a fresh temporary profile (user-data dir), removed when it closes.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable(),
            Headless = true,
            Args = Args,
            Timeout = 120_000,
        });
}
