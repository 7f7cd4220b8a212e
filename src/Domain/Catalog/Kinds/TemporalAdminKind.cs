using Portal.Domain.Status;
using static Portal.Domain.Catalog.CommonOptions;

namespace Portal.Domain.Catalog.Kinds;

/// <summary>Temporal admin tools: schema setup Jobs, the default namespace, a debugging CLI.</summary>
public static class TemporalAdminKind
{
    public const string Name = "temporal-admin";

    public static ComponentKind Create() => new()
    {
        Name = Name,
        Summary = "Temporal admin tools: creates both schemas and the default namespace; debugging CLI.",
        Icon = "AdminPanelSettings",
        Endpoints =
        [
            EndpointDefinition.Provides("admin", Interfaces.Temporal, "Schema setup and namespace creation for a Temporal server.", limit: 1),
        ],
        Options =
        [
            ImageTag(TemporalKind.Version),
            new("default-namespace", OptionType.Name, "Temporal namespace to create.") { Default = "default", Required = true },
            new("namespace-retention", OptionType.Duration, "How long closed workflows are kept in the namespace.") { Default = "72h", Required = true },
        ],
        Workloads =
        [
            new WorkloadDefinition("", WorkloadType.Deployment,
                [Container("admin-tools", "temporalio/admin-tools", TemporalKind.Version, [], [], "50m", "64Mi")],
                "A shell with tctl and temporal for debugging."),
            new WorkloadDefinition("schema", WorkloadType.Job,
                [Container("schema", "temporalio/admin-tools", TemporalKind.Version, [], [], "100m", "128Mi")],
                "temporal-sql-tool setup-schema and update-schema for both databases, then the default namespace."),
        ],
        StatusMessages =
        [
            new(ComponentStatus.Blocked, "admin:temporal relation: database connections info not available", "Temporal has not passed its database connections yet."),
            new(ComponentStatus.Maintenance, "setting up schemas", "The schema Job is running."),
            new(ComponentStatus.Active, "schema ready", "Both schemas and the namespace exist."),
        ],
    };
}
