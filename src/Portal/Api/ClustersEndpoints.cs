using System.Security.Claims;
using Portal.Api.Infrastructure;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Api;

/// <summary>The body of <c>POST /api/v1/clusters</c>. The kubeconfig is never shown again.</summary>
public sealed record ConnectClusterBody(string Name, string Kubeconfig, string? Context = null);

/// <summary><c>/api/v1/clusters</c>: the connected clusters, their reachability, and connecting a new one.</summary>
internal static class ClustersEndpoints
{
    public static RouteGroupBuilder MapClusters(this RouteGroupBuilder api)
    {
        var clusters = api.MapGroup("/clusters").WithTags("Clusters");

        clusters.MapGet("/", async (IClusterService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .WithName("ListClusters")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("Every connected cluster with its reachability and server version.");

        clusters.MapGet("/{name}", async (string name, IClusterService service, CancellationToken ct) => ApiResults.Ok(await service.GetAsync(name, ct)))
            .WithName("GetCluster")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("A connected cluster's reachability and server version.")
            .Produces<ClusterView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        clusters.MapPost("/", ConnectAsync)
            .WithName("ConnectCluster")
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Connects a cluster from a kubeconfig (and context); the kubeconfig is stored encrypted and never shown.")
            .WithJsonBody<ConnectClusterBody>()
            .Produces<ClusterView>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        return api;
    }

    private static async Task<IResult> ConnectAsync(HttpRequest request, ClaimsPrincipal user, IClusterService service, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (body is null)
        {
            return ApiResults.BadRequest(problem!);
        }

        using (body)
        {
            var name = body.String("name");
            var kubeconfig = body.String("kubeconfig");
            var context = body.String("context");
            body.RefuseUnknownFields();
            if (body.Errors.Count > 0)
            {
                return ApiResults.Invalid(body.Errors);
            }

            var result = await service.ConnectAsync(name, kubeconfig, context, user.Actor(), ct);
            return result.IsSuccess
                ? TypedResults.Created($"/api/v1/clusters/{Uri.EscapeDataString(result.Value.Name)}", result.Value)
                : ApiResults.Failure(result);
        }
    }
}
