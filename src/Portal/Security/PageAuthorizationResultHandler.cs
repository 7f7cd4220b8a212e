using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Components.Endpoints;

namespace Portal.Security;

/// <summary>Answers a signed-in person who may not open a page with 403 and the portal's shell, whose router then says which
/// role the page needs; everything else (anonymous → sign-in redirect, API → 401/403 problem) as ASP.NET Core does.</summary>
/// <remarks>Safe because pages render only in the interactive circuit (prerender is off): the 403 response carries the shell,
/// never the page, and the circuit's <c>AuthorizeRouteView</c> refuses the page again.</remarks>
internal sealed class PageAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden
            && context.User.Identity?.IsAuthenticated == true
            && context.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is not null)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return next(context);
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
