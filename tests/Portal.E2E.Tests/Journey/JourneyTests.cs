using Portal.E2E.Tests.Pages;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests.Journey;

/// <summary>A new operator's first hour, in one browser tab: sign in through the company's identity provider, add the
/// cluster, deploy the stack through the wizard and watch it come up, change an option, tear it down.</summary>
[Collection(JourneyCollection.Name)]
public sealed class JourneyTests(JourneyFixture portal, BrowserFixture browser)
{
    private static readonly TimeSpan Converge = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task An_admin_signs_in_through_the_provider_and_adds_the_cluster_from_its_kubeconfig()
    {
        await using var tab = await browser.NewTabAsync(portal.BaseUrl);
        var cluster = $"lab-{portal.Suffix[..4]}";

        // Signed in through the provider as Adam, whose group maps to Admin.
        await tab.SignInWithProviderAsync("/clusters", "adam");
        var clusters = new ClustersPage(tab);
        await Expect(clusters.UserMenu).ToContainTextAsync("Adam Admin");
        await Expect(clusters.UserMenu).ToContainTextAsync("Admin");
        await Expect(clusters.Page.GetByTestId("no-clusters")).ToBeVisibleAsync();
        await tab.ScreenshotAsync("01-no-clusters");

        // The kubeconfig pasted, the connection tested, then connected.
        await clusters.AddButton.ClickAsync();
        await clusters.Name.FillAsync(cluster);
        await clusters.Kubeconfig.FillAsync(await File.ReadAllTextAsync(portal.Kubeconfig, TestContext.Current.CancellationToken));
        await clusters.TestConnection.ClickAsync();
        await Expect(clusters.TestResult).ToContainTextAsync("Kubernetes v1.", new() { Timeout = Ms(Converge) });
        await tab.ScreenshotAsync("02-connection-tested");
        await clusters.Connect.ClickAsync();
        await Expect(clusters.Row(cluster)).ToContainTextAsync("v1.", new() { Timeout = Ms(Converge) });
        await Expect(clusters.Row(cluster)).ToContainTextAsync("added by Adam Admin");
        await Expect(clusters.Page.GetByLabel("Environment")).ToContainTextAsync($"cluster: {cluster}");
        await tab.ScreenshotAsync("03-cluster-connected");
    }

    private static float Ms(TimeSpan span) => (float)span.TotalMilliseconds;
}
