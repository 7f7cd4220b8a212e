using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Portal.Api.Infrastructure;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Api;

/// <summary>The body of <c>POST /api/v1/stacks/{name}/certificates/{host}/rotate</c>.</summary>
public sealed record RotateCertificateBody(string Reason);

/// <summary>The body of <c>POST /api/v1/stacks/{name}/certificates/{host}/rollback</c>; no revision means the newest kept one.</summary>
public sealed record RollbackCertificateBody(string Reason, int? Revision = null);

/// <summary>The body of <c>PUT /api/v1/stacks/{name}/certificates/{host}</c>: PEM certificate (leaf first, chain may follow),
/// PEM private key, optional PEM chain, and why. The key is installed in the cluster and never stored or echoed by the portal.</summary>
public sealed record UploadCertificateBody(string Certificate, string Key, string Reason, string? Chain = null);

/// <summary>The certificates of stacks: the inventory, rotation, roll-back and manual upload.</summary>
/// <remarks>Enums read as kebab-case words (<c>internal-ca</c>, <c>not-reachable</c>, <c>warning</c>).</remarks>
internal static class CertificatesEndpoints
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static RouteGroupBuilder MapCertificates(this RouteGroupBuilder api)
    {
        api.MapGet("/certificates", async ([FromServices] ICertificateService service, CancellationToken ct) =>
                TypedResults.Json(await service.ExpiriesAsync(ct), s_json))
            .WithTags("Certificates")
            .WithName("ListCertificateExpiries")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("The live certificate of every hostname of every stack, with its band and next renewal (the expiry timeline).")
            .Produces<IReadOnlyList<StackCertificateExpiries>>();

        var certificates = api.MapGroup("/stacks/{name}/certificates").WithTags("Certificates");

        certificates.MapGet("", async (string name, [FromServices] ICertificateService service, CancellationToken ct) =>
                Json(await service.ListAsync(name, ct)))
            .WithName("ListStackCertificates")
            .RequireAuthorization(PortalPolicies.Viewer)
            .WithSummary("One lane per hostname: source, subject, SANs, issuer, serial, key, validity, band, next renewal, last attempt, "
                + "the Ingresses and Secret using it, the live and kept revisions, and what the ingress address really serves.")
            .Produces<StackCertificates>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        certificates.MapPost("/{host}/rotate", RotateAsync)
            .WithName("RotateCertificate")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Issues a new key and certificate for the hostname as a new revision of its TLS Secret (the previous kept), then "
                + "checks the ingress serves it. A reason is required.")
            .WithJsonBody<RotateCertificateBody>()
            .Produces<StackChange>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        certificates.MapPost("/{host}/rollback", RollbackAsync)
            .WithName("RollBackCertificate")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Serves a kept revision again (the newest kept one when no revision is given), as a new revision. A reason is required.")
            .WithJsonBody<RollbackCertificateBody>()
            .Produces<StackChange>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        certificates.MapPut("/{host}", UploadAsync)
            .WithName("UploadCertificate")
            .RequireAuthorization(PortalPolicies.Operator)
            .WithSummary("Installs an operator's certificate and key for the hostname after checking them (parses, key matches, chain order, "
                + "validity, hostname, key strength); every problem at once, and nothing changes when there is one.")
            .WithJsonBody<UploadCertificateBody>()
            .Produces<StackChange>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return api;
    }

    private static Task<IResult> RotateAsync(string name, string host, HttpRequest request, ClaimsPrincipal user, [FromServices] ICertificateService service, CancellationToken ct) =>
        JsonBody.HandleAsync(
            request, body => body.String("reason"),
            async reason => Accepted(await service.RotateAsync(name, host, reason, user.Actor(), ct)), optional: true);

    private static Task<IResult> RollbackAsync(string name, string host, HttpRequest request, ClaimsPrincipal user, [FromServices] ICertificateService service, CancellationToken ct) =>
        JsonBody.HandleAsync(
            request, body => (Reason: body.String("reason"), Revision: body.Integer("revision")),
            async fields => Accepted(await service.RollbackAsync(name, host, fields.Revision, fields.Reason, user.Actor(), ct)), optional: true);

    private static Task<IResult> UploadAsync(string name, string host, HttpRequest request, ClaimsPrincipal user, [FromServices] ICertificateService service, CancellationToken ct) =>
        JsonBody.HandleAsync(
            request, body => new ManualCertificateUpload(body.String("certificate"), body.String("key"), body.String("chain"), body.String("reason")),
            async upload => Accepted(await service.UploadAsync(name, host, upload, user.Actor(), ct)));

    private static IResult Accepted(ServiceResult<StackChange> result) =>
        result.IsSuccess
            ? TypedResults.Json(result.Value, s_json, statusCode: StatusCodes.Status202Accepted)
            : ApiResults.Failure(result);

    private static IResult Json<T>(ServiceResult<T> result) =>
        result.IsSuccess ? TypedResults.Json(result.Value, s_json) : ApiResults.Failure(result);
}
