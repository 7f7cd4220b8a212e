using System.Security.Claims;
using Portal.Api.Infrastructure;
using Portal.Provisioning.Tokens;
using Portal.Security;

namespace Portal.Api;

/// <summary>The body of <c>POST /api/v1/tokens</c>.</summary>
/// <param name="Name">What uses the token, e.g. "ci deploy".</param>
/// <param name="Role">Viewer, Operator or Admin.</param>
/// <param name="ExpiresInDays">1 to 366; 90 when left out.</param>
public sealed record CreateTokenBody(string Name, string Role, int? ExpiresInDays = null);

/// <summary>An API token as admins see it; never its value.</summary>
public sealed record TokenView(
    string Id,
    string Name,
    string Role,
    string State,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? RevokedBy,
    DateTimeOffset? LastUsedAt)
{
    public static TokenView From(ApiTokenView token) => new(
        token.Id, token.Name, token.Role.ToString(), token.State.ToString(), token.CreatedAt, token.CreatedBy, token.ExpiresAt,
        token.RevokedAt, token.RevokedBy, token.LastUsedAt);
}

/// <summary>A token just created: <see cref="Value"/> is shown this once and never again.</summary>
public sealed record CreatedTokenView(TokenView Token, string Value);

/// <summary><c>/api/v1/tokens</c>: API tokens for automation, for admins.</summary>
internal static class TokensEndpoints
{
    public static RouteGroupBuilder MapTokens(this RouteGroupBuilder api)
    {
        var tokens = api.MapGroup("/tokens").WithTags("Tokens").RequireAuthorization(PortalPolicies.Admin);

        tokens.MapGet("/", async (IApiTokenService service, CancellationToken ct) =>
                TypedResults.Ok((await service.ListAsync(ct)).Select(TokenView.From).ToList()))
            .WithName("ListTokens")
            .WithSummary("Every API token with its role, expiry and state; never a token's value.");

        tokens.MapGet("/{id}", async (string id, IApiTokenService service, CancellationToken ct) =>
                ApiResults.Ok(Map(await service.GetAsync(id, ct))))
            .WithName("GetToken")
            .WithSummary("An API token's role, expiry and state.")
            .Produces<TokenView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        tokens.MapPost("/", CreateAsync)
            .WithName("CreateToken")
            .WithSummary("Creates an API token; the answer holds its value, which is shown this once and stored only as a digest.")
            .WithJsonBody<CreateTokenBody>()
            .Produces<CreatedTokenView>(StatusCodes.Status201Created)
            .ProducesValidationProblem();

        tokens.MapDelete("/{id}", async (string id, ClaimsPrincipal user, IApiTokenService service, CancellationToken ct) =>
                ApiResults.Ok(Map(await service.RevokeAsync(id, user.Actor(), ct))))
            .WithName("RevokeToken")
            .WithSummary("Revokes an API token at once; the record stays, for the audit log.")
            .Produces<TokenView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        return api;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, ClaimsPrincipal user, IApiTokenService service, CancellationToken ct)
    {
        var (body, problem) = await JsonBody.ReadAsync(request);
        if (body is null)
        {
            return ApiResults.BadRequest(problem!);
        }

        using (body)
        {
            var command = new CreateApiTokenCommand(body.String("name"), body.String("role"), body.Integer("expiresInDays"));
            body.RefuseUnknownFields();
            if (body.Errors.Count > 0)
            {
                return ApiResults.Invalid(body.Errors);
            }

            var result = await service.CreateAsync(command, user.Actor(), ct);
            if (!result.IsSuccess)
            {
                return ApiResults.Failure(result);
            }

            var created = new CreatedTokenView(TokenView.From(result.Value.Token), result.Value.Value);
            return TypedResults.Created($"/api/v1/tokens/{created.Token.Id}", created);
        }
    }

    private static Provisioning.Stacks.ServiceResult<TokenView> Map(Provisioning.Stacks.ServiceResult<ApiTokenView> result) =>
        result.IsSuccess
            ? Provisioning.Stacks.ServiceResult<TokenView>.Ok(TokenView.From(result.Value))
            : Provisioning.Stacks.ServiceResult<TokenView>.FailureFrom(result);
}
