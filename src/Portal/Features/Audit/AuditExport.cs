using Portal.Api.Infrastructure;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Audit;

/// <summary>The audit log as a CSV download: <c>/audit/export.csv</c> for the browser (the page's "Export CSV" link, under the
/// UI's sign-in) and <c>/api/v1/audit/export.csv</c> for API clients (bearer token); both take the filters of the page.</summary>
public static class AuditExport
{
    /// <summary>The browser's download route.</summary>
    public const string Path = "/audit/export.csv";

    /// <summary>Maps <see cref="Path"/> for viewers signed in to the UI, as the audit page is (a browser cannot send the API's
    /// bearer token); anonymous visitors are sent to sign in.</summary>
    public static IEndpointConventionBuilder MapAuditExport(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Path, (HttpRequest request, IAuditLog audit, TimeProvider time) => Download(request, audit, time))
            .WithName("DownloadAuditCsv")
            .RequireAuthorization(PortalPolicies.Viewer)
            .ExcludeFromDescription();

    /// <summary>400 with every problem of the filter, or the matching entries as a CSV attachment, newest first.</summary>
    public static IResult Download(HttpRequest request, IAuditLog audit, TimeProvider time)
    {
        var filter = AuditFilter.Parse(request.Query, paged: false);
        if (!filter.IsSuccess)
        {
            return ApiResults.Invalid(filter.Errors);
        }

        var query = filter.Value;
        return TypedResults.Stream(
            stream => AuditCsv.WriteAsync(stream, audit.ExportAsync(query, request.HttpContext.RequestAborted), request.HttpContext.RequestAborted),
            AuditCsv.ContentType,
            AuditCsv.FileName(time.GetUtcNow()));
    }
}
