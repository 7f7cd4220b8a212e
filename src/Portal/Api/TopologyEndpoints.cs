using Portal.Api.Infrastructure;
using Portal.Provisioning.Live;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Api;

/// <summary><c>GET /api/v1/stacks/{name}/topology</c>: the live topology of a stack, the model the topology page draws.</summary>
internal static class TopologyEndpoints
{
    public static RouteGroupBuilder MapTopology(this RouteGroupBuilder api)
    {
        api.MapGroup("/stacks").WithTags("Stacks")
            .MapGet("/{name}/topology", GetAsync)
            .WithName("GetStackTopology")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("The live status of every component (node) and relation (edge) of a stack, from the cluster's watch cache.")
            .WithDescription("Status words are the Domain's in lower case: components active, maintenance, waiting, unknown, blocked or error; "
                + "relations healthy, pending, broken or unknown; health is the worst health of the component's Kubernetes objects. "
                + "While the cluster cannot be read, reachable is false and every status is unknown with the reason.")
            .Produces<TopologyView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    private static async Task<IResult> GetAsync(string name, ILiveStacks live, IStackService stacks, HttpResponse response, CancellationToken ct)
    {
        if (live.Find(name) is { } stack)
        {
            return TypedResults.Ok(TopologyView.From(stack));
        }

        var known = await stacks.GetAsync(name, ct);
        if (!known.IsSuccess)
        {
            return ApiResults.Failure(known);
        }

        // The stack was created a moment ago: the live state picks it up within a second or two.
        response.Headers.RetryAfter = "1";
        return TypedResults.Problem(
            $"The live state of stack {name} is being read; try again in a second.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Not ready yet.");
    }
}
