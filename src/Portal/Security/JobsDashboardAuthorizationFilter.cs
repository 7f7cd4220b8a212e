using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authorization;

namespace Portal.Security;

/// <summary>Lets only admins into the Hangfire dashboard at <c>/jobs</c>, through the portal's own sign-in and Admin policy.</summary>
/// <remarks>The endpoint also requires the Admin policy; this filter is what Hangfire itself asks, so the dashboard stays
/// closed even if it were mapped without the endpoint policy.</remarks>
internal sealed class JobsDashboardAuthorizationFilter : IDashboardAsyncAuthorizationFilter
{
    public async Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(http.User, PortalPolicies.Admin)).Succeeded;
    }
}
