using Portal.Domain.Status;
using static Portal.Domain.Catalog.CommonOptions;

namespace Portal.Domain.Catalog.Kinds;

/// <summary>MinIO object storage: a StatefulSet with a volume at /data.</summary>
public static class MinioKind
{
    public const string Name = "minio";
    public const int ApiPort = 9000;
    public const string Version = "RELEASE.2025-04-22T22-12-26Z";

    public static ComponentKind Create() => new()
    {
        Name = Name,
        Summary = "S3-compatible object storage for Airbyte's logs, state and job artifacts.",
        Icon = "Storage",
        Endpoints =
        [
            EndpointDefinition.Provides("object-storage", Interfaces.ObjectStorage, "Endpoint, access key and secret key; buckets created on request."),
        ],
        Options =
        [
            ImageTag(Version),
            StorageSize("10Gi"),
            new("root-user", OptionType.String, "Root access key.") { Default = "minio", Required = true, MinimumLength = 3 },
            new("root-password", OptionType.String, "Root secret key, at least 8 characters. Generated when empty.") { Secret = true, Generated = true, MinimumLength = 8 },
        ],
        Secrets =
        [
            new SecretDefinition("root-credentials", "Root user and password; consumers use them as their access and secret key.", SecretSource.Generated,
                RotationStrategy.Replace, "Uploads pause while MinIO and then Airbyte restart.", GeneratedLength: 30),
        ],
        Workloads =
        [
            new WorkloadDefinition("", WorkloadType.StatefulSet,
                [Container("minio", "minio/minio", Version, [new PortDefinition("api", ApiPort), new PortDefinition("console", 9001)],
                    [Http(ProbeKind.Liveness, ApiPort, "/minio/health/live"), Http(ProbeKind.Readiness, ApiPort, "/minio/health/ready")], "250m", "512Mi")],
                "The MinIO server.",
                new VolumeDefinition("data", "/data", "10Gi")),
            new WorkloadDefinition("buckets", WorkloadType.Job,
                [Container("mc", "minio/mc", "RELEASE.2025-04-16T18-13-26Z", [], [], "50m", "64Mi")],
                "Creates the buckets a consumer asks for."),
        ],
        StatusMessages =
        [
            new(ComponentStatus.Blocked, "The 'secret-key' config value must be at least 8 characters long.", "The root password is too short."),
            new(ComponentStatus.Waiting, "waiting for volume", "The data volume is not bound yet."),
            new(ComponentStatus.Active, "", "MinIO is ready."),
        ],
    };
}
