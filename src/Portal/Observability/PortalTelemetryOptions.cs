using Microsoft.Extensions.Options;

namespace Portal.Observability;

/// <summary>Where the portal's telemetry goes (configuration section <c>Portal:Telemetry</c>): the Prometheus scrape endpoint, and an
/// OpenTelemetry collector over OTLP when one is configured.</summary>
/// <remarks><c>Portal:Telemetry:GaugeRefreshInterval</c> (how often a scrape may make the portal read the stacks' certificates and
/// secrets from their clusters) is read by Provisioning's <c>TelemetryReadingsOptions</c>.</remarks>
public sealed class PortalTelemetryOptions
{
    public const string SectionName = "Portal:Telemetry";

    public PrometheusEndpointOptions Prometheus { get; set; } = new();

    public OtlpExportOptions Otlp { get; set; } = new();

    /// <summary>The <c>service.name</c> the portal reports under; the standard <c>OTEL_SERVICE_NAME</c> wins when set.</summary>
    public string ServiceName { get; set; } = "airbyte-portal";
}

/// <summary>The Prometheus scrape endpoint (<c>Portal:Telemetry:Prometheus</c>).</summary>
public sealed class PrometheusEndpointOptions
{
    /// <summary>Serve the metrics in the Prometheus text format.</summary>
    public bool Enabled { get; set; } = true;

    public string Path { get; set; } = "/metrics";

    /// <summary>Anyone who reaches the portal may scrape (the usual setup inside a cluster, where a NetworkPolicy or the Service
    /// decides who reaches it). False: a scrape needs an API token with the Viewer role (Prometheus's <c>authorization</c>).</summary>
    /// <remarks>The metrics carry stack, cluster, hostname and secret names and numbers, never a secret value.</remarks>
    public bool AllowAnonymous { get; set; } = true;
}

/// <summary>Export to an OpenTelemetry collector (<c>Portal:Telemetry:Otlp</c>): traces, metrics and logs.</summary>
public sealed class OtlpExportOptions
{
    /// <summary>The collector's base address, e.g. <c>http://otel-collector:4317</c>. Empty: export only when the standard
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (then every standard <c>OTEL_EXPORTER_OTLP_*</c> variable applies).</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> (port 4317) or <c>http/protobuf</c> (port 4318; the signal paths <c>/v1/traces</c>, <c>/v1/metrics</c>
    /// and <c>/v1/logs</c> are added to <see cref="Endpoint"/>).</summary>
    public string Protocol { get; set; } = GrpcProtocol;

    public const string GrpcProtocol = "grpc";
    public const string HttpProtobufProtocol = "http/protobuf";
}

/// <summary>Reports every problem of the telemetry section at start, at once.</summary>
internal sealed class PortalTelemetryOptionsValidator : IValidateOptions<PortalTelemetryOptions>
{
    private static readonly string[] ReservedPaths = ["/healthz", "/readyz", "/api", "/jobs", "/signin", "/openapi"];

    public ValidateOptionsResult Validate(string? name, PortalTelemetryOptions options)
    {
        var errors = new List<string>();
        var section = PortalTelemetryOptions.SectionName;
        var path = options.Prometheus.Path;
        if (string.IsNullOrWhiteSpace(path) || !path.StartsWith('/') || path.Length < 2 || path.Contains('?', StringComparison.Ordinal))
        {
            errors.Add($"{section}:Prometheus:Path must be a path such as /metrics, not '{path}'.");
        }
        else if (ReservedPaths.Any(r => path.Equals(r, StringComparison.OrdinalIgnoreCase) || path.StartsWith(r + "/", StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add($"{section}:Prometheus:Path '{path}' is taken by the portal; use another, such as /metrics.");
        }

        if (!string.IsNullOrWhiteSpace(options.Otlp.Endpoint)
            && (!Uri.TryCreate(options.Otlp.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https")))
        {
            errors.Add($"{section}:Otlp:Endpoint must be an http:// or https:// address such as http://otel-collector:4317, not '{options.Otlp.Endpoint}'.");
        }

        if (options.Otlp.Protocol is not (OtlpExportOptions.GrpcProtocol or OtlpExportOptions.HttpProtobufProtocol))
        {
            errors.Add($"{section}:Otlp:Protocol must be '{OtlpExportOptions.GrpcProtocol}' or '{OtlpExportOptions.HttpProtobufProtocol}', not '{options.Otlp.Protocol}'.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceName))
        {
            errors.Add($"{section}:ServiceName must not be empty.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
