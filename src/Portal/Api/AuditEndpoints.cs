using Portal.Api.Infrastructure;
using Portal.Features.Audit;
using Portal.Provisioning.Stacks;

namespace Portal.Api;

/// <summary><c>/api/v1/audit</c>: the audit log, filtered and paged, and as CSV.</summary>
/// <remarks>Read-only (Viewer once roles exist). Entries never hold a secret value or a kubeconfig.</remarks>
internal static class AuditEndpoints
{
    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit");

        audit.MapGet("/", async (HttpRequest request, IAuditLog log, CancellationToken ct) =>
            {
                var filter = AuditFilter.Parse(request.Query, paged: true);
                return filter.IsSuccess ? ApiResults.Ok(await log.QueryAsync(filter.Value, ct)) : ApiResults.Invalid(filter.Errors);
            })
            .WithName("ListAudit")
            .WithSummary("Audit entries newest first, filtered by stack, actor, action, result (accepted or refused) and time "
                + "(from inclusive, to exclusive; ISO 8601, UTC unless an offset is given), paged with page and pageSize (at most 500).")
            .Produces<AuditEntryPage>()
            .ProducesValidationProblem();

        audit.MapGet("/export.csv", (HttpRequest request, IAuditLog log, TimeProvider time) => AuditExport.Download(request, log, time))
            .WithName("ExportAuditCsv")
            .WithSummary("Every audit entry matching the same filters (no paging) as a CSV attachment (RFC 4180, UTF-8).")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesValidationProblem();

        return api;
    }
}
