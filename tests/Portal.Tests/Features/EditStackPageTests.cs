using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Domain.Common;
using Portal.Features.Stacks;
using Portal.Provisioning.Stacks;
using Portal.Tests.Fakes;

namespace Portal.Tests.Features;

public class EditStackPageTests : PortalTestContext
{
    private const string NewSecret = "n3w-client-secret-Qx81";

    private static readonly Guid OperationId = Guid.Parse("5a1f0c52-3c0e-4d7a-9f3b-0c9c2f1e7a10");

    private readonly StackWorld _world = StackWorld.Healthy();

    public EditStackPageTests()
    {
        // The text fields are debounced on MudBlazor's TimeProvider: the real clock, not the shared context's fake one.
        Services.AddSingleton(TimeProvider.System);
        StackService.Views["prod"] = StoredStacks.View(_world);
        StackService.OnPreview = (_, command) => ServiceResult<UpdatePreview>.Ok(PreviewOf(command));
        StackService.OnUpdate = (name, _) => ServiceResult<StackChange>.Ok(new StackChange(StackService.Views[name], OperationId, "Reconfigure prod in 2 steps (2 waves)."));
        SignInAs("olga", PortalRole.Operator);
    }

    private IRenderedComponent<EditStackPage> RenderPage() => Render<EditStackPage>(p => p.Add(x => x.Name, "prod"));

    [Fact]
    public void Every_component_has_a_form_with_the_current_values_and_secrets_never_shown()
    {
        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Equal(10, page.FindAll("[data-testid^='component-']").Count));
        Assert.Equal("airbyte.example.com", page.Find("input[data-testid=config-airbyte-external-hostname]").GetAttribute("value"));
        var secret = page.Find("input[data-testid=config-oauth2-proxy-client-secret]");
        Assert.Equal("password", secret.GetAttribute("type"));
        Assert.True(string.IsNullOrEmpty(secret.GetAttribute("value")));
        Assert.Contains("client-secret, cookie-secret. Leave a secret field empty to keep its value", page.Find("[data-testid=secrets-oauth2-proxy]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(StackViews.SecretMask, page.Find("[data-testid=config-oauth2-proxy]").InnerHtml, StringComparison.Ordinal);
        Assert.True(page.Find("[data-testid=review]").HasAttribute("disabled"));
    }

    [Fact]
    public void Review_sends_only_the_changed_options_and_shows_exactly_them_with_secrets_masked()
    {
        var page = RenderPage();
        page.WaitForElement("input[data-testid=config-airbyte-external-hostname]");

        // One field, then the next once the first has landed, as a person types: two debounced inputs firing in the same
        // instant on the test's clock is not what this test is about.
        page.TypeInto("input[data-testid=config-airbyte-external-hostname]", "data.example.com");
        page.WaitForAssertion(() => Assert.Equal("1 option changed.", page.Find("[data-testid=changed-count]").TextContent));
        page.TypeInto("input[data-testid=config-oauth2-proxy-client-secret]", NewSecret);
        page.WaitForAssertion(() => Assert.Equal("2 options changed.", page.Find("[data-testid=changed-count]").TextContent));
        WaitUntilChanged(page);
        page.Find("[data-testid=review]").Click();

        page.WaitForElement("[data-testid=diff]");
        var (_, sent) = Assert.Single(StackService.Previews);
        Assert.Equal(["airbyte", "oauth2-proxy"], sent.Config.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("data.example.com", Assert.Single(sent.Config["airbyte"]).Value);
        Assert.Equal(NewSecret, sent.Config["oauth2-proxy"]["client-secret"]);
        Assert.Single(sent.Config["oauth2-proxy"]);
        var rows = page.FindAll("[data-testid=diff] tbody tr");
        Assert.Equal(2, rows.Count);
        Assert.Contains("airbyte.example.com", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("data.example.com", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("changed (secret)", rows[1].TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(NewSecret, page.Markup, StringComparison.Ordinal);
        Assert.Contains("airbyte: its pods restart because airbyte external-hostname changed", page.Find("[data-testid=rolls]").TextContent, StringComparison.Ordinal);
        Assert.Equal(2, page.FindAll("[data-testid=steps] li").Count);
    }

    [Fact]
    public void Reconfigure_sends_the_reviewed_change_with_the_reason_and_opens_the_operation()
    {
        var page = RenderPage();
        page.WaitForElement("input[data-testid=config-airbyte-external-hostname]");
        page.TypeInto("input[data-testid=config-airbyte-external-hostname]", "data.example.com");
        WaitUntilChanged(page);
        page.Find("[data-testid=review]").Click();
        page.WaitForElement("input[data-testid=reason]").Input("new domain");

        page.Find("[data-testid=reconfigure]").Click();

        page.WaitForAssertion(() => Assert.Single(StackService.Updates));
        var (name, command, actor) = StackService.Updates[0];
        Assert.Equal(("prod", "olga", "new domain"), (name, actor, command.Reason));
        Assert.Equal("data.example.com", Assert.Single(Assert.Single(command.Config).Value).Value);
        Assert.Null(command.Relations);
        Assert.EndsWith($"/operations/{OperationId}", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void Emptying_a_field_that_was_set_sends_null_so_that_the_default_applies()
    {
        var page = RenderPage();
        page.WaitForElement("input[data-testid=config-oauth2-proxy-client-id]").Input("");
        WaitUntilChanged(page);
        page.Find("[data-testid=review]").Click();

        page.WaitForElement("[data-testid=diff]");
        var (_, sent) = Assert.Single(StackService.Previews);
        Assert.Null(sent.Config["oauth2-proxy"]["client-id"]);
    }

    [Fact]
    public void The_Domain_s_problems_show_on_their_fields_and_nothing_is_reconfigured()
    {
        StackService.OnPreview = (_, _) => ServiceResult<UpdatePreview>.Invalid(
        [
            new ValidationError("airbyte.external-hostname", "'data..example' is not a valid hostname."),
            new ValidationError("oauth2-proxy:nginx-route", "oauth2-proxy is routed through ingress but airbyte through ingress-webhooks."),
        ]);
        var page = RenderPage();
        page.WaitForElement("input[data-testid=config-airbyte-external-hostname]").Input("data..example");

        WaitUntilChanged(page);
        page.Find("[data-testid=review]").Click();

        page.WaitForAssertion(() => Assert.Contains("'data..example' is not a valid hostname.",
            page.Find("[data-testid=config-airbyte] [data-option=external-hostname]").TextContent, StringComparison.Ordinal));
        Assert.Contains("routed through ingress", page.Find("[data-testid=edit-problems]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=reconfigure]"));
        Assert.Empty(StackService.Updates);
    }

    [Fact]
    public void A_review_of_nothing_that_changes_says_so_and_offers_no_reconfigure()
    {
        StackService.OnPreview = (_, _) => ServiceResult<UpdatePreview>.Ok(new UpdatePreview("prod", false, "Nothing changed: the stack already has this config.", [], [], [], [], [], ""));
        var page = RenderPage();
        page.WaitForElement("input[data-testid=config-airbyte-external-hostname]").Input("other.example.com");

        WaitUntilChanged(page);
        page.Find("[data-testid=review]").Click();

        page.WaitForElement("[data-testid=nothing-changes]");
        Assert.True(page.Find("[data-testid=reconfigure]").HasAttribute("disabled"));
    }

    [Fact]
    public void A_viewer_who_reaches_the_page_is_refused_at_review_and_nothing_is_sent()
    {
        SignInAs("vera", PortalRole.Viewer);
        var page = RenderPage();
        page.WaitForElement("input[data-testid=config-airbyte-external-hostname]").Input("data.example.com");

        WaitUntilChanged(page);
        page.Find("[data-testid=review]").Click();

        page.WaitForAssertion(() => Assert.Contains("needs the Operator role", page.Find("[data-testid=edit-problems]").TextContent, StringComparison.Ordinal));
        Assert.Empty(StackService.Previews);
        Assert.Empty(StackService.Updates);
    }

    /// <summary>The fields hand their value up after a debounce: wait until the page counts the change.</summary>
    private static void WaitUntilChanged(IRenderedComponent<EditStackPage> page) =>
        page.WaitForAssertion(() => Assert.NotEqual("No option changed yet.", page.Find("[data-testid=changed-count]").TextContent));

    /// <summary>What the service would answer for a change of the given non-secret options (and any secret one, masked).</summary>
    private UpdatePreview PreviewOf(UpdateStackCommand command)
    {
        var view = StackService.Views["prod"];
        var options = command.Config.SelectMany(c => c.Value.Select(o =>
        {
            var secret = o.Key.Contains("secret", StringComparison.Ordinal);
            var before = view.Components.Single(x => x.Name == c.Key).Config.GetValueOrDefault(o.Key);
            return new OptionChange(c.Key, o.Key, before, secret ? StackViews.SecretMask : o.Value, secret);
        })).ToList();
        var component = options[0].Component;
        return new UpdatePreview(
            "prod", true, "Reconfigure prod in 2 steps (2 waves).", options, [],
            [
                new PreviewStep($"apply:{component}", "ApplyComponent", $"Apply the {component} objects, because {component} {options[0].Option} changed.", "", []),
                new PreviewStep($"await:{component}", "AwaitHealthy", $"Wait until {component} is healthy.", $"waits for: {component} applied", [$"apply:{component}"]),
            ],
            [new RolledComponent(component, $"{component} {options[0].Option} changed")],
            [],
            "");
    }
}
