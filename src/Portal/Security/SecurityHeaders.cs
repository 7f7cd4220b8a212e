using System.Security.Cryptography;

namespace Portal.Security;

/// <summary>The security headers of every response: a Content-Security-Policy that Blazor Server and MudBlazor work under,
/// no MIME sniffing, no framing, no referrer to other sites.</summary>
/// <remarks>Scripts: only the portal's own files plus a per-request nonce for the inline import map. Styles allow inline
/// because Blazor writes style attributes through the DOM and MudBlazor renders per-component style attributes and its theme
/// as a style element. Connections: same origin (the circuit's WebSocket). Forms may also post to the OpenID Connect provider,
/// where sign-out is redirected.</remarks>
public sealed class SecurityHeaders(RequestDelegate next, PortalSignIn signIn)
{
    private const string NonceKey = "portal:csp-nonce";

    /// <summary>The nonce of this request's Content-Security-Policy, for an inline script the page must have.</summary>
    public static string? NonceOf(HttpContext? context) => context?.Items[NonceKey] as string;

    public Task InvokeAsync(HttpContext context)
    {
        // base64url: no '+' or '/' that HTML encoding would turn into entities in the nonce attribute.
        var nonce = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        var formAction = signIn.ProviderOrigin is { } origin ? $"'self' {origin}" : "'self'";
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy =
            $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
            $"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action {formAction}; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
        return next(context);
    }
}
