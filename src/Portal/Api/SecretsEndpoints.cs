using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Portal.Api.Infrastructure;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Api;

/// <summary>The body of <c>POST /api/v1/stacks/{name}/secrets/{secret}/rotate</c>: why, and for an operator-supplied secret (the OAuth
/// client secret, DNS-provider credentials) the new value, which goes to the cluster and is never stored or echoed by the portal.</summary>
public sealed record RotateSecretBody(string Reason, string? Value = null)
{
    public override string ToString() => $"RotateSecretBody {{ Reason = {Reason}, Value = {(Value is null ? "none" : "redacted")} }}";
}

/// <summary>The body of <c>POST /api/v1/stacks/{name}/secrets/{secret}/rollback</c>; no revision means the newest kept one.</summary>
public sealed record RollbackSecretBody(string Reason, int? Revision = null);

/// <summary>The body of <c>POST /api/v1/stacks/{name}/secrets/{secret}/reveal</c>: optionally why (it goes into the audit log).</summary>
public sealed record RevealSecretBody(string? Reason = null);

/// <summary>The body of <c>PUT /api/v1/stacks/{name}/secrets/{secret}/policy</c>: never, daily, weekly, monthly, quarterly or yearly.</summary>
public sealed record SecretPolicyBody(string Policy);

/// <summary>The secrets of a stack: the inventory (fingerprints, never values) with the ledger, the blast radius of a rotation,
/// rotation, roll-back and the rotation policy.</summary>
/// <remarks>Enums read as kebab-case words (<c>monthly</c>). Secret ids are <c>&lt;component&gt;.&lt;secret&gt;</c>.</remarks>
internal static class SecretsEndpoints
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static RouteGroupBuilder MapSecrets(this RouteGroupBuilder api)
    {
        var secrets = api.MapGroup("/stacks/{name}/secrets").WithTags("Secrets");

        secrets.MapGet("", async (string name, [FromServices] ISecretService service, CancellationToken ct) =>
                Json(await service.ListAsync(name, ct)))
            .WithName("ListStackSecrets")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("Every secret the stack owns: owner, consumers, Kubernetes Secret, revision, fingerprint (a short hash, never the value), "
                + "created, last rotated and by whom, policy, next rotation, overdue, kept revisions, and the workloads still running an older revision.")
            .Produces<StackSecretInventory>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        secrets.MapPost("/{secret}/preview-rotation", async (string name, string secret, [FromServices] ISecretService service, CancellationToken ct) =>
                Json(await service.PreviewRotationAsync(name, secret, ct)))
            .WithName("PreviewSecretRotation")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("What rotating the secret would do, before it runs: the steps, the workloads that restart in order and why, what users notice.")
            .Produces<SecretRotationPreview>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        secrets.MapPost("/{secret}/rotate", RotateAsync)
            .WithName("RotateSecret")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Starts the rotation as an operation: a new revision, the consumers restarted in order with health checked between steps, "
                + "the previous revision put back on failure. A reason is required; a value only for an operator-supplied secret.")
            .WithJsonBody<RotateSecretBody>()
            .Produces<StackChange>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        secrets.MapPost("/{secret}/rollback", RollbackAsync)
            .WithName("RollBackSecret")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Puts a kept revision back (the newest kept one when no revision is given), as a new revision. A reason is required.")
            .WithJsonBody<RollbackSecretBody>()
            .Produces<StackChange>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        secrets.MapPut("/{secret}/policy", SetPolicyAsync)
            .WithName("SetSecretPolicy")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Sets how often the secret is rotated automatically, inside the stack's maintenance window: never, daily, weekly, "
                + "monthly, quarterly or yearly. Audited.")
            .WithJsonBody<SecretPolicyBody>()
            .Produces<SecretView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        secrets.MapPost("/{secret}/reveal", RevealAsync)
            .WithName("RevealSecret")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Reveals a newly generated webhook signing secret once, right after its rotation (until its grace period ends), so that it "
                + "can be given to the senders. Every other secret, a second reveal, or a rotation rolled back is refused. Audited without the value; "
                + "the answer is never cached (Cache-Control: no-store).")
            .WithJsonBody<RevealSecretBody>()
            .Produces<RevealedSecret>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return api;
    }

    private static Task<IResult> RevealAsync(
        string name, string secret, HttpRequest request, ClaimsPrincipal user, [FromServices] ISecretService service, CancellationToken ct)
    {
        // Whatever the answer, no cache along the way may keep it.
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        request.HttpContext.Response.Headers.Pragma = "no-cache";
        return JsonBody.HandleAsync(
            request, body => body.String("reason"),
            async reason => Json(await service.RevealAsync(name, secret, reason, user.Actor(), ct)), optional: true);
    }

    private static Task<IResult> RotateAsync(string name, string secret, HttpRequest request, ClaimsPrincipal user, [FromServices] ISecretService service, CancellationToken ct) =>
        JsonBody.HandleAsync(
            request, body => new SecretRotationRequest(body.String("reason"), body.String("value")),
            async rotation => Accepted(await service.RotateAsync(name, secret, rotation, user.Actor(), ct)), optional: true);

    private static Task<IResult> RollbackAsync(string name, string secret, HttpRequest request, ClaimsPrincipal user, [FromServices] ISecretService service, CancellationToken ct) =>
        JsonBody.HandleAsync(
            request, body => (Reason: body.String("reason"), Revision: body.Integer("revision")),
            async fields => Accepted(await service.RollbackAsync(name, secret, fields.Revision, fields.Reason, user.Actor(), ct)), optional: true);

    private static Task<IResult> SetPolicyAsync(string name, string secret, HttpRequest request, ClaimsPrincipal user, [FromServices] ISecretService service, CancellationToken ct) =>
        JsonBody.HandleAsync(
            request, body => body.String("policy"),
            async policy => Json(await service.SetPolicyAsync(name, secret, policy, user.Actor(), ct)));

    private static IResult Accepted(ServiceResult<StackChange> result) =>
        result.IsSuccess
            ? TypedResults.Json(result.Value, s_json, statusCode: StatusCodes.Status202Accepted)
            : ApiResults.Failure(result);

    private static IResult Json<T>(ServiceResult<T> result) =>
        result.IsSuccess ? TypedResults.Json(result.Value, s_json) : ApiResults.Failure(result);
}
