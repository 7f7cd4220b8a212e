using System.Diagnostics;

namespace Portal.Provisioning.Telemetry;

/// <summary>Where the portal reports its own traces and metrics for OpenTelemetry: one <see cref="ActivitySource"/> and one
/// <see cref="System.Diagnostics.Metrics.Meter"/>, both named <see cref="Name"/>.</summary>
/// <remarks>Provisioning uses only the BCL's <see cref="Activity"/> and meters; the portal's composition root decides what listens
/// (OpenTelemetry with a Prometheus endpoint and, when configured, OTLP).</remarks>
public static class PortalTelemetry
{
    /// <summary>The name of the portal's ActivitySource and Meter.</summary>
    public const string Name = "Portal";

    internal static readonly ActivitySource Source = new(Name, typeof(PortalTelemetry).Assembly.GetName().Version?.ToString());
}

/// <summary>The attribute names of the portal's spans and metrics. Ids and names only: never a secret, a token or a body.</summary>
public static class PortalTelemetryTags
{
    public const string Stack = "portal.stack";
    public const string Cluster = "portal.cluster";
    public const string OperationId = "portal.operation.id";
    public const string OperationKind = "portal.operation.kind";
    public const string OperationResult = "portal.operation.result";
    public const string StepId = "portal.step.id";
    public const string StepKey = "portal.step.key";
    public const string StepKind = "portal.step.kind";
    public const string StepAttempt = "portal.step.attempt";
    public const string StepResult = "portal.step.result";
    public const string Hostname = "portal.hostname";
    public const string CertificateSource = "portal.certificate.source";
    public const string Secret = "portal.secret";
    public const string KubernetesResource = "portal.kubernetes.resource";
}
