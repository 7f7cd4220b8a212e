using Portal.Domain.Status;
using static Portal.Domain.Catalog.CommonOptions;

namespace Portal.Domain.Catalog.Kinds;

/// <summary>PostgreSQL: an external server (DBaaS; the seed's default) or an in-cluster StatefulSet.</summary>
public static class PostgresqlKind
{
    public const string Name = "postgresql";
    public const string External = "external";
    public const string InCluster = "in-cluster";

    public static ComponentKind Create() => new()
    {
        Name = Name,
        Summary = "PostgreSQL: an external server the portal administers, or one run in the cluster.",
        Icon = "Dns",
        Endpoints =
        [
            EndpointDefinition.Provides("database", Interfaces.PostgresqlClient, "A database and a login role per relation, owner of its database."),
        ],
        Options =
        [
            new("mode", OptionType.Enum, "'external' for a server outside the cluster (DBaaS), 'in-cluster' to run one.")
            {
                Required = true,
                AllowedValues = [External, InCluster],
                ImmutableAfterDeploy = true,
            },
            new("host", OptionType.Host, "Hostname or IP address of the external server.") { RequiredWhen = OptionCondition.When("mode", External) },
            new("port", OptionType.Port, "Port of the server.") { Default = "5432", Required = true },
            new("sslmode", OptionType.Enum, "TLS mode of connections.") { Default = "require", AllowedValues = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] },
            new("ca-certificate", OptionType.Pem, "CA certificate that signed the server's certificate (for verify-ca and verify-full).") { Default = "" },
            new("admin-username", OptionType.String, "Role the portal uses to create databases and roles; needs CREATEDB and CREATEROLE.")
            {
                RequiredWhen = OptionCondition.When("mode", External),
            },
            new("admin-password", OptionType.String, "Password of the admin role.") { Secret = true, RequiredWhen = OptionCondition.When("mode", External) },
            ImageTag("16.4"),
            StorageSize("8Gi"),
        ],
        Secrets =
        [
            new SecretDefinition("relation-password", "Password of the login role of one relation (airbyte, temporal, temporal visibility).",
                SecretSource.Relation, RotationStrategy.DatabasePassword, "Consumers reconnect briefly while they restart.", GeneratedLength: 32),
            new SecretDefinition("admin-credentials", "The external server's admin role, supplied by the operator; read-only to the portal.",
                SecretSource.External, RotationStrategy.None, "None."),
            new SecretDefinition("superuser-password", "Superuser password of the in-cluster server.", SecretSource.Generated, RotationStrategy.DatabasePassword,
                "PostgreSQL restarts (its pod reads the password at start): every consumer loses its connections for a few seconds, then reconnects.", GeneratedLength: 32),
        ],
        Workloads =
        [
            new WorkloadDefinition("", WorkloadType.StatefulSet,
                [Container("postgres", "postgres", "16.4", [new PortDefinition("postgres", 5432)],
                    [Tcp(ProbeKind.Liveness, 5432), Tcp(ProbeKind.Readiness, 5432)], "250m", "512Mi")],
                "In-cluster mode only: the server.",
                new VolumeDefinition("pgdata", "/var/lib/postgresql/data", "8Gi")),
            new WorkloadDefinition("roles", WorkloadType.Job,
                [Container("psql", "postgres", "16.4", [], [], "50m", "64Mi")],
                "In-cluster mode only: creates a database and login role for a relation."),
        ],
        StatusMessages =
        [
            new(ComponentStatus.Blocked, "cannot log in as the admin role", "The admin credentials of the external server do not work."),
            new(ComponentStatus.Waiting, "awaiting for primary endpoint to be ready", "The in-cluster server is starting."),
            new(ComponentStatus.Active, "Primary", "The server accepts connections."),
        ],
    };
}
