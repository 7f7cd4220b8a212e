using System.Security.Claims;
using Portal.Domain.Common;
using Portal.Provisioning.Stacks;

namespace Portal.Api.Infrastructure;

/// <summary>Turns service results into HTTP answers: RFC 7807 problem details for every failure.</summary>
/// <remarks>A detail may quote what the caller sent (a name of 100,000 characters, a control character): it is made readable the
/// way validation messages are (<see cref="ValidationError.Readable"/>).</remarks>
internal static class ApiResults
{
    /// <summary>400 with every problem under its path (<c>errors: {path: [messages]}</c>).</summary>
    public static IResult Invalid(IReadOnlyList<ValidationError> errors, string? detail = null) =>
        TypedResults.ValidationProblem(
            errors.GroupBy(e => e.Path.Length == 0 ? "$" : e.Path, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal),
            detail ?? (errors.Count == 1 ? errors[0].ToString() : $"The request has {errors.Count} problems; each is listed under its path."),
            title: "The request is not valid.");

    /// <summary>400 with one sentence (a body that is not JSON at all).</summary>
    public static IResult BadRequest(string detail) =>
        TypedResults.Problem(ValidationError.Readable(detail), statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.");

    public static IResult NotFound(string detail) =>
        TypedResults.Problem(ValidationError.Readable(detail), statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    public static IResult Conflict(string detail) =>
        TypedResults.Problem(ValidationError.Readable(detail), statusCode: StatusCodes.Status409Conflict, title: "Conflict.");

    /// <summary>The failure of a service result as problem details.</summary>
    public static IResult Failure<T>(ServiceResult<T> result) => result.Status switch
    {
        ServiceStatus.Invalid => Invalid(result.Errors),
        ServiceStatus.NotFound => NotFound(result.Message),
        ServiceStatus.Conflict => Conflict(result.Message),
        ServiceStatus.Unavailable => TypedResults.Problem(ValidationError.Readable(result.Message), statusCode: StatusCodes.Status503ServiceUnavailable, title: "A cluster is not reachable."),
        _ => throw new InvalidOperationException("A successful result is not a failure."),
    };

    /// <summary>200 with the value, or the failure.</summary>
    public static IResult Ok<T>(ServiceResult<T> result) => result.IsSuccess ? TypedResults.Ok(result.Value) : Failure(result);

    /// <summary>Who is calling, as authentication named them; recorded in the audit log.</summary>
    public static string Actor(this ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}
