using Microsoft.OpenApi;
using Portal.Api.Infrastructure;
using Portal.Features.Audit;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Api;

/// <summary><c>/api/v1/audit</c>: the audit log, filtered and paged, and as CSV.</summary>
/// <remarks>Read-only (Viewer). Entries never hold a secret value or a kubeconfig.</remarks>
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
            .WithAuditFilters(paged: true)
            .WithName("ListAudit")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("Audit entries newest first, filtered by stack, actor, action, result (accepted or refused) and time "
                + "(from inclusive, to exclusive; ISO 8601, UTC unless an offset is given), paged with page and pageSize (at most 500).")
            .Produces<AuditEntryPage>()
            .ProducesValidationProblem();

        audit.MapGet("/export.csv", (HttpRequest request, IAuditLog log, TimeProvider time) => AuditExport.Download(request, log, time))
            .WithAuditFilters(paged: false)
            .WithName("ExportAuditCsv")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("Every audit entry matching the same filters (no paging) as a CSV attachment (RFC 4180, UTF-8).")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesValidationProblem();

        return api;
    }

    /// <summary>Documents the filter query parameters, which the endpoint reads itself (so that every problem gets a sentence).</summary>
    private static RouteHandlerBuilder WithAuditFilters(this RouteHandlerBuilder builder, bool paged) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            (string Name, string Description, JsonSchemaType Type, string? Format)[] parameters =
            [
                ("stack", "Entries about this stack (exact name).", JsonSchemaType.String, null),
                ("actor", "Entries by this actor (exact name).", JsonSchemaType.String, null),
                ("action", $"Entries of this action: {string.Join(", ", Provisioning.Stacks.AuditActions.All)}.", JsonSchemaType.String, null),
                ("result", "accepted or refused.", JsonSchemaType.String, null),
                ("from", "Entries at or after this time (ISO 8601; UTC unless an offset is given).", JsonSchemaType.String, "date-time"),
                ("to", "Entries before this time (exclusive).", JsonSchemaType.String, "date-time"),
                .. paged
                    ? new[]
                    {
                        ("page", "1-based page number (default 1).", JsonSchemaType.Integer, (string?)null),
                        ("pageSize", $"Entries per page, 1 to {Provisioning.Stacks.AuditQuery.MaxPageSize} (default {Provisioning.Stacks.AuditQuery.DefaultPageSize}).", JsonSchemaType.Integer, null),
                    }
                    : [],
            ];
            operation.Parameters ??= [];
            foreach (var (name, description, type, format) in parameters)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name,
                    In = ParameterLocation.Query,
                    Description = description,
                    Schema = new OpenApiSchema { Type = type, Format = format },
                });
            }

            return Task.CompletedTask;
        });
}
