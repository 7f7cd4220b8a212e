using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Portal.Security;

/// <summary>What the router shows instead of a page the person may not open: which role it needs and which they have; an
/// anonymous visitor is sent to the sign-in page.</summary>
public sealed partial class AccessDeniedView
{
    private ClaimsPrincipal? _user;

    /// <summary>The page that was refused, to name the role it needs.</summary>
    [Parameter, EditorRequired]
    public required Type PageType { get; set; }

    [CascadingParameter]
    public required Task<AuthenticationState> AuthenticationState { get; set; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    private string NeededText => PageType.GetCustomAttributes<AuthorizeAttribute>(inherit: true)
        .Select(a => PortalPolicies.RoleOf(a.Policy))
        .Max()?.ToString() ?? "a portal";

    protected override async Task OnParametersSetAsync()
    {
        _user = (await AuthenticationState).User;
        if (_user.Identity?.IsAuthenticated != true)
        {
            var returnUrl = "/" + Navigation.ToBaseRelativePath(Navigation.Uri);
            Navigation.NavigateTo($"{PortalAuthentication.SignInPath}?returnUrl={Uri.EscapeDataString(returnUrl)}", forceLoad: true);
        }
    }
}
