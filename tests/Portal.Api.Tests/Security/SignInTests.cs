using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Portal.Domain.Access;
using Portal.Security;

namespace Portal.Api.Tests.Security;

/// <summary>Development sign-in on the embedded default, sign-out, antiforgery on both forms, and the security headers.</summary>
public sealed partial class SignInTests(PortalApiFactory factory) : IClassFixture<PortalApiFactory>
{
    [Fact]
    public async Task The_embedded_default_lands_on_development_sign_in_which_says_what_it_is()
    {
        using var browser = factory.NewBrowser();

        var landing = await browser.GetAsync("/", Browser.Ct);
        var page = await browser.GetStringAsync(landing.Headers.Location, Browser.Ct);

        Assert.Equal(HttpStatusCode.Redirect, landing.StatusCode);
        Assert.Contains("Continue as dev-admin (Admin)", page, StringComparison.Ordinal);
        Assert.Contains("Development sign-in: anyone who can open this portal can sign in with any name and role", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PortalRole.Viewer)]
    [InlineData(PortalRole.Operator)]
    [InlineData(PortalRole.Admin)]
    public async Task Development_sign_in_signs_in_with_the_chosen_name_and_role(PortalRole role)
    {
        using var browser = await factory.SignedInAsync(role, "Dana Dev");

        var page = await browser.GetStringAsync("/signin", Browser.Ct);

        Assert.Matches($"You are signed in as <b[^>]*>Dana Dev</b> \\({role}\\)", page);
    }

    [Fact]
    public async Task The_session_cookie_is_http_only_and_same_site_lax()
    {
        using var browser = factory.NewBrowser();

        var response = await browser.PostAsync("/signin/dev", await Browser.DevelopmentFormAsync(browser, "cookie-check", "Viewer"), Browser.Ct);

        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("portal=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Development_sign_in_without_the_antiforgery_token_is_refused()
    {
        using var browser = factory.NewBrowser();
        await browser.GetStringAsync("/signin", Browser.Ct);

        var response = await browser.PostAsync("/signin/dev",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "csrf", ["role"] = "Admin", ["returnUrl"] = "/" }), Browser.Ct);
        var after = await browser.GetAsync("/", Browser.Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("portal=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Theory]
    [InlineData("", "Give a name")]
    [InlineData("x", "'Root' is not a role")]
    public async Task Development_sign_in_with_a_bad_name_or_role_goes_back_to_the_form_with_the_reason(string name, string reason)
    {
        using var browser = factory.NewBrowser();

        var response = await browser.PostAsync("/signin/dev", await Browser.DevelopmentFormAsync(browser, name, name == "" ? "Admin" : "Root"), Browser.Ct);
        var page = await browser.GetStringAsync(response.Headers.Location, Browser.Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin?", response.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Contains(reason, WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/", Browser.Ct)).StatusCode);
    }

    [Theory]
    [InlineData("/tokens", "/tokens")]
    [InlineData("//evil.example/phish", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("/\\evil.example", "/")]
    public async Task Sign_in_returns_only_to_addresses_of_the_portal(string returnUrl, string expected)
    {
        using var browser = factory.NewBrowser();

        var response = await browser.PostAsync("/signin/dev", await Browser.DevelopmentFormAsync(browser, "returner", "Admin", returnUrl), Browser.Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(expected, response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Sign_out_needs_the_antiforgery_token_and_then_ends_the_session()
    {
        using var browser = await factory.SignedInAsync(PortalRole.Operator);

        var forged = await browser.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string>()), Browser.Ct);
        var stillIn = await browser.GetAsync("/", Browser.Ct);
        var token = Browser.AntiforgeryToken(await browser.GetStringAsync("/signin", Browser.Ct));
        var signedOut = await browser.PostAsync("/signout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Browser.Ct);
        var after = await browser.GetAsync("/", Browser.Ct);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal("/signin", signedOut.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Theory]
    [InlineData("/signin")]
    [InlineData("/api/v1/stacks")]
    [InlineData("/")]
    public async Task Every_answer_carries_the_security_headers(string url)
    {
        using var browser = await factory.SignedInAsync(PortalRole.Viewer);

        var response = await browser.GetAsync(url, Browser.Ct);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Matches(@"script-src 'self' 'nonce-[A-Za-z0-9_-]{22}';", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task The_inline_import_map_carries_the_nonce_the_policy_allows_and_each_answer_has_its_own()
    {
        using var browser = await factory.SignedInAsync(PortalRole.Viewer);

        var first = await browser.GetAsync("/", Browser.Ct);
        var second = await browser.GetAsync("/", Browser.Ct);

        var nonce = NonceOf(first);
        var html = await first.Content.ReadAsStringAsync(Browser.Ct);
        Assert.Contains($"<script type=\"importmap\" nonce=\"{nonce}\"", html, StringComparison.Ordinal);
        Assert.NotEqual(nonce, NonceOf(second));
    }

    [Fact]
    public void Development_sign_in_exists_only_on_the_embedded_default_in_development_without_a_provider()
    {
        PortalSignIn SignInWith(string environment, string? connectionString, string? authority) => PortalSignIn.From(
            new PortalAuthOptions { OpenIdConnect = { Authority = authority, ClientId = authority is null ? null : "portal" } },
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Portal"] = connectionString }).Build(),
            new TestEnvironment(environment));

        Assert.True(SignInWith("Development", null, null).Development);
        Assert.False(SignInWith("Production", null, null).Development);
        Assert.False(SignInWith("Development", "Host=db;Database=portal", null).Development);
        var oidc = SignInWith("Development", null, "https://id.example.com/realms/ops");
        Assert.False(oidc.Development);
        Assert.True(oidc.OpenIdConnect);
        Assert.True(oidc.SecureCookies);
        Assert.Equal("https://id.example.com", oidc.ProviderOrigin);
    }

    private static string NonceOf(HttpResponseMessage response) =>
        NonceInPolicy().Match(response.Headers.GetValues("Content-Security-Policy").Single()).Groups[1].Value;

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex NonceInPolicy();

    private sealed class TestEnvironment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "Portal";

        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}

/// <summary>Outside the embedded default in Development there is no development sign-in: no form, no endpoint, no banner.</summary>
public sealed class NoDevelopmentSignInTests : IAsyncLifetime
{
    private readonly PortalApiFactory _factory = new();

    public ValueTask InitializeAsync()
    {
        _factory.Settings["environment"] = "Production";
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task In_production_the_sign_in_page_explains_that_no_sign_in_is_configured_and_development_sign_in_is_gone()
    {
        using var browser = _factory.NewBrowser();

        var page = await browser.GetStringAsync("/signin", Browser.Ct);
        var attempt = await browser.PostAsync("/signin/dev",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "intruder", ["role"] = "Admin" }), Browser.Ct);

        Assert.Contains("No sign-in is configured", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Development sign-in:", page, StringComparison.Ordinal);
        Assert.DoesNotContain("action=\"/signin/dev\"", page, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.Redirect, attempt.StatusCode);
        Assert.False(attempt.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.Contains("portal=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/", Browser.Ct)).StatusCode);
    }
}
