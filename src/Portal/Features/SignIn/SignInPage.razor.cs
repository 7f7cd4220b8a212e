using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Portal.Domain.Access;
using Portal.Security;

namespace Portal.Features.SignIn;

/// <summary>The sign-in page: the OpenID Connect provider's button, or on the embedded default the development sign-in form.</summary>
/// <remarks>Rendered on the server without a circuit, so that its forms post with an antiforgery token and the answer can set
/// the sign-in cookie.</remarks>
public sealed partial class SignInPage
{
    [CascadingParameter]
    private HttpContext? HttpContext { get; set; }

    [Inject]
    public required PortalSignIn SignIn { get; init; }

    [SupplyParameterFromQuery]
    public string? ReturnUrl { get; set; }

    [SupplyParameterFromQuery]
    public string? Error { get; set; }

    private ClaimsPrincipal? User => HttpContext?.User;

    private string SafeReturnUrl => SignInEndpoints.LocalOrHome(ReturnUrl);

    private static string RoleHelp(PortalRole role) => role switch
    {
        PortalRole.Viewer => "reads stacks, operations and clusters",
        PortalRole.Operator => "also deploys, reconfigures, rotates, retries and tears down",
        _ => "also manages clusters, API tokens and the jobs dashboard",
    };
}
