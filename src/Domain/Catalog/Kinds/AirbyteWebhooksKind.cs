using Portal.Domain.Status;
using static Portal.Domain.Catalog.CommonOptions;

namespace Portal.Domain.Catalog.Kinds;

/// <summary>Airbyte webhooks: receives webhooks, verifies their signature and starts Temporal workflows.</summary>
/// <remarks>No public charm exists; the portal defines the contract (port 8080, <c>/healthz</c>, <c>/readyz</c>).</remarks>
public static class AirbyteWebhooksKind
{
    public const string Name = "airbyte-webhooks";
    public const int Port = 8080;

    /// <summary>The port its Service exposes.</summary>
    public const int ServicePort = 80;

    /// <summary>The option that says how long the previous signing secret stays valid after a rotation.</summary>
    public const string GracePeriodOption = "signing-secret-grace-period";

    /// <summary>The grace period when the option is not set.</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromHours(24);

    /// <summary>The shortest grace period: senders need some time to switch to the new secret.</summary>
    public static readonly TimeSpan MinGracePeriod = TimeSpan.FromMinutes(5);

    /// <summary>The longest grace period: an old secret that stays valid longer is no longer rotated away.</summary>
    public static readonly TimeSpan MaxGracePeriod = TimeSpan.FromDays(30);

    /// <summary>The grace period of a component with these option values (the default when unset or unreadable).</summary>
    public static TimeSpan GracePeriod(string? option) =>
        Values.Duration.TryCreate(option) is { IsSuccess: true } parsed && parsed.Value.Value >= MinGracePeriod && parsed.Value.Value <= MaxGracePeriod
            ? parsed.Value.Value
            : DefaultGracePeriod;

    public static ComponentKind Create() => new()
    {
        Name = Name,
        Summary = "Receives webhooks, verifies their HMAC signature and starts Temporal workflows.",
        Icon = "Webhook",
        Endpoints =
        [
            EndpointDefinition.Requires("temporal", Interfaces.TemporalHostInfo, "The Temporal frontend workflows are started on.", "temporal relation not ready"),
            EndpointDefinition.Requires("nginx-route", Interfaces.NginxRoute, "Public route for webhook senders.", "nginx-route relation not ready"),
        ],
        Options =
        [
            ExternalHostname("the webhook receiver"),
            new("image", OptionType.Image, "Container image of the webhook receiver (there is no public default).") { Required = true },
            new("temporal-namespace", OptionType.Name, "Temporal namespace workflows start in.") { Default = "default", Required = true },
            new("task-queue", OptionType.String, "Temporal task queue.") { Default = "airbyte-webhooks", Required = true },
            new("workflow-type", OptionType.String, "Workflow type each webhook starts.") { Default = "WebhookWorkflow", Required = true },
            new("path-prefix", OptionType.Path, "URL path webhooks are received under.") { Default = "/hooks", Required = true },
            new("signature-header", OptionType.HeaderName, "HTTP header carrying the HMAC-SHA256 signature.") { Default = "X-Hub-Signature-256", Required = true },
            new("max-body-size", OptionType.Integer, "Largest webhook body accepted, in MB.") { Default = "1", Minimum = 1, Maximum = 100 },
            new(GracePeriodOption, OptionType.Duration, "How long the previous signing secret stays valid after a rotation (5m to 30 days).")
            {
                Default = "24h",
                Minimum = (long)MinGracePeriod.TotalSeconds,
                Maximum = (long)MaxGracePeriod.TotalSeconds,
            },
            Replicas("webhook receiver"),
        ],
        Secrets =
        [
            new SecretDefinition("signing-secret", "HMAC key that webhook senders sign with.", SecretSource.Generated, RotationStrategy.DualValidity,
                "Senders must switch to the new secret before the grace period ends; both are accepted until then.", GeneratedLength: 64),
        ],
        Workloads =
        [
            new WorkloadDefinition("", WorkloadType.Deployment,
                [new ContainerDefinition("webhooks", "", "", [new PortDefinition("http", Port, 80)],
                    [Http(ProbeKind.Liveness, Port, "/healthz"), Http(ProbeKind.Readiness, Port, "/readyz")])],
                "The receiver; its image comes from the 'image' option."),
        ],
        StatusMessages =
        [
            new(ComponentStatus.Blocked, "image not set", "The 'image' option is empty."),
            new(ComponentStatus.Blocked, "temporal relation not ready", "The temporal relation is missing or Temporal is not serving."),
            new(ComponentStatus.Active, "", "The receiver is ready."),
        ],
    };
}
