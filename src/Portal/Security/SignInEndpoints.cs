using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Portal.Domain.Access;

namespace Portal.Security;

/// <summary>The sign-in and sign-out endpoints behind the sign-in page and the user menu. Forms post with an antiforgery token.</summary>
internal static class SignInEndpoints
{
    public const string DevelopmentPath = "/signin/dev";
    public const string OpenIdConnectPath = "/signin/oidc";
    public const string SignOutPath = "/signout";
    public const int MaxNameLength = 64;

    public static void Map(WebApplication app, PortalSignIn signIn)
    {
        if (signIn.OpenIdConnect)
        {
            // A link, not a form: starting a sign-in changes nothing, and the provider's redirect must not be a form action.
            app.MapGet(OpenIdConnectPath, (string? returnUrl) =>
                    TypedResults.Challenge(new AuthenticationProperties { RedirectUri = LocalOrHome(returnUrl) }, [PortalAuthentication.OpenIdConnectScheme]))
                .AllowAnonymous()
                .ExcludeFromDescription();
        }

        if (signIn.Development)
        {
            app.MapPost(DevelopmentPath, DevelopmentSignInAsync).AllowAnonymous().ExcludeFromDescription();
        }

        app.MapPost(SignOutPath, SignOutAsync).AllowAnonymous().ExcludeFromDescription();
    }

    /// <summary>A return URL only when it stays on this site; anything else (another host, <c>//evil</c>) goes home.</summary>
    public static string LocalOrHome(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl[0] == '/' && (returnUrl.Length == 1 || (returnUrl[1] != '/' && returnUrl[1] != '\\'))
        && !returnUrl.Contains('\r', StringComparison.Ordinal) && !returnUrl.Contains('\n', StringComparison.Ordinal)
            ? returnUrl
            : "/";

    private static async Task<IResult> DevelopmentSignInAsync(
        [FromForm] string? name, [FromForm] string? role, [FromForm] string? returnUrl, HttpContext http, ILoggerFactory loggers)
    {
        var problems = new List<string>();
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0 || trimmed.Length > MaxNameLength || trimmed.Any(char.IsControl))
        {
            problems.Add($"Give a name of 1 to {MaxNameLength} characters on one line.");
        }

        var parsed = PortalRoles.TryParse(role);
        problems.AddRange(parsed.Errors.Select(e => e.Message));
        if (problems.Count > 0)
        {
            return TypedResults.Redirect($"{PortalAuthentication.SignInPath}?returnUrl={Uri.EscapeDataString(LocalOrHome(returnUrl))}&error={Uri.EscapeDataString(string.Join(" ", problems))}");
        }

        var principal = PortalClaims.Create(trimmed, parsed.Value, PortalAuthentication.CookieScheme, PortalClaims.Development);
        await http.SignInAsync(PortalAuthentication.CookieScheme, principal);
        var logger = loggers.CreateLogger(typeof(SignInEndpoints));
        var roleName = parsed.Value.ToString();
        SignInLog.DevelopmentSignedIn(logger, trimmed, roleName);
        return TypedResults.LocalRedirect(LocalOrHome(returnUrl));
    }

    // [FromForm] makes the antiforgery token required: a cross-site page cannot sign people out.
    private static async Task<IResult> SignOutAsync([FromForm] string? returnUrl, HttpContext http, PortalSignIn signIn)
    {
        var viaProvider = http.User.SignInMethodOf() == PortalClaims.OpenIdConnect;
        await http.SignOutAsync(PortalAuthentication.CookieScheme);
        if (viaProvider && signIn.OpenIdConnect && await ProviderEndsSessionsAsync(http))
        {
            // The provider ends its own session too, then sends the browser back to the sign-in page.
            return TypedResults.SignOut(new AuthenticationProperties { RedirectUri = PortalAuthentication.SignInPath }, [PortalAuthentication.OpenIdConnectScheme]);
        }

        return TypedResults.LocalRedirect(PortalAuthentication.SignInPath);
    }

    // Some providers (Google) have no end_session_endpoint; signing out of the portal alone is then all there is.
    private static async Task<bool> ProviderEndsSessionsAsync(HttpContext http)
    {
        var options = http.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(PortalAuthentication.OpenIdConnectScheme);
        try
        {
            var configuration = options.Configuration
                ?? (options.ConfigurationManager is { } manager ? await manager.GetConfigurationAsync(http.RequestAborted) : null);
            return !string.IsNullOrEmpty(configuration?.EndSessionEndpoint);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
