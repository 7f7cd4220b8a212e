using System.Security.Claims;
using Portal.Api.Infrastructure;
using Portal.Domain.Stacks;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Api;

/// <summary>The body of <c>POST /api/v1/stacks</c> (documented in OpenAPI; the endpoint reads the JSON itself).</summary>
/// <param name="Config">Component → option → value; values may be text, numbers or booleans.</param>
/// <param name="Relations">The relations; left out means the blueprint's.</param>
public sealed record CreateStackBody(
    string Name,
    string Blueprint,
    string Cluster,
    string? Namespace = null,
    Dictionary<string, Dictionary<string, object?>>? Config = null,
    List<RelationBody>? Relations = null,
    string? Reason = null);

/// <summary>The answer of <c>POST /api/v1/stacks/validate</c> for a valid draft: what deploying it would do, in one sentence.</summary>
public sealed record DraftValidation(string Summary);

/// <summary>A relation in a request: <c>component:endpoint</c> on each side.</summary>
public sealed record RelationBody(string Requirer, string Provider);

/// <summary>The body of <c>PATCH /api/v1/stacks/{name}</c> and <c>POST /api/v1/stacks/{name}/preview-update</c>: options to
/// merge (null removes an explicit value) and, optionally, the whole new relation list (to add or remove an optional relation).
/// At least one of <c>config</c> and <c>relations</c> is needed.</summary>
public sealed record UpdateStackBody(
    Dictionary<string, Dictionary<string, object?>>? Config = null,
    string? Reason = null,
    List<RelationBody>? Relations = null);

/// <summary>The optional body of <c>DELETE /api/v1/stacks/{name}</c>.</summary>
public sealed record TeardownBody(string? Reason = null);

/// <summary><c>/api/v1/stacks</c>: create, read, reconfigure, tear down, and render a stack.</summary>
internal static class StacksEndpoints
{
    public static RouteGroupBuilder MapStacks(this RouteGroupBuilder api)
    {
        var stacks = api.MapGroup("/stacks").WithTags("Stacks");

        stacks.MapGet("/", async (IStackService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .WithName("ListStacks")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("Every stack with its active and last operation.");

        stacks.MapGet("/{name}", async (string name, IStackService service, CancellationToken ct) =>
                ApiResults.Ok(await service.GetAsync(name, ct)))
            .WithName("GetStack")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("A stack with its spec (secret options read \"(secret)\") and operations.")
            .Produces<StackView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        stacks.MapPost("/", CreateAsync)
            .WithName("CreateStack")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Validates a stack and starts its deployment.")
            .WithJsonBody<CreateStackBody>()
            .Produces<StackChange>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        stacks.MapPost("/validate", (HttpRequest request, IStackDrafts drafts, CancellationToken ct) =>
                DraftAsync(request, command => drafts.ValidateAsync(command, ct), summary => new DraftValidation(summary)))
            .WithName("ValidateStack")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Checks a new stack (same body as POST /stacks) without saving anything: every problem at once, or the plan in one sentence.")
            .WithJsonBody<CreateStackBody>()
            .Produces<DraftValidation>()
            .ProducesValidationProblem();

        stacks.MapPost("/preview", (HttpRequest request, IStackDrafts drafts, CancellationToken ct) =>
                DraftAsync(request, command => drafts.PreviewAsync(command, ct)))
            .WithName("PreviewStack")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("The deploy plan's steps in order and every object a new stack would create, as YAML with Secret values redacted.")
            .WithJsonBody<CreateStackBody>()
            .Produces<StackPreview>()
            .ProducesValidationProblem();

        stacks.MapPost("/preflight", (HttpRequest request, IStackDrafts drafts, CancellationToken ct) =>
                DraftAsync(request, command => drafts.PreflightAsync(command, ct)))
            .WithName("PreflightStack")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Checks a new stack against its target cluster (dry run, ingress and storage classes, quota, database admin, "
                + "ACME directory, hostnames, namespace); nothing is created.")
            .WithJsonBody<CreateStackBody>()
            .Produces<PreflightReport>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        stacks.MapPatch("/{name}", UpdateAsync)
            .WithName("ReconfigureStack")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Merges config changes into the stack and reconfigures what changed.")
            .WithJsonBody<UpdateStackBody>()
            .Produces<StackChange>(StatusCodes.Status202Accepted)
            .Produces<StackChange>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        stacks.MapPost("/{name}/preview-update", PreviewUpdateAsync)
            .WithName("PreviewStackReconfigure")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("What the same PATCH would change and run (secrets masked); saves nothing.")
            .WithJsonBody<UpdateStackBody>()
            .Produces<UpdatePreview>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        stacks.MapDelete("/{name}", DeleteAsync)
            .WithName("TearDownStack")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Tears the stack down; volumes, databases and the namespace are kept unless asked. A reason is required.")
            .WithJsonBody<TeardownBody>(required: false)
            .Produces<StackChange>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        stacks.MapGet("/{name}/manifests", async (string name, IStackService service, CancellationToken ct) =>
            {
                var result = await service.ExportAsync(name, StackExportFormat.Kubernetes, ct);
                return result.IsSuccess ? TypedResults.Text(result.Value, "application/yaml") : ApiResults.Failure(result);
            })
            .WithName("GetStackManifests")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("The Kubernetes objects of the stack as multi-document YAML; no secret values.")
            .Produces<string>(StatusCodes.Status200OK, "application/yaml")
            .ProducesProblem(StatusCodes.Status404NotFound);

        stacks.MapGet("/{name}/export/{format}", (string name, string format, IStackService service, CancellationToken ct) => StackExports.DownloadAsync(name, format, service, ct))
            .WithName("ExportStack")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("Downloads the stack as Kubernetes YAML (`kubernetes`: the rendered objects, secrets redacted) or as a Juju bundle (`juju-bundle`: charms, channels, options and relations of the charmed path, no secret options).")
            .Produces<string>(StatusCodes.Status200OK, "application/yaml")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, ClaimsPrincipal user, IStackService service, CancellationToken ct)
    {
        var (command, refusal) = await ReadCreateCommandAsync(request);
        if (command is null)
        {
            return refusal!;
        }

        var result = await service.CreateAsync(command, user.Actor(), ct);
        return result.IsSuccess
            ? TypedResults.Accepted($"/api/v1/stacks/{Uri.EscapeDataString(result.Value.Stack.Name)}", result.Value)
            : ApiResults.Failure(result);
    }

    /// <summary>The draft endpoints: the body of <c>POST /api/v1/stacks</c> handed to one <see cref="IStackDrafts"/> call.</summary>
    private static async Task<IResult> DraftAsync<T>(
        HttpRequest request, Func<CreateStackCommand, Task<ServiceResult<T>>> call, Func<T, object>? shape = null)
    {
        var (command, refusal) = await ReadCreateCommandAsync(request);
        if (command is null)
        {
            return refusal!;
        }

        var result = await call(command);
        return result.IsSuccess ? TypedResults.Ok(shape is null ? result.Value : shape(result.Value)) : ApiResults.Failure(result);
    }

    /// <summary>Reads the body of <c>POST /api/v1/stacks</c>; a body that is not one gives the 400 to answer with instead.</summary>
    private static async Task<(CreateStackCommand? Command, IResult? Refusal)> ReadCreateCommandAsync(HttpRequest request)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (body is null)
        {
            return (null, ApiResults.BadRequest(problem!));
        }

        using (body)
        {
            var command = new CreateStackCommand(
                body.String("name"),
                body.String("blueprint"),
                body.String("cluster"),
                body.String("namespace"),
                body.Config("config"),
                body.List("relations", (item, path, errors) => new RelationRequest(
                    JsonBody.StringMember(item, "requirer", path, errors),
                    JsonBody.StringMember(item, "provider", path, errors))),
                body.String("reason"));
            body.RefuseUnknownFields();
            return body.Errors.Count > 0 ? (null, ApiResults.Invalid(body.Errors)) : (command, null);
        }
    }

    private static async Task<IResult> UpdateAsync(string name, HttpRequest request, ClaimsPrincipal user, IStackService service, CancellationToken ct)
    {
        var (command, refusal) = await ReadUpdateAsync(request);
        if (command is null)
        {
            return refusal!;
        }

        var result = await service.UpdateAsync(name, command, user.Actor(), ct);
        if (!result.IsSuccess)
        {
            return ApiResults.Failure(result);
        }

        return result.Value.OperationId is null
            ? TypedResults.Ok(result.Value)
            : TypedResults.Accepted($"/api/v1/operations/{result.Value.OperationId}", result.Value);
    }

    private static async Task<IResult> PreviewUpdateAsync(string name, HttpRequest request, IStackService service, CancellationToken ct)
    {
        var (command, refusal) = await ReadUpdateAsync(request);
        if (command is null)
        {
            return refusal!;
        }

        return ApiResults.Ok(await service.PreviewUpdateAsync(name, command, ct));
    }

    /// <summary>The body of a PATCH or its preview as a command, or a 400 listing every problem of the body.</summary>
    private static async Task<(UpdateStackCommand? Command, IResult? Refusal)> ReadUpdateAsync(HttpRequest request)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (body is null)
        {
            return (null, ApiResults.BadRequest(problem!));
        }

        using (body)
        {
            var config = body.Config("config");
            var relations = body.List("relations", (item, path, errors) => new RelationRequest(
                JsonBody.StringMember(item, "requirer", path, errors),
                JsonBody.StringMember(item, "provider", path, errors)));
            var reason = body.String("reason");
            body.RefuseUnknownFields();
            if (config is null && relations is null && body.Errors.Count == 0)
            {
                body.Errors.Add("config", "Give the options to change, the new relations, or both: {\"config\": {\"airbyte\": {\"log-level\": \"DEBUG\"}}}.");
            }

            if (body.Errors.Count > 0)
            {
                return (null, ApiResults.Invalid(body.Errors));
            }

            var options = config ?? new Dictionary<string, IReadOnlyDictionary<string, string?>>(StringComparer.Ordinal);
            return (new UpdateStackCommand(options, reason, relations), null);
        }
    }

    private static async Task<IResult> DeleteAsync(
        string name,
        HttpRequest request,
        ClaimsPrincipal user,
        IStackService service,
        CancellationToken ct,
        string? deleteVolumes = null,
        string? dropDatabases = null,
        string? deleteNamespace = null,
        string? reason = null)
    {
        var (body, problem) = await JsonBody.ReadAsync(request, optional: true);
        if (body is null)
        {
            return ApiResults.BadRequest(problem!);
        }

        using (body)
        {
            var bodyReason = body.String("reason");
            body.RefuseUnknownFields();
            var volumes = Flag(deleteVolumes, nameof(deleteVolumes), body.Errors);
            var databases = Flag(dropDatabases, nameof(dropDatabases), body.Errors);
            var @namespace = Flag(deleteNamespace, nameof(deleteNamespace), body.Errors);
            var command = new TeardownStackCommand(volumes, databases, @namespace, string.IsNullOrWhiteSpace(reason) ? bodyReason : reason);
            if (body.Errors.Count > 0)
            {
                // Every problem at once: a missing reason along with the flags that could not be read (the combination of
                // flags is judged once they all read).
                body.Errors.AddRange(command.Problems().Where(p => p.Path == "reason" && !body.Errors.Any(e => e.Path == p.Path)));
                return ApiResults.Invalid(body.Errors);
            }

            var result = await service.DeleteAsync(name, command, user.Actor(), ct);
            return result.IsSuccess
                ? TypedResults.Accepted($"/api/v1/operations/{result.Value.OperationId}", result.Value)
                : ApiResults.Failure(result);
        }
    }

    // Query flags are parsed here rather than bound, so that "?deleteVolumes=yes" gets a sentence instead of a bare 400.
    private static bool Flag(string? text, string name, Portal.Domain.Common.ErrorList errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        errors.Add(name, $"Expected true or false, got '{text}'.");
        return false;
    }
}
