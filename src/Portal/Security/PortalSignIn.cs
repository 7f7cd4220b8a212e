namespace Portal.Security;

/// <summary>How people sign in to this portal, decided once at start from configuration and environment.</summary>
/// <param name="Development">Development sign-in (pick a name and a role): only on the embedded default — no
/// <c>ConnectionStrings:Portal</c>, the Development environment — and only while no OpenID Connect provider is configured.</param>
/// <param name="OpenIdConnect">Sign-in through the provider of <c>Portal:Auth:OpenIdConnect</c>.</param>
/// <param name="ProviderName">The provider's name on the sign-in button.</param>
/// <param name="ProviderOrigin">The provider's origin, which the sign-out form may be redirected to (Content-Security-Policy form-action).</param>
public sealed record PortalSignIn(bool Development, bool OpenIdConnect, string? ProviderName, string? ProviderOrigin)
{
    /// <summary>Cookies are Secure everywhere but under development sign-in, which must work on plain http://127.0.0.1.</summary>
    public bool SecureCookies => !Development;

    /// <summary>The sign-in as the shell shows it.</summary>
    public string Describe() => OpenIdConnect ? $"OpenID Connect ({ProviderName})" : Development ? "development sign-in" : "no sign-in configured";

    public static PortalSignIn From(PortalAuthOptions options, IConfiguration configuration, IHostEnvironment environment)
    {
        var oidc = options.OpenIdConnect;
        if (oidc.IsConfigured)
        {
            var authority = !string.IsNullOrWhiteSpace(oidc.Authority) ? oidc.Authority : oidc.Instance;
            var origin = Uri.TryCreate(authority, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : null;
            return new PortalSignIn(false, true, oidc.EffectiveDisplayName, origin);
        }

        var embedded = string.IsNullOrWhiteSpace(configuration.GetConnectionString(Provisioning.DependencyInjection.ConnectionStringName));
        return new PortalSignIn(embedded && environment.IsDevelopment(), false, null, null);
    }
}
