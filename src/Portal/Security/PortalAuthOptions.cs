using Microsoft.Extensions.Options;
using Portal.Domain.Access;

namespace Portal.Security;

/// <summary>The <c>Portal:Auth</c> section: how people sign in, how their claims become portal roles, and how hard the API
/// pushes back on wrong tokens.</summary>
public sealed class PortalAuthOptions
{
    public const string SectionName = "Portal:Auth";

    /// <summary>Claim types whose values are matched against <see cref="Roles"/>; empty means <c>roles</c> and <c>groups</c>.</summary>
    /// <remarks>Left empty in code because the configuration binder appends to a list that already has items.</remarks>
    public List<string> RoleClaims { get; set; } = [];

    /// <summary>Claim values (app-role names, group ids or names) that grant each role, besides the role's own name.</summary>
    public RoleMappingOptions Roles { get; set; } = new();

    /// <summary>A role every signed-in person gets even when no claim maps (e.g. <c>Viewer</c>); empty grants nothing.</summary>
    public string? DefaultRole { get; set; }

    /// <summary>How long a sign-in lasts without activity; each request within it extends it.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    public OpenIdConnectSettings OpenIdConnect { get; set; } = new();

    public FailedTokenLimitOptions FailedTokenLimit { get; set; } = new();

    public IReadOnlyList<string> EffectiveRoleClaims => RoleClaims.Count > 0 ? RoleClaims : ["roles", "groups"];

    /// <summary>The claim values that grant <paramref name="role"/>: its name and the configured ones.</summary>
    public IReadOnlyList<string> ValuesFor(PortalRole role) =>
        [role.ToString(), .. role switch
        {
            PortalRole.Viewer => Roles.Viewer,
            PortalRole.Operator => Roles.Operator,
            _ => Roles.Admin,
        }];
}

/// <summary><c>Portal:Auth:Roles</c>: for each role, the claim values that grant it.</summary>
public sealed class RoleMappingOptions
{
    public List<string> Viewer { get; set; } = [];

    public List<string> Operator { get; set; } = [];

    public List<string> Admin { get; set; } = [];
}

/// <summary><c>Portal:Auth:OpenIdConnect</c>: Microsoft Entra ID (through Microsoft.Identity.Web) or any other OpenID Connect
/// provider. Sign-in through it is registered only when <see cref="IsConfigured"/>.</summary>
public sealed class OpenIdConnectSettings
{
    public const string EntraId = "EntraId";
    public const string Generic = "Generic";

    /// <summary><c>EntraId</c> or <c>Generic</c>; empty means Entra ID when <see cref="TenantId"/> is set, else generic.</summary>
    public string? Provider { get; set; }

    /// <summary>The issuer URL of a generic provider (its <c>/.well-known/openid-configuration</c> is read from it); for Entra ID
    /// optional, built from <see cref="Instance"/> and <see cref="TenantId"/>.</summary>
    public string? Authority { get; set; }

    /// <summary>Entra ID only: the cloud instance.</summary>
    public string Instance { get; set; } = "https://login.microsoftonline.com/";

    /// <summary>Entra ID only: the tenant (directory) id.</summary>
    public string? TenantId { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Scopes asked for; empty means <c>openid profile email</c>. Add e.g. <c>groups</c> where the provider needs a scope for it.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The claim holding the person's display name; falls back to <c>preferred_username</c>, <c>email</c>, then <c>sub</c>.</summary>
    public string NameClaim { get; set; } = "name";

    public string CallbackPath { get; set; } = "/signin-oidc";

    public string SignedOutCallbackPath { get; set; } = "/signout-callback-oidc";

    /// <summary>Refuse a provider whose metadata is not served over HTTPS; turn off only for a provider on the same machine.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>The button text's provider name ("Sign in with …").</summary>
    public string? DisplayName { get; set; }

    public bool IsEntraId => string.IsNullOrWhiteSpace(Provider)
        ? !string.IsNullOrWhiteSpace(TenantId)
        : string.Equals(Provider, EntraId, StringComparison.OrdinalIgnoreCase);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ClientId)
        && (!string.IsNullOrWhiteSpace(Authority) || (IsEntraId && !string.IsNullOrWhiteSpace(TenantId)));

    /// <summary>Whether any key of the section is set: a half-filled section is an error, not "no sign-in".</summary>
    public bool IsMentioned => !string.IsNullOrWhiteSpace(ClientId) || !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(TenantId);

    public string EffectiveDisplayName => !string.IsNullOrWhiteSpace(DisplayName) ? DisplayName : IsEntraId ? "Microsoft Entra ID" : "single sign-on";

    public IReadOnlyList<string> EffectiveScopes => Scopes.Count > 0 ? Scopes : ["openid", "profile", "email"];
}

/// <summary><c>Portal:Auth:FailedTokenLimit</c>: how many failed bearer-token authentications one client IP may make per
/// window before every token it sends is answered 429 until the window ends.</summary>
public sealed class FailedTokenLimitOptions
{
    public int PermitLimit { get; set; } = 10;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Reports every problem of <c>Portal:Auth</c> at start, at once.</summary>
internal sealed class PortalAuthOptionsValidator : IValidateOptions<PortalAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, PortalAuthOptions options)
    {
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.DefaultRole) && !PortalRoles.TryParse(options.DefaultRole).IsSuccess)
        {
            errors.Add($"Portal:Auth:DefaultRole '{options.DefaultRole}' is not a role; use one of {string.Join(", ", PortalRoles.All)} or leave it empty.");
        }

        if (options.SessionLifetime <= TimeSpan.Zero)
        {
            errors.Add("Portal:Auth:SessionLifetime must be positive (e.g. 08:00:00).");
        }

        if (options.FailedTokenLimit.PermitLimit < 1)
        {
            errors.Add("Portal:Auth:FailedTokenLimit:PermitLimit must be at least 1.");
        }

        if (options.FailedTokenLimit.Window <= TimeSpan.Zero)
        {
            errors.Add("Portal:Auth:FailedTokenLimit:Window must be positive (e.g. 00:01:00).");
        }

        var oidc = options.OpenIdConnect;
        const string section = "Portal:Auth:OpenIdConnect";
        if (!string.IsNullOrWhiteSpace(oidc.Provider)
            && !string.Equals(oidc.Provider, OpenIdConnectSettings.EntraId, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(oidc.Provider, OpenIdConnectSettings.Generic, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{section}:Provider '{oidc.Provider}' is not known; use EntraId or Generic.");
        }

        if (oidc.IsMentioned)
        {
            if (string.IsNullOrWhiteSpace(oidc.ClientId))
            {
                errors.Add($"{section}:ClientId is empty; it is the application (client) id registered at the provider.");
            }

            if (oidc.IsEntraId && string.IsNullOrWhiteSpace(oidc.TenantId) && string.IsNullOrWhiteSpace(oidc.Authority))
            {
                errors.Add($"{section}:TenantId is empty; Entra ID needs the directory (tenant) id.");
            }

            if (!oidc.IsEntraId && string.IsNullOrWhiteSpace(oidc.Authority))
            {
                errors.Add($"{section}:Authority is empty; it is the provider's issuer URL (e.g. https://keycloak.example.com/realms/ops).");
            }

            if (!string.IsNullOrWhiteSpace(oidc.Authority)
                && (!Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp)))
            {
                errors.Add($"{section}:Authority '{oidc.Authority}' is not an http(s) URL.");
            }

            foreach (var (key, path) in new[] { ("CallbackPath", oidc.CallbackPath), ("SignedOutCallbackPath", oidc.SignedOutCallbackPath) })
            {
                if (string.IsNullOrWhiteSpace(path) || !path.StartsWith('/'))
                {
                    errors.Add($"{section}:{key} must be a path starting with '/', e.g. /signin-oidc.");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
