using Microsoft.OpenApi;
using Portal.Api.Authentication;
using Portal.Api.Infrastructure;

namespace Portal.Api;

/// <summary>The REST API <c>/api/v1</c> and its OpenAPI document at <c>/openapi/v1.json</c>.</summary>
public static class PortalApi
{
    /// <summary>The authorization policy every API endpoint requires: an authenticated caller of a token scheme.</summary>
    public const string PolicyName = "PortalApi";

    public const string BootstrapTokenKey = "Portal:BootstrapToken";

    /// <summary>Registers the bearer token scheme, the API policy, problem details and the OpenAPI document.</summary>
    public static IHostApplicationBuilder AddPortalApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddAuthentication()
            .AddScheme<BearerTokenOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, _ => { });
        // Read when the scheme first runs, so configuration added late (tests, user secrets) is honoured.
        services.AddOptions<BearerTokenOptions>(BearerTokenHandler.SchemeName)
            .Configure<IConfiguration>((options, configuration) => options.BootstrapToken = NullIfBlank(configuration[BootstrapTokenKey]));
        services.AddAuthorizationBuilder()
            .AddPolicy(PolicyName, policy => policy.AddAuthenticationSchemes(BearerTokenHandler.SchemeName).RequireAuthenticatedUser());
        services.AddOpenApi("v1", options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Airbyte Portal API";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "Portal:BootstrapToken until API tokens and sign-in exist.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>Maps every API endpoint under <c>/api/v1</c> (token required) and the OpenAPI document (anonymous).</summary>
    public static WebApplication MapPortalApi(this WebApplication app)
    {
        if (NullIfBlank(app.Configuration[BootstrapTokenKey]) is null)
        {
            ApiLog.NoToken(app.Logger);
        }
        else
        {
            ApiLog.BootstrapTokenEnabled(app.Logger);
        }

        var api = app.MapGroup("/api/v1").RequireAuthorization(PolicyName).AddEndpointFilter<UnexpectedErrorFilter>();
        api.MapBlueprints();
        api.MapClusters();
        api.MapStacks();
        api.MapTopology();
        api.MapOperations();
        api.MapAudit();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        return app;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>Log messages of the REST API.</summary>
internal static partial class ApiLog
{
    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The REST API accepts the bootstrap token from Portal:BootstrapToken as an admin for every call; replace it with API tokens or sign-in once available, and keep it secret")]
    public static partial void BootstrapTokenEnabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "No API token is configured (Portal:BootstrapToken), so every /api/v1 call is refused with 401")]
    public static partial void NoToken(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "API call {Method} {Path} failed unexpectedly (trace id {TraceId})")]
    public static partial void UnexpectedError(ILogger logger, Exception exception, string method, string path, string traceId);
}
