using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Portal.Api;
using Portal.Provisioning.Telemetry;
using Portal.Security;

namespace Portal.Observability;

/// <summary>Health probes, OpenTelemetry and the Prometheus scrape endpoint.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>/healthz</c> (liveness): the process answers; it checks nothing else, so a database or cluster outage never gets the
/// portal restarted. <c>/readyz</c> (readiness): the portal database, the job server's heartbeat and the watch of every connected
/// cluster; 503 naming what is not ready when the database or the job server is not, 200 "Degraded" naming the cluster when a
/// cluster's watch is down. Both anonymous, JSON.</item>
/// <item>Traces: the portal's own spans (an operation, its steps, their Kubernetes calls; see Provisioning's
/// <c>OperationTracing</c>) and incoming HTTP requests (probes, scrapes and the Blazor circuit excepted).</item>
/// <item>Metrics: the Meter <c>Portal</c>, ASP.NET Core's and the runtime's, at <c>/metrics</c> (Prometheus text) unless
/// <c>Portal:Telemetry:Prometheus:Enabled</c> is false.</item>
/// <item>OTLP export of traces, metrics and logs (with their scopes) only when <c>Portal:Telemetry:Otlp:Endpoint</c> or the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</item>
/// </list>
/// </remarks>
public static class PortalObservability
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";

    // Requests that would drown the traces: probes and scrapes every few seconds, and the circuit's WebSocket, which lasts as
    // long as the tab is open (operations started from it begin traces of their own).
    private static readonly string[] UntracedPrefixes = [LivenessPath, ReadinessPath, "/_blazor", "/_framework", "/_content"];

    public static IHostApplicationBuilder AddPortalObservability(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(PortalTelemetryOptions.SectionName);
        services.AddOptions<PortalTelemetryOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PortalTelemetryOptions>, PortalTelemetryOptionsValidator>();
        var options = section.Get<PortalTelemetryOptions>() ?? new PortalTelemetryOptions();

        services.AddHealthChecks().AddPortalChecks();

        var scrapePath = options.Prometheus.Path;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                serviceName: NullIfBlank(builder.Configuration["OTEL_SERVICE_NAME"]) ?? options.ServiceName,
                serviceVersion: typeof(PortalObservability).Assembly.GetName().Version?.ToString(),
                serviceInstanceId: Environment.MachineName))
            .WithTracing(tracing => tracing
                .AddSource(PortalTelemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => IsTraced(context.Request.Path, scrapePath)))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PortalTelemetry.Name).AddAspNetCoreInstrumentation().AddMeter("System.Runtime");
                if (options.Prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter(o => o.ScrapeEndpointPath = scrapePath);
                }
            });

        if (NullIfBlank(options.Otlp.Endpoint) is { } endpoint)
        {
            var protocol = options.Otlp.Protocol == OtlpExportOptions.HttpProtobufProtocol ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            telemetry.UseOtlpExporter(protocol, new Uri(endpoint));
        }
        else if (NullIfBlank(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]) is not null)
        {
            telemetry.UseOtlpExporter();
        }

        // Logs exported over OTLP carry the same scopes as the console (the operation and step of a step's lines).
        services.Configure<OpenTelemetryLoggerOptions>(o =>
        {
            o.IncludeScopes = true;
            o.IncludeFormattedMessage = true;
        });
        return builder;
    }

    /// <summary>Maps <c>/healthz</c>, <c>/readyz</c> and, when enabled, the Prometheus scrape endpoint.</summary>
    public static WebApplication MapPortalObservability(this WebApplication app)
    {
        app.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(PortalHealthChecks.Live),
            ResponseWriter = HealthResponse.WriteAsync,
        }).AllowAnonymous().DisableHttpMetrics();
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(PortalHealthChecks.Ready),
            ResponseWriter = HealthResponse.WriteAsync,
        }).AllowAnonymous().DisableHttpMetrics();

        var options = app.Services.GetRequiredService<IOptions<PortalTelemetryOptions>>().Value;
        if (options.Prometheus.Enabled)
        {
            var scrape = app.MapPrometheusScrapingEndpoint(options.Prometheus.Path).DisableHttpMetrics();
            if (options.Prometheus.AllowAnonymous)
            {
                scrape.AllowAnonymous();
            }
            else
            {
                // A scraper has no cookie: it sends an API token, as the API's callers do.
                scrape.RequireAuthorization(PortalApi.PolicyName, PortalPolicies.Viewer);
            }
        }

        return app;
    }

    private static bool IsTraced(PathString path, string scrapePath) =>
        !path.StartsWithSegments(scrapePath, StringComparison.OrdinalIgnoreCase)
        && !UntracedPrefixes.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
