using System.Security.Claims;
using Portal.Api.Infrastructure;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Api;

/// <summary>The body of <c>POST /api/v1/clusters</c>. The kubeconfig is never shown again.</summary>
public sealed record ConnectClusterBody(string Name, string Kubeconfig, string? Context = null);

/// <summary>The body of <c>POST /api/v1/clusters/test</c>: a kubeconfig (and context) to test without saving it.</summary>
public sealed record TestClusterBody(string Kubeconfig, string? Context = null);

/// <summary>The body of <c>PATCH /api/v1/clusters/{name}</c>: the cluster's new name.</summary>
public sealed record RenameClusterBody(string Name);

/// <summary><c>/api/v1/clusters</c>: the connected clusters, their reachability, testing and connecting a kubeconfig, renaming
/// and removing a cluster.</summary>
/// <remarks>Reads are for viewers; test, connect, rename and remove are cluster administration (Admin).</remarks>
internal static class ClustersEndpoints
{
    public static RouteGroupBuilder MapClusters(this RouteGroupBuilder api)
    {
        var clusters = api.MapGroup("/clusters").WithTags("Clusters");

        clusters.MapGet("/", async (IClusterService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .WithName("ListClusters")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("Every cluster with its reachability, server version, source (configuration or added) and the stacks on it.");

        clusters.MapGet("/{name}", async (string name, IClusterService service, CancellationToken ct) => ApiResults.Ok(await service.GetAsync(name, ct)))
            .WithName("GetCluster")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("A cluster's reachability, server version, source and the stacks on it.")
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

        clusters.MapPost("/test", TestAsync)
            .WithName("TestCluster")
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Validates a kubeconfig and tests it without saving anything: its contexts, the server version, and whether "
                + "the credentials may do what the portal needs (SelfSubjectAccessReview). An unreachable cluster is a 200 with reachable false.")
            .WithJsonBody<TestClusterBody>()
            .Produces<ClusterTestResult>()
            .ProducesValidationProblem();

        clusters.MapPatch("/{name}", RenameAsync)
            .WithName("RenameCluster")
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Renames a cluster added through the UI or API; refused for clusters from configuration and while stacks live on it.")
            .WithJsonBody<RenameClusterBody>()
            .Produces<ClusterView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        clusters.MapDelete("/{name}", async (string name, ClaimsPrincipal user, IClusterService service, CancellationToken ct) =>
            {
                var result = await service.RemoveAsync(name, user.Actor(), ct);
                return result.IsSuccess ? TypedResults.NoContent() : ApiResults.Failure(result);
            })
            .WithName("RemoveCluster")
            .RequireAuthorization(PortalPolicies.Admin)
            .WithSummary("Disconnects a cluster added through the UI or API and forgets its kubeconfig (nothing in the cluster changes); "
                + "refused for clusters from configuration and while stacks live on it, naming them.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
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

    private static async Task<IResult> TestAsync(HttpRequest request, IClusterService service, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (body is null)
        {
            return ApiResults.BadRequest(problem!);
        }

        using (body)
        {
            var kubeconfig = body.String("kubeconfig");
            var context = body.String("context");
            body.RefuseUnknownFields();
            if (body.Errors.Count > 0)
            {
                return ApiResults.Invalid(body.Errors);
            }

            return ApiResults.Ok(await service.TestAsync(kubeconfig, context, ct));
        }
    }

    private static async Task<IResult> RenameAsync(string name, HttpRequest request, ClaimsPrincipal user, IClusterService service, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (body is null)
        {
            return ApiResults.BadRequest(problem!);
        }

        using (body)
        {
            var newName = body.String("name");
            body.RefuseUnknownFields();
            if (body.Errors.Count > 0)
            {
                return ApiResults.Invalid(body.Errors);
            }

            return ApiResults.Ok(await service.RenameAsync(name, newName, user.Actor(), ct));
        }
    }
}
