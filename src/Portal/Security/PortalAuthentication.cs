using Hangfire;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;

namespace Portal.Security;

/// <summary>Sign-in, roles and the security plumbing of the portal: the cookie that keeps people signed in, OpenID Connect
/// (registered only when configured), development sign-in on the embedded default, the role policies with a deny-by-default
/// fallback, antiforgery, security headers and the Hangfire dashboard at <c>/jobs</c> for admins.</summary>
public static class PortalAuthentication
{
    public const string CookieScheme = "PortalCookie";
    public const string OpenIdConnectScheme = "OpenIdConnect";
    public const string SignInPath = "/signin";
    public const string JobsPath = "/jobs";

    public static IHostApplicationBuilder AddPortalAuthentication(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(PortalAuthOptions.SectionName);
        services.AddOptions<PortalAuthOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PortalAuthOptions>, PortalAuthOptionsValidator>();
        var options = section.Get<PortalAuthOptions>() ?? new PortalAuthOptions();
        var signIn = PortalSignIn.From(options, builder.Configuration, builder.Environment);
        services.AddSingleton(signIn);
        services.AddSingleton<RoleClaimMapper>();
        services.AddSingleton<TokenFailureLimiter>();

        var authentication = services.AddAuthentication(o => o.DefaultScheme = CookieScheme);
        authentication.AddCookie(CookieScheme, cookie => ConfigureCookie(cookie, options, signIn));
        if (signIn.OpenIdConnect)
        {
            AddOpenIdConnect(authentication, options);
        }

        // Secure whenever the request is: antiforgery refuses to work at all on a plain-http request with Always, which is what
        // the portal sees behind a TLS-terminating proxy without forwarded headers. The token only pairs with a form; the session
        // cookie is the credential, and that one is always Secure outside development sign-in.
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "portal.antiforgery";
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        // Deny by default: an endpoint that names no policy still needs a signed-in person (the sign-in page, static files and
        // the OpenAPI document opt out explicitly).
        services.AddAuthorizationBuilder()
            .AddPortalPolicies()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, PageAuthorizationResultHandler>();
        services.AddCascadingAuthenticationState();
        services.AddScoped<CircuitAuthorization>();
        return builder;
    }

    /// <summary>Security headers first, then authentication, authorization and antiforgery (in that order, as endpoints need).</summary>
    public static WebApplication UsePortalSecurity(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeaders>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    /// <summary>Maps sign-in and sign-out and the jobs dashboard; logs how people sign in.</summary>
    public static WebApplication MapPortalSignIn(this WebApplication app)
    {
        var signIn = app.Services.GetRequiredService<PortalSignIn>();
        if (signIn.OpenIdConnect)
        {
            SignInLog.OpenIdConnect(app.Logger, signIn.ProviderName ?? "");
        }
        else if (signIn.Development)
        {
            SignInLog.Development(app.Logger);
        }
        else
        {
            SignInLog.None(app.Logger);
        }

        SignInEndpoints.Map(app, signIn);
        app.MapHangfireDashboard(JobsPath, new DashboardOptions
        {
            AppPath = "/",
            DashboardTitle = "Airbyte Portal jobs",
            DisplayStorageConnectionString = false,
            Authorization = [],
            AsyncAuthorization = [new JobsDashboardAuthorizationFilter()],
        }).RequireAuthorization(PortalPolicies.Admin);
        return app;
    }

    private static void ConfigureCookie(CookieAuthenticationOptions cookie, PortalAuthOptions options, PortalSignIn signIn)
    {
        // The __Host- prefix pins the cookie to this host and path; browsers accept it only when Secure.
        cookie.Cookie.Name = signIn.SecureCookies ? "__Host-portal" : "portal";
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        cookie.Cookie.SecurePolicy = signIn.SecureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        cookie.ExpireTimeSpan = options.SessionLifetime;
        cookie.SlidingExpiration = true;
        cookie.LoginPath = SignInPath;
        cookie.LogoutPath = "/signout";
        cookie.ReturnUrlParameter = "returnUrl";
        cookie.Events.OnRedirectToLogin = context =>
        {
            // A browser navigating gets the sign-in page; the circuit's hub and scripts get a plain 401.
            if (IsNavigation(context.Request))
            {
                context.Response.Redirect(context.RedirectUri);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            }

            return Task.CompletedTask;
        };
        cookie.Events.OnRedirectToAccessDenied = async context =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            var role = context.HttpContext.User.GetPortalRole()?.ToString() ?? "no role";
            await context.Response.WriteAsync(
                $"Forbidden: {context.Request.Path} needs a higher role than yours ({role}). Sign in with another account or ask an admin.");
        };
    }

    private static bool IsNavigation(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && !request.Path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase)
        && !request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    private static void AddOpenIdConnect(AuthenticationBuilder authentication, PortalAuthOptions options)
    {
        var settings = options.OpenIdConnect;
        if (settings.IsEntraId)
        {
            // Microsoft.Identity.Web brings Entra's issuer validation (multi-tenant aware); the portal's own cookie keeps the session.
            authentication.AddMicrosoftIdentityWebApp(
                identity =>
                {
                    identity.Instance = settings.Instance;
                    identity.TenantId = settings.TenantId;
                    identity.ClientId = settings.ClientId;
                    identity.ClientSecret = settings.ClientSecret;
                    identity.CallbackPath = settings.CallbackPath;
                    identity.SignedOutCallbackPath = settings.SignedOutCallbackPath;
                    if (!string.IsNullOrWhiteSpace(settings.Authority))
                    {
                        identity.Authority = settings.Authority;
                    }
                },
                openIdConnectScheme: OpenIdConnectScheme,
                cookieScheme: null,
                displayName: settings.EffectiveDisplayName);
        }
        else
        {
            authentication.AddOpenIdConnect(OpenIdConnectScheme, settings.EffectiveDisplayName, oidc =>
            {
                oidc.Authority = settings.Authority;
                oidc.ClientId = settings.ClientId;
                oidc.ClientSecret = settings.ClientSecret;
                oidc.ResponseType = "code";
                oidc.UsePkce = true;
                oidc.CallbackPath = settings.CallbackPath;
                oidc.SignedOutCallbackPath = settings.SignedOutCallbackPath;
                oidc.RequireHttpsMetadata = settings.RequireHttpsMetadata;
                oidc.GetClaimsFromUserInfoEndpoint = true;
                // Keep the provider's claim names ("groups", "roles"), which is what Portal:Auth:RoleClaims names.
                oidc.MapInboundClaims = false;
                oidc.TokenValidationParameters.NameClaimType = settings.NameClaim;
                oidc.Scope.Clear();
                foreach (var scope in settings.EffectiveScopes)
                {
                    oidc.Scope.Add(scope);
                }

                // Claims from the userinfo endpoint reach the principal only through a claim action; arrays become one claim each.
                oidc.ClaimActions.MapUniqueJsonKey(settings.NameClaim, settings.NameClaim);
                foreach (var type in options.EffectiveRoleClaims)
                {
                    oidc.ClaimActions.MapJsonKey(type, type);
                }
            });
        }

        // After Microsoft.Identity.Web's own configuration: the portal's cookie, its principal, its error page.
        authentication.Services.AddOptions<OpenIdConnectOptions>(OpenIdConnectScheme)
            .PostConfigure<RoleClaimMapper, ILoggerFactory>((oidc, mapper, loggers) =>
            {
                oidc.SignInScheme = CookieScheme;
                oidc.SignOutScheme = CookieScheme;
                oidc.SaveTokens = false;
                oidc.SignedOutRedirectUri = SignInPath;
                if (settings.IsEntraId)
                {
                    foreach (var scope in settings.Scopes)
                    {
                        oidc.Scope.Add(scope);
                    }
                }

                var ticketReceived = oidc.Events.OnTicketReceived;
                oidc.Events.OnTicketReceived = async context =>
                {
                    await ticketReceived(context);
                    if (context.Principal is not null)
                    {
                        var principal = mapper.ToPortalPrincipal(context.Principal, OpenIdConnectScheme);
                        context.Principal = principal;
                        var name = principal.Identity?.Name ?? "";
                        var role = principal.GetPortalRole()?.ToString() ?? "no role";
                        var logger = loggers.CreateLogger(typeof(PortalAuthentication));
                        SignInLog.SignedIn(logger, name, role);
                    }
                };
                var remoteFailure = oidc.Events.OnRemoteFailure;
                oidc.Events.OnRemoteFailure = async context =>
                {
                    await remoteFailure(context);
                    if (context.Result is null)
                    {
                        var logger = loggers.CreateLogger(typeof(PortalAuthentication));
                        SignInLog.Failed(logger, context.Failure);
                        context.Response.Redirect($"{SignInPath}?error={Uri.EscapeDataString("Sign-in through the provider failed: " + (context.Failure?.Message ?? "no reason given"))}");
                        context.HandleResponse();
                    }
                };
            });
    }
}

/// <summary>Log messages of sign-in.</summary>
internal static partial class SignInLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "People sign in through OpenID Connect ({Provider})")]
    public static partial void OpenIdConnect(ILogger logger, string provider);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Development sign-in is on (embedded default in the Development environment): anyone who reaches the portal can sign in with any role. Configure Portal:Auth:OpenIdConnect for real sign-in")]
    public static partial void Development(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "No sign-in is configured: nobody can use the UI. Configure Portal:Auth:OpenIdConnect (development sign-in exists only on the embedded default in the Development environment)")]
    public static partial void None(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name} signed in through OpenID Connect with role {Role}")]
    public static partial void SignedIn(ILogger logger, string name, string role);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in through OpenID Connect failed")]
    public static partial void Failed(ILogger logger, Exception? exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name} signed in with development sign-in as {Role}")]
    public static partial void DevelopmentSignedIn(ILogger logger, string name, string role);
}

/// <summary>Conventions on the Razor components endpoints.</summary>
public static class RazorComponentsSecurityExtensions
{
    /// <summary>Lets anonymous visitors load Blazor's own scripts (the sign-in page includes them); pages keep their policies
    /// and the circuit's hub stays behind the deny-by-default fallback.</summary>
    public static RazorComponentsEndpointConventionBuilder AllowAnonymousFrameworkScripts(this RazorComponentsEndpointConventionBuilder builder)
    {
        builder.Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder route
                && route.RoutePattern.RawText?.TrimStart('/').StartsWith("_framework/", StringComparison.Ordinal) == true)
            {
                endpoint.Metadata.Add(new AllowAnonymousAttribute());
            }
        });
        return builder;
    }
}
