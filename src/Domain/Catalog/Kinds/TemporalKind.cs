using Portal.Domain.Status;
using static Portal.Domain.Catalog.CommonOptions;

namespace Portal.Domain.Catalog.Kinds;

/// <summary>Temporal server: frontend, history, matching and worker services.</summary>
public static class TemporalKind
{
    public const string Name = "temporal";
    public const string Version = "1.23.1";
    public const int FrontendPort = 7233;

    public static ComponentKind Create() => new()
    {
        Name = Name,
        Summary = "Temporal workflow server (frontend, history, matching and worker services).",
        Icon = "AccountTree",
        Endpoints =
        [
            EndpointDefinition.Requires("db", Interfaces.PostgresqlClient, "Temporal's main database.", "database relation not ready"),
            EndpointDefinition.Requires("visibility", Interfaces.PostgresqlClient, "Temporal's visibility database.", "visibility database relation not ready"),
            EndpointDefinition.Requires("admin", Interfaces.Temporal, "Admin tools that create the schemas and the default namespace.", "admin:temporal relation: schema is not ready"),
            EndpointDefinition.Provides("temporal-host-info", Interfaces.TemporalHostInfo, "Host and port (7233) of the frontend."),
        ],
        Options =
        [
            new("num-history-shards", OptionType.Integer, "Number of history shards: a power of two. Cannot be changed after deployment.")
            {
                Default = "512",
                Required = true,
                Minimum = 1,
                Maximum = 16384,
                PowerOfTwo = true,
                ImmutableAfterDeploy = true,
            },
            ImageTag(Version),
            new("log-level", OptionType.Enum, "Log level.") { Default = "info", AllowedValues = ["debug", "info", "warn", "error"] },
            new("persistence-max-conns", OptionType.Integer, "Most open connections to the main database.") { Default = "20", Minimum = 1, Maximum = 1000 },
            new("persistence-max-idle-conns", OptionType.Integer, "Most idle connections to the main database.") { Default = "20", Minimum = 0, Maximum = 1000 },
            new("persistence-max-conn-time", OptionType.Duration, "Longest life of a connection to the main database.") { Default = "1h" },
            new("visibility-max-conns", OptionType.Integer, "Most open connections to the visibility database.") { Default = "10", Minimum = 1, Maximum = 1000 },
            new("visibility-max-idle-conns", OptionType.Integer, "Most idle connections to the visibility database.") { Default = "10", Minimum = 0, Maximum = 1000 },
            new("visibility-max-conn-time", OptionType.Duration, "Longest life of a connection to the visibility database.") { Default = "1h" },
            new("global-rps-limit", OptionType.Integer, "Requests per second the frontend accepts in total.") { Default = "2000", Minimum = 1, Maximum = 1_000_000 },
            Replicas("Temporal server"),
        ],
        Workloads =
        [
            new WorkloadDefinition("", WorkloadType.Deployment,
                [Container("temporal", "temporalio/server", Version,
                    [
                        new PortDefinition("frontend", FrontendPort),
                        new PortDefinition("internal-frontend", 7236),
                        new PortDefinition("history", 7234),
                        new PortDefinition("matching", 7235),
                        new PortDefinition("worker", 7239),
                        new PortDefinition("metrics", 9090),
                    ],
                    [Tcp(ProbeKind.Liveness, FrontendPort), Tcp(ProbeKind.Readiness, FrontendPort)], "500m", "1Gi")],
                "All four Temporal services in one pod."),
        ],
        StatusMessages =
        [
            new(ComponentStatus.Blocked, "database relation not ready", "The db or visibility relation is missing or has no credentials yet."),
            new(ComponentStatus.Blocked, "admin:temporal relation: schema is not ready", "The admin tools have not created the schemas yet."),
            new(ComponentStatus.Blocked, "value of 'num-history-shards' config cannot be changed after deployment", "The number of shards was changed after the first deploy."),
            new(ComponentStatus.Active, "", "The frontend serves."),
        ],
    };
}
