using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Portal.Api.Authentication;

/// <summary>Options of the bearer token scheme: today only the bootstrap token from configuration.</summary>
public sealed class BearerTokenOptions : AuthenticationSchemeOptions
{
    /// <summary><c>Portal:BootstrapToken</c>: an admin token for automation until API tokens and sign-in exist; null disables it.</summary>
    public string? BootstrapToken { get; set; }
}

/// <summary>Authenticates <c>Authorization: Bearer &lt;token&gt;</c> against the configured tokens; answers a missing or wrong
/// token with a 401 problem and <c>WWW-Authenticate: Bearer</c>.</summary>
/// <remarks>An ordinary authentication scheme, so that API tokens stored in the database and OIDC can be added beside it
/// without touching the endpoints. Tokens are compared as SHA-256 digests in constant time: neither the content nor the
/// length of the configured token leaks through timing.</remarks>
public sealed class BearerTokenHandler(IOptionsMonitor<BearerTokenOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<BearerTokenOptions>(options, logger, encoder)
{
    public const string SchemeName = "PortalBearer";

    /// <summary>The actor recorded in the audit log for calls with the bootstrap token.</summary>
    public const string BootstrapActor = "bootstrap-token";

    private const string Prefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var token = header[Prefix.Length..].Trim();
        if (string.IsNullOrEmpty(Options.BootstrapToken) || !SameToken(token, Options.BootstrapToken))
        {
            return Task.FromResult(AuthenticateResult.Fail("The bearer token is not valid."));
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, BootstrapActor), new Claim(ClaimTypes.Role, "admin")],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var wrongToken = result.Failure is not null;
        Response.Headers.WWWAuthenticate = wrongToken ? "Bearer error=\"invalid_token\"" : "Bearer";
        var detail = wrongToken
            ? "The bearer token is not valid."
            : string.IsNullOrEmpty(Options.BootstrapToken)
                ? "The API needs a bearer token, and none is configured yet: set Portal:BootstrapToken (env Portal__BootstrapToken)."
                : "The API needs a bearer token: send Authorization: Bearer <token>.";
        await TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized.").ExecuteAsync(Context);
    }

    private static bool SameToken(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
