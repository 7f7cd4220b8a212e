using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Portal.Api.Authentication;
using Portal.Api.Infrastructure;
using Portal.Security;

namespace Portal.Api;

/// <summary>The REST API <c>/api/v1</c> and its OpenAPI document at <c>/openapi/v1.json</c>.</summary>
public static class PortalApi
{
    /// <summary>The authorization policy of the whole API: a caller authenticated by a bearer token (never the UI's cookie, so
    /// that a page of another site cannot make a signed-in browser call the API). Each endpoint adds its role policy.</summary>
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
                    Description = "An API token (created by an admin under API tokens or with POST /api/v1/tokens), or Portal:BootstrapToken until the first API token exists.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
                return Task.CompletedTask;
            });
            options.AddDocumentTransformer((document, _, _) =>
            {
                OpenApiReasons.Describe(document);
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>Maps every API endpoint under <c>/api/v1</c> (token and role required) and the OpenAPI document (anonymous).</summary>
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

        var api = app.MapGroup("/api/v1").RequireAuthorization(PolicyName).AddEndpointFilter<UnexpectedErrorFilter>().AddEndpointFilter<UrlTextFilter>();
        // An endpoint that names no role gets Admin: forgetting the role must close an endpoint, not open it to every token.
        ((IEndpointConventionBuilder)api).Finally(endpoint =>
        {
            if (!endpoint.Metadata.OfType<IAuthorizeData>().Any(a => PortalPolicies.RoleOf(a.Policy) is not null))
            {
                endpoint.Metadata.Add(new AuthorizeAttribute(PortalPolicies.Admin));
                endpoint.Metadata.Add(RoleDefaultedToAdmin.Instance);
            }
        });
        api.MapBlueprints();
        api.MapClusters();
        api.MapStacks();
        api.MapCertificates();
        api.MapSecrets();
        api.MapTopology();
        api.MapOperations();
        api.MapAudit();
        api.MapTokens();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        return app;
    }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>Marks an API endpoint that declared no role and so requires Admin; a test lists them, as each should say its role.</summary>
public sealed class RoleDefaultedToAdmin
{
    public static readonly RoleDefaultedToAdmin Instance = new();

    private RoleDefaultedToAdmin()
    {
    }
}

/// <summary>Log messages of the REST API.</summary>
internal static partial class ApiLog
{
    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The REST API accepts the bootstrap token from Portal:BootstrapToken as an admin until the first API token is created; create API tokens (API tokens page or POST /api/v1/tokens), then remove it. Keep it secret")]
    public static partial void BootstrapTokenEnabled(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "No bootstrap token is configured (Portal:BootstrapToken): /api/v1 accepts only API tokens, which an admin creates on the API tokens page")]
    public static partial void NoToken(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "API call {Method} {Path} failed unexpectedly (trace id {TraceId})")]
    public static partial void UnexpectedError(ILogger logger, Exception exception, string method, string path, string traceId);
}
