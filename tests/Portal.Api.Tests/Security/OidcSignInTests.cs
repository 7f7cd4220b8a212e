using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Security;

namespace Portal.Api.Tests.Security;

/// <summary>Sign-in through a real OpenID Connect provider started locally: the authorization-code flow (with PKCE and the
/// provider's login and consent forms) driven by plain HTTP clients, as a browser would follow it.</summary>
public sealed partial class OidcSignInTests(OidcProviderProcess provider) : IClassFixture<OidcProviderProcess>, IAsyncLifetime
{
    private const string Portal = "https://localhost";
    private readonly PortalApiFactory _factory = new();

    public ValueTask InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Portal:Auth:OpenIdConnect:Authority"] = provider.Issuer,
            ["Portal:Auth:OpenIdConnect:ClientId"] = OidcProviderProcess.ClientId,
            ["Portal:Auth:OpenIdConnect:ClientSecret"] = OidcProviderProcess.ClientSecret,
            ["Portal:Auth:OpenIdConnect:RequireHttpsMetadata"] = "false",
            ["Portal:Auth:OpenIdConnect:DisplayName"] = "Test IdP",
            ["Portal:Auth:OpenIdConnect:Scopes:0"] = "openid",
            ["Portal:Auth:OpenIdConnect:Scopes:1"] = "profile",
            ["Portal:Auth:OpenIdConnect:Scopes:2"] = "groups",
            ["Portal:Auth:RoleClaims:0"] = "groups",
            ["Portal:Auth:Roles:Viewer:0"] = "portal-viewers",
            ["Portal:Auth:Roles:Operator:0"] = "portal-operators",
            ["Portal:Auth:Roles:Admin:0"] = "portal-admins",
        };
        foreach (var (key, value) in settings)
        {
            _factory.Settings[key] = value;
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Theory]
    [InlineData("olivia", "Olivia Operator", "Operator")]
    [InlineData("adam", "Adam Admin", "Admin")]
    [InlineData("vera", "Vera Viewer", "Viewer")]
    public async Task A_person_signs_in_through_the_provider_with_the_role_their_group_maps_to(string login, string name, string role)
    {
        using var browser = _factory.NewBrowser(Portal);

        var callback = await SignInThroughProviderAsync(browser, login, returnUrl: "/blueprints/charmed-airbyte");

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/blueprints/charmed-airbyte", callback.Headers.Location?.OriginalString);
        var page = await browser.GetStringAsync("/signin", Browser.Ct);
        Assert.Matches($"You are signed in as <b[^>]*>{name}</b> \\({role}\\)", page);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/", Browser.Ct)).StatusCode);
        Assert.Equal(role == "Admin" ? HttpStatusCode.OK : HttpStatusCode.Forbidden, (await browser.GetAsync("/tokens", Browser.Ct)).StatusCode);
        Assert.Equal(role == "Admin" ? HttpStatusCode.OK : HttpStatusCode.Forbidden, (await browser.GetAsync("/jobs", Browser.Ct)).StatusCode);
    }

    [Fact]
    public async Task The_session_cookie_after_the_provider_is_secure_http_only_same_site_lax_and_host_bound()
    {
        using var browser = _factory.NewBrowser(Portal);

        var callback = await SignInThroughProviderAsync(browser, "olivia");

        var cookie = Assert.Single(callback.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-portal=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_person_in_no_mapped_group_is_signed_in_but_may_open_no_page()
    {
        using var browser = _factory.NewBrowser(Portal);

        await SignInThroughProviderAsync(browser, "nora");

        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/", Browser.Ct)).StatusCode);
        Assert.Matches("Nora Nobody</b> \\(no role\\)", await browser.GetStringAsync("/signin", Browser.Ct));
    }

    [Fact]
    public async Task With_a_provider_configured_the_sign_in_page_offers_it_and_development_sign_in_is_gone()
    {
        using var browser = _factory.NewBrowser(Portal);

        var page = await browser.GetStringAsync("/signin?returnUrl=%2Ftokens", Browser.Ct);
        var attempt = await browser.PostAsync("/signin/dev",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "intruder", ["role"] = "Admin" }), Browser.Ct);

        Assert.Contains("Sign in with Test IdP", page, StringComparison.Ordinal);
        // A full page load, not Blazor's enhanced navigation: a fetch cannot follow the redirect to the provider.
        var link = Regex.Match(page, "<a[^>]*href=\"/signin/oidc\\?returnUrl=%2Ftokens\"[^>]*>");
        Assert.True(link.Success, "The sign-in page links to the provider's sign-in.");
        Assert.Contains("data-enhance-nav=\"false\"", link.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("Development sign-in", page, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.Redirect, attempt.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/", Browser.Ct)).StatusCode);
    }

    [Fact]
    public async Task Signing_out_ends_the_portal_session_and_sends_the_browser_to_the_provider_to_end_its_own()
    {
        using var browser = _factory.NewBrowser(Portal);
        await SignInThroughProviderAsync(browser, "olivia");
        var token = Browser.AntiforgeryToken(await browser.GetStringAsync("/signin", Browser.Ct));

        var signedOut = await browser.PostAsync("/signout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Browser.Ct);

        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.StartsWith($"{provider.Issuer}/session/end", signedOut.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/", Browser.Ct)).StatusCode);
    }

    [Fact]
    public async Task The_content_security_policy_lets_forms_reach_the_provider_and_nothing_else()
    {
        using var browser = _factory.NewBrowser(Portal);

        var response = await browser.GetAsync("/signin", Browser.Ct);

        Assert.Contains($"form-action 'self' {provider.Issuer};", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    /// <summary>Starts at the portal's sign-in link, follows the provider's redirects and forms (login as <paramref name="login"/>
    /// with any password, then consent), and posts the provider's answer back to the portal; returns the portal's answer.</summary>
    private async Task<HttpResponseMessage> SignInThroughProviderAsync(HttpClient browser, string login, string returnUrl = "/")
    {
        var start = await browser.GetAsync($"/signin/oidc?returnUrl={Uri.EscapeDataString(returnUrl)}", Browser.Ct);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var at = start.Headers.Location!;
        Assert.StartsWith($"{provider.Issuer}/auth", at.ToString(), StringComparison.Ordinal);

        using var providerBrowser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        var response = await providerBrowser.GetAsync(at, Browser.Ct);
        for (var hop = 0; hop < 20; hop++)
        {
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                at = new Uri(at, response.Headers.Location!);
                response = await providerBrowser.GetAsync(at, Browser.Ct);
                continue;
            }

            var html = await response.Content.ReadAsStringAsync(Browser.Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"The provider answered {(int)response.StatusCode} at {at}: {html}\n{provider.Output()}");
            var form = FormElement().Match(html);
            Assert.True(form.Success, $"The provider's page at {at} has no form: {html}");
            var action = new Uri(at, WebUtility.HtmlDecode(form.Groups["action"].Value));
            var fields = InputElement().Matches(form.Groups["body"].Value)
                .Select(i => (Name: NameAttribute().Match(i.Value), Value: ValueAttribute().Match(i.Value)))
                .Where(f => f.Name.Success)
                .ToDictionary(f => f.Name.Groups[1].Value, f => WebUtility.HtmlDecode(f.Value.Success ? f.Value.Groups[1].Value : ""), StringComparer.Ordinal);
            if (fields.ContainsKey("login"))
            {
                fields["login"] = login;
                fields["password"] = "any password";
            }

            if (action.GetLeftPart(UriPartial.Authority) == Portal)
            {
                // The provider's form_post answer goes back to the portal's callback in the portal's browser.
                return await browser.PostAsync(action.PathAndQuery, new FormUrlEncodedContent(fields), Browser.Ct);
            }

            at = action;
            response = await providerBrowser.PostAsync(action, new FormUrlEncodedContent(fields), Browser.Ct);
        }

        throw new InvalidOperationException("The sign-in did not come back to the portal within 20 steps.");
    }

    [GeneratedRegex("<form[^>]*action=\"(?<action>[^\"]*)\"[^>]*>(?<body>.*?)</form>", RegexOptions.Singleline)]
    private static partial Regex FormElement();

    [GeneratedRegex("<input[^>]*>")]
    private static partial Regex InputElement();

    [GeneratedRegex("name=\"([^\"]*)\"")]
    private static partial Regex NameAttribute();

    [GeneratedRegex("value=\"([^\"]*)\"")]
    private static partial Regex ValueAttribute();
}

/// <summary>Microsoft Entra ID goes through Microsoft.Identity.Web; nothing is registered without configuration.</summary>
public sealed class OpenIdConnectRegistrationTests
{
    [Fact]
    public async Task Entra_id_settings_register_microsoft_identity_web_against_the_tenant()
    {
        await using var factory = new PortalApiFactory();
        factory.Settings["Portal:Auth:OpenIdConnect:TenantId"] = "11111111-2222-3333-4444-555555555555";
        factory.Settings["Portal:Auth:OpenIdConnect:ClientId"] = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
        factory.Settings["Portal:Auth:OpenIdConnect:ClientSecret"] = "entra-secret";

        var options = factory.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(PortalAuthentication.OpenIdConnectScheme);

        Assert.Equal("https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0", options.Authority);
        Assert.Equal("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", options.ClientId);
        Assert.Equal(PortalAuthentication.CookieScheme, options.SignInScheme);
        Assert.Equal("/signin-oidc", options.CallbackPath);
        Assert.NotNull(options.TokenValidationParameters.IssuerValidator);
        Assert.Equal("OpenID Connect (Microsoft Entra ID)", factory.Services.GetRequiredService<PortalSignIn>().Describe());
    }

    [Fact]
    public async Task Without_settings_no_openid_connect_scheme_exists_and_its_sign_in_link_is_not_mapped()
    {
        await using var factory = new PortalApiFactory();

        var scheme = await factory.Services.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(PortalAuthentication.OpenIdConnectScheme);
        var link = await factory.NewBrowser().GetAsync("/signin/oidc", Browser.Ct);

        Assert.Null(scheme);
        Assert.Equal(HttpStatusCode.Redirect, link.StatusCode);
        Assert.StartsWith("/signin?returnUrl=", link.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Half_filled_settings_stop_the_portal_at_start_with_every_problem()
    {
        await using var factory = new PortalApiFactory();
        factory.Settings["Portal:Auth:OpenIdConnect:ClientSecret"] = "x";
        factory.Settings["Portal:Auth:OpenIdConnect:Authority"] = "not a url";
        factory.Settings["Portal:Auth:DefaultRole"] = "Root";

        var error = Assert.ThrowsAny<Exception>(() => factory.Services);

        var message = error.ToString();
        Assert.Contains("ClientId is empty", message, StringComparison.Ordinal);
        Assert.Contains("Authority 'not a url' is not an http(s) URL", message, StringComparison.Ordinal);
        Assert.Contains("DefaultRole 'Root' is not a role", message, StringComparison.Ordinal);
    }
}
