using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;

namespace Portal.Security;

/// <summary>Authorization for actions inside a Blazor circuit (a button that deploys, revokes, retries): the page's own policy
/// is checked when it renders, an action that needs more checks here before it runs — hiding a button is not enough.</summary>
public sealed class CircuitAuthorization(AuthenticationStateProvider authenticationState, IAuthorizationService authorization)
{
    public async Task<ClaimsPrincipal> UserAsync() => (await authenticationState.GetAuthenticationStateAsync()).User;

    public async Task<bool> AllowsAsync(string policy) => (await authorization.AuthorizeAsync(await UserAsync(), policy)).Succeeded;

    /// <summary>The name to record as the actor when the circuit's user meets <paramref name="policy"/>.</summary>
    /// <exception cref="UnauthorizedAccessException">The user does not; the message says which role is needed.</exception>
    public async Task<string> DemandAsync(string policy)
    {
        var user = await UserAsync();
        if (!(await authorization.AuthorizeAsync(user, policy)).Succeeded)
        {
            var role = user.GetPortalRole()?.ToString() ?? "no role";
            throw new UnauthorizedAccessException($"This needs the {policy} role; {user.Identity?.Name ?? "you"} signed in with {role}.");
        }

        return user.Identity?.Name ?? "unknown";
    }
}
