using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Portal.E2E.Tests.Pages;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests;

/// <summary>The tab helper itself: it signs in on the first page it opens, and an error in the browser fails the test that
/// caused it.</summary>
[Collection(PortalCollection.Name)]
public sealed partial class PortalTabTests(PortalFixture portal, BrowserFixture browser)
{
    [Fact]
    public async Task A_new_tab_is_sent_to_sign_in_and_one_click_signs_it_in_as_dev_admin_where_it_was_going()
    {
        await using var tab = await browser.NewTabAsync(portal.BaseUrl);
        var requests = new ConcurrentQueue<string>();
        tab.Page.Request += (_, request) => requests.Enqueue($"{request.Method} {new Uri(request.Url).PathAndQuery}");

        var page = await BlueprintPage.OpenAsync(tab, "charmed-airbyte");

        Assert.Contains("GET /signin?returnUrl=%2Fblueprints%2Fcharmed-airbyte", requests);
        Assert.Contains("POST /signin/dev", requests);
        await Expect(tab.Page).ToHaveURLAsync(BlueprintUrl());
        await Expect(page.UserMenu).ToContainTextAsync("dev-admin · Admin");
        await Expect(page.MenuLink("API tokens")).ToBeVisibleAsync();

        // The cookie stays with the tab: the next page opens without the sign-in page.
        requests.Clear();
        await OverviewPage.OpenAsync(tab);
        Assert.DoesNotContain(requests, r => r.Contains("/signin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Console_errors_and_uncaught_exceptions_fail_the_test_on_dispose()
    {
        var tab = await browser.NewTabAsync(portal.BaseUrl);
        await OverviewPage.OpenAsync(tab);

        await tab.Page.EvaluateAsync("() => console.error('e2e console error')");
        // The second timer resolves after the first has thrown, and the browser reports the error before the result.
        await tab.Page.EvaluateAsync("() => new Promise(resolve => { setTimeout(() => { throw new Error('e2e uncaught'); }); setTimeout(resolve); })");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => tab.DisposeAsync().AsTask());
        Assert.Contains("e2e console error", failure.Message, StringComparison.Ordinal);
        Assert.Contains("e2e uncaught", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_that_logs_no_error_disposes_quietly()
    {
        var tab = await browser.NewTabAsync(portal.BaseUrl);
        await OverviewPage.OpenAsync(tab);
        await tab.Page.EvaluateAsync("() => { console.log('e2e info'); console.warn('e2e warning'); }");

        await tab.DisposeAsync();
        Assert.Empty(tab.Errors);
    }

    [GeneratedRegex("/blueprints/charmed-airbyte$")]
    private static partial Regex BlueprintUrl();
}
