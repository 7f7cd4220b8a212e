namespace Portal.Api.Infrastructure;

/// <summary>Answers an unexpected failure of an API endpoint with a 500 problem (and its trace id) instead of the UI's error
/// page, and logs it.</summary>
/// <remarks>Expected failures never get here: they are service results. What does is a bug or an infrastructure fault (the
/// database gone); an API client should still get JSON it can read, and the operator a log line to search by trace id.</remarks>
internal sealed class UnexpectedErrorFilter(ILogger<UnexpectedErrorFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // The point of the filter: every other failure becomes a problem response.
        catch (Exception e)
#pragma warning restore CA1031
        {
            var traceId = context.HttpContext.TraceIdentifier;
            ApiLog.UnexpectedError(logger, e, context.HttpContext.Request.Method, context.HttpContext.Request.Path, traceId);
            return TypedResults.Problem(
                $"The portal failed to handle the request; look at the stack before sending it again, and search the portal's log for trace id {traceId}.",
                statusCode: StatusCodes.Status500InternalServerError,
                title: "Unexpected error.",
                extensions: new Dictionary<string, object?> { ["traceId"] = traceId });
        }
    }
}
