using Portal.E2E.Tests.Pages;

namespace Portal.E2E.Tests;

/// <summary>The tab helper itself: an error in the browser fails the test that caused it.</summary>
[Collection(PortalCollection.Name)]
public sealed class PortalTabTests(PortalFixture portal, BrowserFixture browser)
{
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
}
