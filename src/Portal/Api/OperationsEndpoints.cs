using System.Security.Claims;
using Portal.Api.Infrastructure;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Api;

/// <summary><c>/api/v1/operations</c>: follow an operation step by step, retry it or cancel it.</summary>
internal static class OperationsEndpoints
{
    public static RouteGroupBuilder MapOperations(this RouteGroupBuilder api)
    {
        var operations = api.MapGroup("/operations").WithTags("Operations");

        operations.MapGet("/{id}", async (string id, IStackService service, CancellationToken ct) =>
                Guid.TryParse(id, out var guid) ? ApiResults.Ok(await service.GetOperationAsync(guid, ct)) : NoSuchOperation(id))
            .WithName("GetOperation")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("An operation's state, error, what it keeps, and every step with its attempts and timings.")
            .Produces<OperationView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        operations.MapPost("/{id}/retry", async (string id, ClaimsPrincipal user, IStackService service, CancellationToken ct) =>
                Guid.TryParse(id, out var guid) ? Accepted(await service.RetryAsync(guid, user.Actor(), ct)) : NoSuchOperation(id))
            .WithName("RetryOperation")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Resumes a failed or cancelled operation from its failed steps.")
            .Produces<OperationView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        operations.MapPost("/{id}/cancel", async (string id, ClaimsPrincipal user, IStackService service, CancellationToken ct) =>
                Guid.TryParse(id, out var guid) ? Accepted(await service.CancelAsync(guid, user.Actor(), ct)) : NoSuchOperation(id))
            .WithName("CancelOperation")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Stops an operation: nothing new starts, running steps finish.")
            .Produces<OperationView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return api;
    }

    private static IResult Accepted(ServiceResult<OperationView> result) =>
        result.IsSuccess ? TypedResults.Accepted($"/api/v1/operations/{result.Value.Id}", result.Value) : ApiResults.Failure(result);

    private static IResult NoSuchOperation(string id) => ApiResults.NotFound($"There is no operation '{id}' (operation ids are GUIDs).");
}
