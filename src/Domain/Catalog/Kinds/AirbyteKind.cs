using Portal.Domain.Status;
using static Portal.Domain.Catalog.CommonOptions;

namespace Portal.Domain.Catalog.Kinds;

/// <summary>Airbyte: server, workers, workload API and launcher, cron, connector builder, web app, bootloader.</summary>
public static class AirbyteKind
{
    public const string Name = "airbyte";
    public const string Version = "1.7.0";

    /// <summary>The port the web app's Service exposes.</summary>
    public const int WebappServicePort = 80;

    public static ComponentKind Create() => new()
    {
        Name = Name,
        Summary = "Airbyte data integration: server, workers, workload API and launcher, cron, connector builder and web app.",
        Icon = "Hub",
        Endpoints =
        [
            EndpointDefinition.Requires("db", Interfaces.PostgresqlClient, "Airbyte's configuration and jobs database.", "database relation not ready"),
            EndpointDefinition.Requires("object-storage", Interfaces.ObjectStorage, "Buckets for logs, state and workload output.", "minio relation not ready"),
            EndpointDefinition.Requires("temporal", Interfaces.TemporalHostInfo, "The Temporal frontend that schedules syncs.", "temporal relation not ready"),
            EndpointDefinition.OptionallyRequires("nginx-route", Interfaces.NginxRoute, "Public route to the web app (through the OAuth2 proxy when one is related)."),
            EndpointDefinition.Provides("upstream", Interfaces.HttpUpstream, "URL of the web app, for an authenticating proxy in front of it.", limit: 1),
        ],
        Options =
        [
            ExternalHostname("the Airbyte web app"),
            ImageTag(Version),
            new("log-level", OptionType.Enum, "Log level of every Airbyte service.") { Default = "INFO", AllowedValues = ["DEBUG", "INFO", "WARNING", "ERROR", "FATAL"] },
            new("storage-bucket-logs", OptionType.Name, "Bucket for job logs.") { Default = "airbyte-dev-logs", Required = true },
            new("storage-bucket-state", OptionType.Name, "Bucket for connection state.") { Default = "airbyte-state-storage", Required = true },
            new("storage-bucket-workload-output", OptionType.Name, "Bucket for workload output.") { Default = "airbyte-state-storage", Required = true },
            new("storage-bucket-activity-payload", OptionType.Name, "Bucket for Temporal activity payloads.") { Default = "airbyte-payload-storage", Required = true },
            new("logs-ttl", OptionType.Integer, "Days job logs are kept in the logs bucket.") { Default = "30", Minimum = 1, Maximum = 3650 },
            new("max-sync-workers", OptionType.Integer, "Concurrent sync jobs.") { Default = "5", Minimum = 1, Maximum = 100 },
            new("max-check-workers", OptionType.Integer, "Concurrent connection checks.") { Default = "5", Minimum = 1, Maximum = 100 },
            new("max-discover-workers", OptionType.Integer, "Concurrent schema discoveries.") { Default = "5", Minimum = 1, Maximum = 100 },
            new("max-spec-workers", OptionType.Integer, "Concurrent connector spec jobs.") { Default = "5", Minimum = 1, Maximum = 100 },
            new("job-main-container-cpu-request", OptionType.Quantity, "CPU request of job pods.") { Default = "250m" },
            new("job-main-container-cpu-limit", OptionType.Quantity, "CPU limit of job pods.") { Default = "2" },
            new("job-main-container-memory-request", OptionType.Quantity, "Memory request of job pods.") { Default = "512Mi" },
            new("job-main-container-memory-limit", OptionType.Quantity, "Memory limit of job pods.") { Default = "2Gi" },
            new("job-namespace", OptionType.Name, "Namespace job pods run in; empty means the stack's namespace.") { Default = "" },
            Replicas("Airbyte server and web app"),
        ],
        Secrets =
        [
            new SecretDefinition(
                "airbyte-auth-secrets",
                "Instance-admin password, client id and secret, JWT signature secret, dataplane client id and secret (written by the bootloader).",
                SecretSource.Workload,
                RotationStrategy.Replace,
                "Airbyte restarts; API clients using the instance-admin credentials must use the new ones."),
        ],
        Workloads =
        [
            new WorkloadDefinition("server", WorkloadType.Deployment,
                [Container("server", "airbyte/server", Version, [new PortDefinition("http", 8001)],
                    [Http(ProbeKind.Liveness, 8001, "/api/v1/health"), Http(ProbeKind.Readiness, 8001, "/api/v1/health")], "500m", "1Gi")],
                "Configuration and public API."),
            new WorkloadDefinition("worker", WorkloadType.Deployment,
                [Container("worker", "airbyte/worker", Version, [new PortDefinition("heartbeat", 9000)],
                    [Http(ProbeKind.Liveness, 9000, "/"), Http(ProbeKind.Readiness, 9000, "/")], "500m", "1Gi")],
                "Runs sync, check, discover and spec activities."),
            new WorkloadDefinition("workload-api-server", WorkloadType.Deployment,
                [Container("workload-api-server", "airbyte/workload-api-server", Version, [new PortDefinition("http", 8007)],
                    [Http(ProbeKind.Liveness, 8007, "/health/liveness"), Http(ProbeKind.Readiness, 8007, "/health/liveness")])],
                "Workload API."),
            new WorkloadDefinition("workload-launcher", WorkloadType.Deployment,
                [Container("workload-launcher", "airbyte/workload-launcher", Version, [new PortDefinition("http", 8016)],
                    [Http(ProbeKind.Liveness, 8016, "/health/liveness"), Http(ProbeKind.Readiness, 8016, "/health/readiness")])],
                "Launches job pods."),
            new WorkloadDefinition("cron", WorkloadType.Deployment,
                [Container("cron", "airbyte/cron", Version, [], [])],
                "Scheduled housekeeping."),
            new WorkloadDefinition("connector-builder-server", WorkloadType.Deployment,
                [Container("connector-builder-server", "airbyte/connector-builder-server", Version, [new PortDefinition("http", 8080, 80)],
                    [Http(ProbeKind.Liveness, 8080, "/v1/health"), Http(ProbeKind.Readiness, 8080, "/v1/health")])],
                "Connector builder API."),
            new WorkloadDefinition("webapp", WorkloadType.Deployment,
                [Container("webapp", "airbyte/webapp", Version, [new PortDefinition("http", 8080, 80)],
                    [Http(ProbeKind.Readiness, 8080, "/index.html")])],
                "The web app."),
            new WorkloadDefinition("bootloader", WorkloadType.Job,
                [Container("bootloader", "airbyte/bootloader", Version, [], [])],
                "Runs database migrations and creates airbyte-auth-secrets."),
        ],
        StatusMessages =
        [
            new(ComponentStatus.Blocked, "database relation not ready", "The db relation is missing or its credentials are not there yet."),
            new(ComponentStatus.Blocked, "minio relation not ready", "The object-storage relation is missing or its credentials are not there yet."),
            new(ComponentStatus.Blocked, "temporal relation not ready", "The temporal relation is missing or Temporal is not serving."),
            new(ComponentStatus.Waiting, "waiting for airbyte-auth-secrets", "The bootloader has not written its secrets yet."),
            new(ComponentStatus.Maintenance, "rolling out new pods", "A config or secret change is rolling."),
            new(ComponentStatus.Active, "", "Every workload is available."),
        ],
    };
}
