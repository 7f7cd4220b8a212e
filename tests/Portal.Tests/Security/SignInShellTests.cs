using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Features.Home;
using Portal.Features.Tokens;
using Portal.Security;
using Portal.Shared.Layout;

namespace Portal.Tests.Security;

/// <summary>What the shell shows about who is signed in: the user menu, admin-only navigation, the development sign-in banner,
/// and the router's answer for a page the user may not open.</summary>
public class SignInShellTests : PortalTestContext
{
    private IRenderedComponent<MainLayout> RenderLayout() =>
        Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddContent(0, "page body"))));

    [Theory]
    [InlineData(PortalRole.Viewer)]
    [InlineData(PortalRole.Operator)]
    [InlineData(PortalRole.Admin)]
    public void The_app_bar_shows_the_signed_in_name_and_role(PortalRole role)
    {
        SignInAs("Dana", role);

        var layout = RenderLayout();

        Assert.Contains($"Dana · {role}", layout.Find("[data-testid=user-menu]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_user_menu_signs_out_with_a_form_that_posts_to_sign_out()
    {
        var layout = RenderLayout();

        layout.Find("[data-testid=user-menu] button").Click();

        layout.WaitForAssertion(() => Assert.Equal("/signout", layout.Find("form[method=post]").GetAttribute("action")));
        Assert.Contains("Role: Admin", layout.Find("[data-testid=user-details]").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PortalRole.Viewer, false)]
    [InlineData(PortalRole.Operator, false)]
    [InlineData(PortalRole.Admin, true)]
    public void Only_admins_see_the_administration_links(PortalRole role, bool shown)
    {
        SignInAs("someone", role);

        var layout = RenderLayout();

        var hrefs = layout.FindAll(".mud-navmenu a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(shown, hrefs.Contains("/tokens"));
        Assert.Equal(shown, hrefs.Contains(PortalAuthentication.JobsPath));
    }

    [Fact]
    public void Development_sign_in_is_announced_on_every_page()
    {
        var layout = RenderLayout();

        Assert.Contains("anyone who can open this portal can sign in with any name and role", layout.Find(".development-sign-in-banner").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_development_sign_in_there_is_no_such_banner()
    {
        Services.AddSingleton(EmbeddedDefault with { DevelopmentSignIn = false });

        var layout = RenderLayout();

        Assert.Empty(layout.FindAll(".development-sign-in-banner"));
    }

    [Fact]
    public void A_refused_page_says_which_role_it_needs_and_which_the_user_has()
    {
        SignInAs("vera", PortalRole.Viewer);

        var view = Render<AccessDeniedView>(p => p.Add(v => v.PageType, typeof(TokensPage)));

        var text = string.Join(' ', view.Find("[data-testid=access-denied]").TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("needs the Admin role", text, StringComparison.Ordinal);
        Assert.Contains("vera with the Viewer role", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_anonymous_circuit_is_sent_to_sign_in_and_back()
    {
        Authorization.SetNotAuthorized();
        var navigation = Services.GetRequiredService<BunitNavigationManager>();
        navigation.NavigateTo("/blueprints/charmed-airbyte");

        Render<AccessDeniedView>(p => p.Add(v => v.PageType, typeof(OverviewPage)));

        Assert.Equal("http://localhost/signin?returnUrl=%2Fblueprints%2Fcharmed-airbyte", navigation.Uri);
    }
}
