using Microsoft.Playwright;

namespace Portal.E2E.Tests.Pages;

/// <summary>The deploy wizard (<c>/deploy</c>): cluster and namespace, blueprint, one form per component, preflight, plan,
/// deploy.</summary>
public sealed class DeployWizard(PortalTab tab) : Shell(tab)
{
    /// <summary>The stepper; <c>data-step</c> is the step shown, from 1.</summary>
    public ILocator Stepper => Page.GetByTestId("wizard");

    public ILocator Cluster(string name) => Page.Locator($"label[data-cluster='{name}'] input[type='radio']");

    public ILocator StackName => Page.Locator("input[data-testid='stack-name']");

    public ILocator Namespace => Page.Locator("input[data-testid='namespace']");

    public ILocator BlueprintDiagram => Page.GetByTestId("blueprint-diagram");

    public ILocator Next => Page.GetByTestId("next");

    public ILocator Deploy => Page.GetByTestId("deploy");

    public ILocator Reason => Page.Locator("input[data-testid='reason']");

    public ILocator ComponentTab(string component) => Page.GetByTestId($"tab-{component}");

    /// <summary>The text or password input of one option of one component.</summary>
    public ILocator Option(string component, string option) =>
        Page.Locator($"input[data-testid='config-{component}-{option}'], textarea[data-testid='config-{component}-{option}']");

    public ILocator PreflightChecks => Page.GetByTestId("preflight").Locator("li.check");

    public ILocator PreflightCheck(string id) => Page.Locator($"li.check[data-check='{id}']");

    public ILocator PlanSteps => Page.GetByTestId("plan-steps").Locator("tbody tr");

    public ILocator PlanObjects => Page.GetByTestId("plan-objects").Locator("li");

    public ILocator ObjectYaml => Page.GetByTestId("object-yaml");

    /// <summary>Picks <paramref name="value"/> in the select of an enum option (a MudSelect: open it, click the item).</summary>
    public async Task ChooseAsync(string component, string option, string value)
    {
        await Page.Locator(".mud-input-control.mud-select").Filter(new LocatorFilterOptions { Has = Page.Locator($"[data-testid='config-{component}-{option}']") }).ClickAsync();
        await Page.Locator(".mud-popover-open .mud-list-item").Filter(new LocatorFilterOptions { HasTextRegex = new System.Text.RegularExpressions.Regex($"^\\s*{System.Text.RegularExpressions.Regex.Escape(value)}\\s*$") }).ClickAsync();
        await Page.Locator(".mud-popover-open").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
    }

    /// <summary>Clicks Next and waits until step <paramref name="step"/> shows.</summary>
    public async Task NextAsync(int step, TimeSpan timeout)
    {
        await Next.ClickAsync();
        await Assertions.Expect(Stepper).ToHaveAttributeAsync("data-step", step.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = (float)timeout.TotalMilliseconds });
    }
}

/// <summary>The progress view of one operation (<c>/operations/{id}</c>).</summary>
public sealed class OperationView(PortalTab tab) : Shell(tab)
{
    /// <summary>The progress bar's frame, with <c>data-done</c> and <c>data-total</c> steps.</summary>
    public ILocator Progress => Page.GetByTestId("progress");

    public ILocator Steps => Page.GetByTestId("steps").Locator("li");

    public ILocator Succeeded => Page.GetByTestId("succeeded");

    public ILocator Facts => Page.GetByTestId("operation-facts");
}
