using Microsoft.Playwright;
using Portal.E2E.Tests.Pages;
using static Microsoft.Playwright.Assertions;

namespace Portal.E2E.Tests.Journey;

/// <summary>A new operator's first hour, in one browser tab, as one story: sign in through the company's identity
/// provider, add the cluster, deploy the stack through the wizard and watch it come up on the progress view, land on a
/// green topology, change an option and reconfigure, tear it down. Screenshots of every step go to
/// <c>TestResults/screenshots</c>.</summary>
[Collection(JourneyCollection.Name)]
public sealed class JourneyTests(JourneyFixture portal, BrowserFixture browser)
{
    private static readonly TimeSpan Converge = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan Deploy = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task A_new_admin_signs_in_adds_the_cluster_deploys_through_the_wizard_reconfigures_and_tears_down()
    {
        await using var tab = await browser.NewTabAsync(portal.BaseUrl);
        var cluster = $"lab-{portal.Suffix[..4]}";
        var stack = $"journey-{portal.Suffix[..4]}";

        await AddClusterAsync(tab, cluster);
        await DeployThroughTheWizardAsync(tab, cluster, stack);
        await WatchItBecomeGreenAsync(tab, stack);
        await ReconfigureAsync(tab, stack);
        await RotateCertificateAsync(tab, stack);
        await RotateSecretAsync(tab, stack);
        await TearDownAsync(tab, stack);
    }

    // Signed in through the provider as Adam, whose group maps to Admin; the sandbox added from its kubeconfig.
    private async Task AddClusterAsync(PortalTab tab, string cluster)
    {
        await tab.SignInWithProviderAsync("/clusters", "adam");
        var clusters = new ClustersPage(tab);
        await Expect(clusters.UserMenu).ToContainTextAsync("Adam Admin");
        await Expect(clusters.UserMenu).ToContainTextAsync("Admin");
        await Expect(clusters.Page.GetByTestId("no-clusters")).ToBeVisibleAsync();
        await tab.ScreenshotAsync("01-no-clusters");

        await clusters.AddButton.ClickAsync();
        await clusters.Name.FillAsync(cluster);
        await clusters.Kubeconfig.FillAsync(await File.ReadAllTextAsync(portal.Kubeconfig, TestContext.Current.CancellationToken));
        await clusters.TestConnection.ClickAsync();
        await Expect(clusters.TestResult).ToContainTextAsync("Kubernetes v1.", new() { Timeout = Ms(Converge) });
        await tab.ScreenshotAsync("02-connection-tested", docs: "cluster-test.png");
        await clusters.Connect.ClickAsync();
        await Expect(clusters.Row(cluster)).ToContainTextAsync("v1.", new() { Timeout = Ms(Converge) });
        await Expect(clusters.Row(cluster)).ToContainTextAsync("added by Adam Admin");
        await Expect(clusters.Page.GetByLabel("Environment")).ToContainTextAsync($"cluster: {cluster}");
        await tab.ScreenshotAsync("03-cluster-connected");
    }

    // The whole wizard: the only reachable cluster is chosen for us, the stack named, the blueprint looked at, the options
    // every component needs filled (PostgreSQL runs in the cluster), preflight passed, the plan read, deployed.
    private static async Task DeployThroughTheWizardAsync(PortalTab tab, string cluster, string stack)
    {
        await tab.Page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = "Deploy a stack", Exact = true }).First.ClickAsync();
        var wizard = new DeployWizard(tab);
        await Expect(wizard.Stepper).ToHaveAttributeAsync("data-step", "1");
        await Expect(wizard.Cluster(cluster)).ToBeCheckedAsync();
        await wizard.StackName.FillAsync(stack);
        await Expect(wizard.Namespace).ToHaveAttributeAsync("placeholder", stack); // left empty, it is the stack name
        await tab.ScreenshotAsync("04-wizard-cluster");

        await wizard.NextAsync(2, Converge);
        await Expect(wizard.BlueprintDiagram).ToBeVisibleAsync();
        await tab.ScreenshotAsync("05-wizard-blueprint");

        await wizard.NextAsync(3, Converge);
        await wizard.ComponentTab("airbyte").ClickAsync();
        await wizard.Option("airbyte", "external-hostname").FillAsync($"airbyte.{stack}.example.com");
        await wizard.ComponentTab("airbyte-webhooks").ClickAsync();
        await wizard.Option("airbyte-webhooks", "external-hostname").FillAsync($"hooks.{stack}.example.com");
        await wizard.Option("airbyte-webhooks", "image").FillAsync("registry.example.com/airbyte-webhooks:1.0");
        await wizard.ComponentTab("oauth2-proxy").ClickAsync();
        await wizard.ChooseAsync("oauth2-proxy", "provider", "github");
        await wizard.Option("oauth2-proxy", "client-id").FillAsync("journey-client");
        await wizard.Option("oauth2-proxy", "client-secret").FillAsync("journey-client-secret-value");
        await wizard.ComponentTab("lego").ClickAsync();
        await wizard.Option("lego", "email").FillAsync("ops@example.com");
        // No ACME server is reachable from here: the stack's own internal CA issues its certificates.
        await wizard.ChooseAsync("lego", "issuer", "internal-ca");
        await wizard.ComponentTab("postgresql").ClickAsync();
        await wizard.ChooseAsync("postgresql", "mode", "in-cluster");
        await tab.ScreenshotAsync("06-wizard-configure", docs: "deploy-wizard.png");

        await wizard.NextAsync(4, Converge);
        await Expect(wizard.PreflightChecks.First).ToBeVisibleAsync(new() { Timeout = Ms(Converge) });
        await Expect(wizard.PreflightCheck("dry-run")).ToHaveAttributeAsync("data-outcome", "pass");
        await Expect(wizard.PreflightCheck("hostnames")).ToHaveAttributeAsync("data-outcome", "pass");
        await Expect(wizard.Page.Locator("li.check[data-outcome='fail']")).ToHaveCountAsync(0);
        await tab.ScreenshotAsync("07-wizard-preflight", docs: "deploy-preflight.png");

        await wizard.NextAsync(5, Converge);
        await Expect(wizard.PlanSteps.First).ToBeVisibleAsync(new() { Timeout = Ms(Converge) });
        // Secrets reach the pods through secretKeyRef; the client secret typed above is nowhere on the page.
        await wizard.Page.Locator("button[data-object^='Deployment/oauth2-proxy']").ClickAsync();
        await Expect(wizard.ObjectYaml).ToContainTextAsync("secretKeyRef");
        await Expect(wizard.Page.Locator("body")).Not.ToContainTextAsync("journey-client-secret-value");
        await tab.ScreenshotAsync("08-wizard-plan");

        await wizard.NextAsync(6, Converge);
        await wizard.Reason.FillAsync("JOURNEY-1: first deploy");
        await tab.ScreenshotAsync("09-wizard-deploy");
        await wizard.Deploy.ClickAsync();
        await tab.Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/operations/[0-9a-f-]+$"));
    }

    // The progress view follows the deploy to its end, then links to the stack's topology, which is green.
    private static async Task WatchItBecomeGreenAsync(PortalTab tab, string stack)
    {
        var operation = new OperationView(tab);
        await Expect(operation.Steps.First).ToBeVisibleAsync(new() { Timeout = Ms(Converge) });
        await tab.ScreenshotAsync("10-progress-running");
        // Under way: ten steps or more done (or all of them, on a fast machine).
        await Expect(operation.Progress).ToHaveAttributeAsync("data-done", new System.Text.RegularExpressions.Regex("^[1-9][0-9]+$"), new() { Timeout = Ms(Deploy) });
        await tab.ScreenshotAsync("10b-progress-under-way", fullPage: false, docs: "operation-progress.png");
        await Expect(operation.Succeeded).ToBeVisibleAsync(new() { Timeout = Ms(Deploy) });
        var total = await operation.Progress.GetAttributeAsync("data-total");
        await Expect(operation.Progress).ToHaveAttributeAsync("data-done", total!);
        await Expect(operation.Facts).ToContainTextAsync("JOURNEY-1: first deploy");
        await tab.ScreenshotAsync("11-progress-succeeded");

        await operation.Succeeded.GetByRole(Microsoft.Playwright.AriaRole.Link).First.ClickAsync();
        var topology = new TopologyPage(tab);
        await Expect(topology.StackStatus).ToHaveAttributeAsync("data-status", "active", new() { Timeout = Ms(Converge) });
        await Expect(topology.Nodes).ToHaveCountAsync(10);
        await tab.ScreenshotAsync("12-topology-green");
        Assert.EndsWith($"/stacks/{stack}", new Uri(tab.Page.Url).AbsolutePath, StringComparison.Ordinal);
    }

    // One option changed on the edit page, the change reviewed (the diff and what rolls), reconfigured, green again.
    private static async Task ReconfigureAsync(PortalTab tab, string stack)
    {
        await tab.Page.GetByTestId("stack-actions").ClickAsync();
        await tab.Page.GetByTestId("action-edit").ClickAsync();
        await tab.Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex($"/stacks/{stack}/edit$"));
        await tab.WaitForInteractiveAsync();
        var workers = tab.Page.Locator("input[data-testid='config-airbyte-max-sync-workers']");
        await workers.FillAsync("8");
        await Expect(tab.Page.GetByTestId("changed-count")).ToContainTextAsync("1");
        await tab.ScreenshotAsync("13-edit-config");

        await tab.Page.GetByTestId("review").ClickAsync();
        await Expect(tab.Page.GetByTestId("diff-airbyte.max-sync-workers")).ToContainTextAsync("8", new() { Timeout = Ms(Converge) });
        await Expect(tab.Page.GetByTestId("rolls")).ToContainTextAsync("airbyte");
        await tab.Page.Locator("input[data-testid='reason']").FillAsync("JOURNEY-2: more sync workers");
        await tab.ScreenshotAsync("14-review-changes", docs: "edit-review.png");
        await tab.Page.GetByTestId("reconfigure").ClickAsync();
        await tab.Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/operations/[0-9a-f-]+$"));

        var operation = new OperationView(tab);
        await Expect(operation.Succeeded).ToBeVisibleAsync(new() { Timeout = Ms(Deploy) });
        await Expect(operation.Facts).ToContainTextAsync("JOURNEY-2: more sync workers");
        await tab.ScreenshotAsync("15-reconfigured");
        await operation.Succeeded.GetByRole(Microsoft.Playwright.AriaRole.Link).First.ClickAsync();
        await Expect(new TopologyPage(tab).StackStatus).ToHaveAttributeAsync("data-status", "active", new() { Timeout = Ms(Converge) });
    }

    // From the topology to the stack's certificates: rotating one asks for a reason, runs as an operation, and the lane then
    // shows the next revision with a new serial, served by the ingress, the previous kept.
    private static async Task RotateCertificateAsync(PortalTab tab, string stack)
    {
        var host = $"airbyte.{stack}.example.com";
        await tab.Page.GetByTestId("stack-certificates").ClickAsync();
        await tab.Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex($"/stacks/{stack}/certificates$"));
        await tab.WaitForInteractiveAsync();
        var lane = tab.Page.Locator($"[data-testid='lane'][data-host='{host}']");
        await Expect(lane.GetByTestId("live-revision")).ToHaveTextAsync("1", new() { Timeout = Ms(Converge) });
        await Expect(lane.GetByTestId("served-state")).ToHaveAttributeAsync("data-state", "Matches", new() { Timeout = Ms(Converge) });
        var serial = await lane.GetByTestId("serial").InnerTextAsync();
        await tab.ScreenshotAsync("16-certificates", docs: "certificates.png");

        await lane.GetByTestId("rotate").ClickAsync();
        var apply = tab.Page.GetByTestId("rotate-apply");
        await Expect(apply).ToBeDisabledAsync();
        await tab.Page.Locator("input[data-testid='rotate-reason']").FillAsync("JOURNEY-3: rotate after the key was shared");
        await Expect(apply).ToBeEnabledAsync();
        await tab.ScreenshotAsync("17-rotate-dialog");
        await apply.ClickAsync();
        await tab.Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/operations/[0-9a-f-]+$"));

        var operation = new OperationView(tab);
        await Expect(operation.Succeeded).ToBeVisibleAsync(new() { Timeout = Ms(Deploy) });
        await Expect(operation.Facts).ToContainTextAsync("JOURNEY-3: rotate after the key was shared");
        await tab.ScreenshotAsync("18-rotated");

        await tab.OpenAsync($"/stacks/{stack}/certificates");
        await Expect(lane.GetByTestId("live-revision")).ToHaveTextAsync("2", new() { Timeout = Ms(Converge) });
        await Expect(lane.GetByTestId("serial")).Not.ToHaveTextAsync(serial);
        await Expect(lane.GetByTestId("served-state")).ToHaveAttributeAsync("data-state", "Matches", new() { Timeout = Ms(Converge) });
        await Expect(lane.GetByTestId("previous-revision").First).ToContainTextAsync("1");
        await Expect(lane.GetByTestId("expiry")).ToContainTextAsync("expires in");
        await tab.ScreenshotAsync("19-certificates-rotated");

        // Across stacks: the expiry timeline has the hostname's bar, and the overview card its soonest expiry.
        await tab.OpenAsync("/certificates");
        await Expect(tab.Page.Locator($"[data-testid='timeline-row'][data-host='{host}'] [data-testid='bar']")).ToBeVisibleAsync(new() { Timeout = Ms(Converge) });
        await tab.ScreenshotAsync("19b-expiry-timeline", docs: "certificate-expiry.png");
        await tab.OpenAsync("/");
        await Expect(tab.Page.Locator("body")).ToContainTextAsync(host, new() { Timeout = Ms(Converge) });
        await tab.ScreenshotAsync("19c-overview-expiry");
        await tab.OpenAsync($"/stacks/{stack}");
    }

    // The stack's secrets: rotating OAuth2 Proxy's cookie secret shows its blast radius first (who restarts, that everyone is
    // signed out), runs as an operation, and the secret then reads revision 2.
    private static async Task RotateSecretAsync(PortalTab tab, string stack)
    {
        await tab.Page.GetByTestId("stack-secrets").ClickAsync();
        await tab.Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex($"/stacks/{stack}/secrets$"));
        await tab.WaitForInteractiveAsync();
        var cookie = tab.Page.Locator("[data-testid='secret'][data-secret='oauth2-proxy.cookie-secret']");
        await Expect(cookie.GetByTestId("live-revision")).ToHaveTextAsync("1", new() { Timeout = Ms(Converge) });
        await tab.ScreenshotAsync("19d-secrets");
        await tab.ScreenshotAsync("19d-secrets-top", fullPage: false, docs: "secrets.png");

        await cookie.GetByTestId("rotate").ClickAsync();
        await Expect(tab.Page.GetByTestId("rotate-impact")).ToContainTextAsync("signed out", new() { Timeout = Ms(Converge) });
        await Expect(tab.Page.GetByTestId("restart-order")).ToContainTextAsync("oauth2-proxy");
        await tab.Page.Locator("input[data-testid='rotate-reason']").FillAsync("JOURNEY-3b: cookie secret seen in a log");
        await tab.ScreenshotAsync("19e-rotate-secret");
        await tab.ScreenshotAsync("19e-rotate-secret-dialog", tab.Page.GetByRole(Microsoft.Playwright.AriaRole.Dialog), docs: "secret-rotation.png", fullPage: false);
        await tab.Page.GetByTestId("rotate-apply").ClickAsync();
        await tab.Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/operations/[0-9a-f-]+$"));

        var operation = new OperationView(tab);
        await Expect(operation.Succeeded).ToBeVisibleAsync(new() { Timeout = Ms(Deploy) });
        await Expect(operation.Facts).ToContainTextAsync("JOURNEY-3b: cookie secret seen in a log");
        await tab.OpenAsync($"/stacks/{stack}/secrets");
        await Expect(cookie.GetByTestId("live-revision")).ToHaveTextAsync("2", new() { Timeout = Ms(Converge) });
        await tab.ScreenshotAsync("19f-secret-rotated");

        // The audit log has the rotation: who, the action on the secret, and why.
        await tab.OpenAsync("/audit");
        var entry = tab.Page.Locator("tr.entry").Filter(new() { HasText = "JOURNEY-3b: cookie secret seen in a log" });
        await Expect(entry).ToHaveCountAsync(1, new() { Timeout = Ms(Converge) });
        await Expect(entry).ToContainTextAsync("rotate-secret");
        await Expect(entry).ToContainTextAsync("Adam Admin");
        await tab.ScreenshotAsync("19g-secret-audit");
        await tab.OpenAsync($"/stacks/{stack}");
    }

    // Tear-down asks for a reason and the stack's name typed out; the operation removes the stack's objects.
    private async Task TearDownAsync(PortalTab tab, string stack)
    {
        await tab.Page.GetByTestId("stack-actions").ClickAsync();
        await tab.Page.GetByTestId("action-teardown").ClickAsync();
        var apply = tab.Page.GetByTestId("teardown-apply");
        var reason = tab.Page.Locator("input[data-testid='teardown-reason']");
        var dialog = tab.Page.GetByRole(AriaRole.Dialog);
        // A pasted log is not a reason: the dialog says so under the field and keeps the button disabled, name typed or not.
        await reason.FillAsync("JOURNEY-4: " + new string('x', 1_000));
        await tab.Page.Locator("input[data-testid='teardown-confirm']").FillAsync(stack);
        await Expect(dialog).ToContainTextAsync("The reason is 1011 characters long; at most 1000 are allowed.");
        await Expect(apply).ToBeDisabledAsync();
        await tab.ScreenshotAsync("20a-teardown-reason-too-long");
        await reason.FillAsync("JOURNEY-4: done trying it out");
        await Expect(dialog).Not.ToContainTextAsync("characters long");
        await Expect(apply).ToBeEnabledAsync();
        await tab.ScreenshotAsync("20-teardown-dialog");
        await apply.ClickAsync();
        await tab.Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/operations/[0-9a-f-]+$"));

        var operation = new OperationView(tab);
        await Expect(operation.Succeeded).ToBeVisibleAsync(new() { Timeout = Ms(Deploy) });
        await tab.ScreenshotAsync("21-torn-down");
        using var stackView = System.Text.Json.JsonDocument.Parse(await portal.Api.GetStringAsync($"/api/v1/stacks/{stack}", TestContext.Current.CancellationToken));
        Assert.False(stackView.RootElement.GetProperty("deployed").GetBoolean());
    }

    private static float Ms(TimeSpan span) => (float)span.TotalMilliseconds;
}
