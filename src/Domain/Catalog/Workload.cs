namespace Portal.Domain.Catalog;

/// <summary>The Kubernetes workload type a component runs as.</summary>
public enum WorkloadType
{
    Deployment,
    StatefulSet,
    Job,
}

/// <summary>A named container port; <see cref="ServicePort"/> is the port the Service exposes (defaults to the container port).</summary>
public sealed record PortDefinition(string Name, int ContainerPort, int? ServicePort = null, string Protocol = "TCP")
{
    public int EffectiveServicePort => ServicePort ?? ContainerPort;
}

/// <summary>Which probe a health check is.</summary>
public enum ProbeKind
{
    Liveness,
    Readiness,
    Startup,
}

/// <summary>An HTTP probe on a container port (or a TCP probe when <see cref="Path"/> is null).</summary>
public sealed record ProbeDefinition(ProbeKind Kind, int Port, string? Path, int PeriodSeconds = 10, int FailureThreshold = 3);

/// <summary>One container of a workload.</summary>
/// <param name="Image">Image repository without tag, e.g. <c>airbyte/server</c>; the tag comes from the component's <c>image-tag</c> option or <see cref="DefaultTag"/>.</param>
public sealed record ContainerDefinition(
    string Name,
    string Image,
    string DefaultTag,
    IReadOnlyList<PortDefinition> Ports,
    IReadOnlyList<ProbeDefinition> Probes,
    string CpuRequest = "100m",
    string MemoryRequest = "256Mi");

/// <summary>A workload a component runs: a Deployment, StatefulSet or Job with its containers.</summary>
/// <param name="Name">Suffix of the object name: the object is named <c>&lt;component&gt;-&lt;name&gt;</c>, or just the component when empty.</param>
/// <param name="Volume">For a StatefulSet: the persistent volume claim template (mount path and default size).</param>
public sealed record WorkloadDefinition(
    string Name,
    WorkloadType Type,
    IReadOnlyList<ContainerDefinition> Containers,
    string Description,
    VolumeDefinition? Volume = null);

/// <summary>A persistent volume a StatefulSet claims.</summary>
public sealed record VolumeDefinition(string Name, string MountPath, string DefaultSize);
