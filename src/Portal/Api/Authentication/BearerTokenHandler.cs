using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Portal.Domain.Access;
using Portal.Provisioning.Tokens;
using Portal.Security;

namespace Portal.Api.Authentication;

/// <summary>Options of the bearer token scheme: the bootstrap token from configuration (API tokens live in the database).</summary>
public sealed class BearerTokenOptions : AuthenticationSchemeOptions
{
    /// <summary><c>Portal:BootstrapToken</c>: an admin token for automation until the first API token is created; null disables it.</summary>
    public string? BootstrapToken { get; set; }
}

/// <summary>Authenticates <c>Authorization: Bearer &lt;token&gt;</c>: an API token of the portal database (with its role), or the
/// bootstrap token (Admin) while no API token was ever created. Answers a missing or wrong token with a 401 problem and
/// <c>WWW-Authenticate: Bearer</c>, a role too low with a 403 problem, and a client that failed too often with 429.</summary>
/// <remarks>Tokens are compared as SHA-256 digests in constant time: neither the content nor the length of a token leaks
/// through timing.</remarks>
public sealed class BearerTokenHandler(
    IOptionsMonitor<BearerTokenOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IApiTokenService tokens,
    TokenFailureLimiter limiter)
    : AuthenticationHandler<BearerTokenOptions>(options, logger, encoder)
{
    public const string SchemeName = "PortalBearer";

    /// <summary>The actor recorded in the audit log for calls with the bootstrap token.</summary>
    public const string BootstrapActor = "bootstrap-token";

    private const string Prefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var client = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (limiter.IsLockedOut(client, out var retryAfter))
        {
            return AuthenticateResult.Fail(new TokenRefusedException(
                TokenRefusal.TooManyFailures,
                $"Too many failed token authentications from this address; try again in {Math.Ceiling(retryAfter.TotalSeconds):0} seconds.",
                retryAfter));
        }

        var token = header[Prefix.Length..].Trim();
        var result = await AuthenticateTokenAsync(token);
        if (result.Failure is not null)
        {
            limiter.RecordFailure(client);
            BearerLog.Refused(Logger, client, result.Failure.Message);
        }

        return result;
    }

    private async Task<AuthenticateResult> AuthenticateTokenAsync(string token)
    {
        var verification = await tokens.VerifyAsync(token, Context.RequestAborted);
        switch (verification.Status)
        {
            case ApiTokenVerificationStatus.Valid:
                var view = verification.Token!;
                var principal = PortalClaims.Create($"{view.Name} (token {view.Id})", view.Role, SchemeName, PortalClaims.ApiToken, [new Claim(PortalClaims.TokenId, view.Id)]);
                return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
            case ApiTokenVerificationStatus.Revoked:
                return Refuse(TokenRefusal.Invalid, $"The bearer token was revoked by {verification.Token!.RevokedBy} at {verification.Token.RevokedAt:yyyy-MM-dd HH:mm} UTC.");
            case ApiTokenVerificationStatus.Expired:
                return Refuse(TokenRefusal.Invalid, $"The bearer token expired at {verification.Token!.ExpiresAt:yyyy-MM-dd HH:mm} UTC; an admin can create a new one.");
        }

        if (string.IsNullOrEmpty(Options.BootstrapToken) || !SameToken(token, Options.BootstrapToken))
        {
            return Refuse(TokenRefusal.Invalid, "The bearer token is not valid.");
        }

        if (await tokens.AnyCreatedAsync(Context.RequestAborted))
        {
            return Refuse(TokenRefusal.Invalid, "The bootstrap token is retired: API tokens exist, so use one (an admin creates them under API tokens) and remove Portal:BootstrapToken.");
        }

        var bootstrap = PortalClaims.Create(BootstrapActor, PortalRole.Admin, SchemeName, PortalClaims.BootstrapToken);
        return AuthenticateResult.Success(new AuthenticationTicket(bootstrap, SchemeName));
    }

    private static AuthenticateResult Refuse(TokenRefusal refusal, string message) =>
        AuthenticateResult.Fail(new TokenRefusedException(refusal, message, TimeSpan.Zero));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (result.Failure is TokenRefusedException { Refusal: TokenRefusal.TooManyFailures } limited)
        {
            Response.Headers.RetryAfter = Math.Ceiling(limited.RetryAfter.TotalSeconds).ToString("0", System.Globalization.CultureInfo.InvariantCulture);
            await TypedResults.Problem(limited.Message, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests.").ExecuteAsync(Context);
            return;
        }

        var wrongToken = result.Failure is not null;
        Response.Headers.WWWAuthenticate = wrongToken ? "Bearer error=\"invalid_token\"" : "Bearer";
        var detail = wrongToken
            ? result.Failure!.Message
            : "The API needs a bearer token: send Authorization: Bearer <token>. Admins create API tokens in the portal (API tokens) or with POST /api/v1/tokens.";
        await TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized.").ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var needed = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>()
            .Select(a => PortalPolicies.RoleOf(a.Policy))
            .Where(r => r is not null)
            .Max();
        var result = await HandleAuthenticateOnceSafeAsync();
        var has = result.Principal?.GetPortalRole()?.ToString() ?? "no role";
        var detail = needed is null
            ? $"The token's role ({has}) does not allow this call."
            : $"This call needs the {needed} role; the token has {has}.";
        await TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden.").ExecuteAsync(Context);
    }

    private static bool SameToken(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(given)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}

/// <summary>Why a bearer token was refused.</summary>
internal enum TokenRefusal
{
    Invalid,
    TooManyFailures,
}

/// <summary>The failure of a bearer authentication, carried to the challenge so that it can answer 401 or 429.</summary>
internal sealed class TokenRefusedException(TokenRefusal refusal, string message, TimeSpan retryAfter) : Exception(message)
{
    public TokenRefusal Refusal { get; } = refusal;

    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>Log messages of bearer authentication (never a token).</summary>
internal static partial class BearerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a bearer token from {Client}: {Reason}")]
    public static partial void Refused(ILogger logger, string client, string reason);
}
