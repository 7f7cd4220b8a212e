using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Provisioning.Tokens;

namespace Portal.Api.Tests.Security;

/// <summary>A browser-like client (cookies kept, redirects not followed) and the ways to sign one in.</summary>
internal static partial class Browser
{
    public static HttpClient NewBrowser(this PortalApiFactory factory, string baseAddress = "http://localhost") =>
        factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = true,
            BaseAddress = new Uri(baseAddress),
        });

    /// <summary>Signs a new browser in through the development sign-in form, as a person would.</summary>
    public static async Task<HttpClient> SignedInAsync(this PortalApiFactory factory, PortalRole role, string? name = null)
    {
        var browser = factory.NewBrowser();
        var response = await browser.PostAsync("/signin/dev", await DevelopmentFormAsync(browser, name ?? $"dev-{role}".ToLowerInvariant(), role.ToString()), Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        return browser;
    }

    /// <summary>The development sign-in form's fields with the antiforgery token of the sign-in page.</summary>
    public static async Task<FormUrlEncodedContent> DevelopmentFormAsync(HttpClient browser, string name, string role, string returnUrl = "/") =>
        new(new Dictionary<string, string>
        {
            ["name"] = name,
            ["role"] = role,
            ["returnUrl"] = returnUrl,
            ["__RequestVerificationToken"] = AntiforgeryToken(await browser.GetStringAsync("/signin", Ct)),
        });

    public static string AntiforgeryToken(string html)
    {
        var input = AntiforgeryInput().Match(html);
        Assert.True(input.Success, "The page has no antiforgery token.");
        return WebUtility.HtmlDecode(ValueAttribute().Match(input.Value).Groups[1].Value);
    }

    /// <summary>An API token with the role, made through the service as an admin would on the tokens page.</summary>
    public static async Task<string> TokenAsync(this PortalApiFactory factory, PortalRole role, int days = 30)
    {
        var result = await factory.Services.GetRequiredService<IApiTokenService>()
            .CreateAsync(new CreateApiTokenCommand($"{role} automation", role.ToString(), days), "test-admin", Ct);
        Assert.True(result.IsSuccess, result.Message);
        return result.Value.Value;
    }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*>")]
    private static partial Regex AntiforgeryInput();

    [GeneratedRegex("value=\"([^\"]*)\"")]
    private static partial Regex ValueAttribute();
}
