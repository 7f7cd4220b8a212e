using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Portal.Domain.Access;

namespace Portal.Security;

/// <summary>Turns the claims an OpenID Connect provider sent into the portal's principal: a display name and the highest role
/// that <c>Portal:Auth:RoleClaims</c> and <c>Portal:Auth:Roles</c> grant.</summary>
/// <remarks>Done once, at sign-in, so that the cookie carries a small principal instead of every group of the person; a change
/// of mapping applies at the next sign-in.</remarks>
public sealed class RoleClaimMapper(IOptionsMonitor<PortalAuthOptions> options)
{
    private static readonly string[] NameFallbacks = ["name", "preferred_username", "email", "upn", "sub", ClaimTypes.Name, ClaimTypes.Email, ClaimTypes.NameIdentifier];

    /// <summary>The highest role the claims grant, the configured default role when none does, else null.</summary>
    public PortalRole? RoleOf(ClaimsPrincipal external)
    {
        var settings = options.CurrentValue;
        var types = ClaimTypesFor(settings.EffectiveRoleClaims);
        var values = external.Claims.Where(c => types.Contains(c.Type)).Select(c => c.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var role in PortalRoles.All.Reverse())
        {
            if (settings.ValuesFor(role).Any(values.Contains))
            {
                return role;
            }
        }

        return string.IsNullOrWhiteSpace(settings.DefaultRole) ? null : PortalRoles.TryParse(settings.DefaultRole).Value;
    }

    /// <summary>The portal principal for a person the provider vouched for.</summary>
    public ClaimsPrincipal ToPortalPrincipal(ClaimsPrincipal external, string authenticationType)
    {
        var extra = new List<Claim>();
        if (FirstValue(external, ["sub", ClaimTypes.NameIdentifier]) is { } subject)
        {
            extra.Add(new Claim(PortalClaims.Subject, subject));
        }

        return PortalClaims.Create(NameOf(external), RoleOf(external), authenticationType, PortalClaims.OpenIdConnect, extra);
    }

    private string NameOf(ClaimsPrincipal external)
    {
        var configured = options.CurrentValue.OpenIdConnect.NameClaim;
        return FirstValue(external, [configured, .. NameFallbacks]) ?? "unknown";
    }

    private static string? FirstValue(ClaimsPrincipal principal, IEnumerable<string> types)
    {
        foreach (var type in types)
        {
            foreach (var candidate in ClaimTypesFor([type]))
            {
                if (principal.FindFirst(candidate) is { Value.Length: > 0 } claim)
                {
                    return claim.Value;
                }
            }
        }

        return null;
    }

    // A handler that maps inbound claims turns e.g. "roles" into the long ClaimTypes.Role URI: match both spellings.
    private static HashSet<string> ClaimTypesFor(IEnumerable<string> configured)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in configured)
        {
            types.Add(type);
            if (JsonWebTokenHandler.DefaultInboundClaimTypeMap.TryGetValue(type, out var mapped))
            {
                types.Add(mapped);
            }
        }

        return types;
    }
}
