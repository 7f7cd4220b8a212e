using Microsoft.OpenApi;

namespace Portal.Api.Infrastructure;

/// <summary>Documents a JSON request body that the endpoint reads itself.</summary>
/// <remarks><c>Accepts&lt;T&gt;()</c> would also make routing answer a wrong content type with a bare 415 before the endpoint
/// runs; the API answers it with a 400 problem that says what to send, so the body is described in OpenAPI only.</remarks>
internal static class OpenApiBodies
{
    public static RouteHandlerBuilder WithJsonBody<T>(this RouteHandlerBuilder builder, bool required = true) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            var name = typeof(T).Name;
            context.Document?.AddComponent(name, schema);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = required,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = new OpenApiSchemaReference(name, context.Document) },
                },
            };
        });
}
