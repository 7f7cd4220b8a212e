using Microsoft.OpenApi;
using Portal.Domain.Values;

namespace Portal.Api.Infrastructure;

/// <summary>Gives every <c>reason</c> the API takes, in a request body or the query, the longest length the services accept
/// (<see cref="ReasonText.MaxLength"/>), so that the document says what a longer one is refused for.</summary>
internal static class OpenApiReasons
{
    public static void Describe(OpenApiDocument document)
    {
        foreach (var schema in document.Components?.Schemas?.Values ?? [])
        {
            if (schema.Properties?.TryGetValue(ReasonText.Field, out var reason) == true)
            {
                Limit(reason);
            }
        }

        foreach (var operation in (document.Paths?.Values ?? Enumerable.Empty<IOpenApiPathItem>()).SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()))
        {
            foreach (var parameter in operation.Parameters ?? [])
            {
                if (parameter.Name == ReasonText.Field)
                {
                    Limit(parameter.Schema);
                }
            }
        }
    }

    private static void Limit(IOpenApiSchema? schema)
    {
        if (schema is OpenApiSchema text)
        {
            text.MaxLength = ReasonText.MaxLength;
        }
    }
}
