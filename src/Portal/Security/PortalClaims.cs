using System.Security.Claims;
using Portal.Domain.Access;

namespace Portal.Security;

/// <summary>The principal the portal works with, whatever signed the person in: a display name, the portal role (with every
/// role it includes, as role claims) and how they signed in.</summary>
public static class PortalClaims
{
    /// <summary>How the caller signed in: <c>development</c>, <c>oidc</c>, <c>api-token</c> or <c>bootstrap-token</c>.</summary>
    public const string SignInMethod = "portal:sign_in";

    /// <summary>The id of the API token a call authenticated with.</summary>
    public const string TokenId = "portal:token_id";

    /// <summary>The provider's subject id of a person signed in through OpenID Connect.</summary>
    public const string Subject = "portal:sub";

    public const string Development = "development";
    public const string OpenIdConnect = "oidc";
    public const string ApiToken = "api-token";
    public const string BootstrapToken = "bootstrap-token";

    public static ClaimsPrincipal Create(string name, PortalRole? role, string authenticationType, string signInMethod, IEnumerable<Claim>? extra = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(SignInMethod, signInMethod) };
        if (role is { } granted)
        {
            claims.AddRange(granted.Implied().Select(r => new Claim(ClaimTypes.Role, r.ToString())));
        }

        claims.AddRange(extra ?? []);
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>The highest portal role of an authenticated user, or null (anonymous, or signed in without a mapped role).</summary>
    public static PortalRole? GetPortalRole(this ClaimsPrincipal user)
    {
        PortalRole? highest = null;
        foreach (var identity in user.Identities.Where(i => i.IsAuthenticated))
        {
            foreach (var claim in identity.FindAll(identity.RoleClaimType))
            {
                var role = PortalRoles.TryParse(claim.Value);
                if (role.IsSuccess && (highest is null || role.Value > highest))
                {
                    highest = role.Value;
                }
            }
        }

        return highest;
    }

    public static string? SignInMethodOf(this ClaimsPrincipal user) => user.FindFirst(SignInMethod)?.Value;
}
