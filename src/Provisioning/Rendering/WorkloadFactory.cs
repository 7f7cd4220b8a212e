using k8s.Models;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;

namespace Portal.Provisioning.Rendering;

/// <summary>How one container of a workload is set up beyond what the catalog says: its environment, arguments, mounts.</summary>
internal sealed record ContainerSetup(Env Env)
{
    public IList<string>? Command { get; init; }

    public IList<string>? Args { get; init; }

    public IList<V1VolumeMount>? Mounts { get; init; }

    /// <summary>A whole image reference that replaces the catalog's repository and tag (airbyte-webhooks' <c>image</c> option).</summary>
    public string? Image { get; init; }
}

/// <summary>Pod-level settings of a workload.</summary>
internal sealed record PodSetup
{
    public IList<V1Volume>? Volumes { get; init; }

    public string? ServiceAccount { get; init; }

    /// <summary>The uid the image's non-root user has (postgres runs as 999).</summary>
    public long RunAsUser { get; init; } = 1000;

    public string? RestartPolicy { get; init; }
}

/// <summary>Turns catalog workload definitions into Deployments, StatefulSets, Jobs and Services with the portal's
/// defaults: non-root security contexts, resource requests, probes, and the labels that select them.</summary>
internal static class WorkloadFactory
{
    public static string ObjectName(RenderContext context, WorkloadDefinition workload) =>
        ObjectNames.Workload(context.Name, workload.Name);

    /// <summary>The labels that select a workload's pods; fixed at creation (selectors are immutable).</summary>
    public static Dictionary<string, string> SelectorLabels(RenderContext context, WorkloadDefinition workload) => new(StringComparer.Ordinal)
    {
        [PortalLabels.Stack] = context.Stack.Name,
        [PortalLabels.Component] = context.Name,
        [PortalLabels.Workload] = workload.Name.Length == 0 ? context.Name : workload.Name,
    };

    public static V1ObjectMeta Meta(RenderContext context, string name, WorkloadDefinition? workload = null) => new()
    {
        Name = name,
        NamespaceProperty = context.Namespace,
        Labels = workload is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : SelectorLabels(context, workload),
    };

    public static string ImageOf(RenderContext context, ContainerDefinition container)
    {
        var tag = context.Kind.FindOption("image-tag") is null ? container.DefaultTag : context.Option("image-tag");
        return $"{container.Image}:{tag}";
    }

    public static V1PodTemplateSpec PodTemplate(
        RenderContext context, WorkloadDefinition workload, Func<ContainerDefinition, ContainerSetup> setup, PodSetup? pod = null)
    {
        pod ??= new PodSetup();
        var containers = new List<V1Container>();
        var secretNames = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var definition in workload.Containers)
        {
            var container = setup(definition);
            secretNames.UnionWith(container.Env.SecretNames);
            containers.Add(Container(context, definition, container));
        }

        foreach (var volume in pod.Volumes ?? [])
        {
            if (volume.Secret?.SecretName is { } secret)
            {
                secretNames.Add(secret);
            }
        }

        var annotations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [PortalLabels.SecretRevisionsAnnotation] = string.Join(",", secretNames.Select(s => $"{s}={context.RevisionOf(s)}")),
        };

        return new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = SelectorLabels(context, workload), Annotations = annotations },
            Spec = new V1PodSpec
            {
                Containers = containers,
                Volumes = pod.Volumes,
                ServiceAccountName = pod.ServiceAccount,
                AutomountServiceAccountToken = pod.ServiceAccount is not null,
                RestartPolicy = pod.RestartPolicy,
                SecurityContext = new V1PodSecurityContext
                {
                    RunAsNonRoot = true,
                    RunAsUser = pod.RunAsUser,
                    RunAsGroup = pod.RunAsUser,
                    FsGroup = pod.RunAsUser,
                    SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                },
            },
        };
    }

    private static V1Container Container(RenderContext context, ContainerDefinition definition, ContainerSetup setup) => new()
    {
        Name = definition.Name,
        Image = setup.Image ?? ImageOf(context, definition),
        ImagePullPolicy = "IfNotPresent",
        Command = setup.Command,
        Args = setup.Args,
        Env = setup.Env.Build(),
        Ports = definition.Ports.Count == 0
            ? null
            : definition.Ports.Select(p => new V1ContainerPort { Name = p.Name, ContainerPort = p.ContainerPort, Protocol = p.Protocol }).ToList(),
        VolumeMounts = setup.Mounts,
        Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal)
            {
                ["cpu"] = new(definition.CpuRequest),
                ["memory"] = new(definition.MemoryRequest),
            },
        },
        LivenessProbe = Probe(definition, ProbeKind.Liveness),
        ReadinessProbe = Probe(definition, ProbeKind.Readiness),
        StartupProbe = Probe(definition, ProbeKind.Startup),
        SecurityContext = new V1SecurityContext
        {
            AllowPrivilegeEscalation = false,
            Capabilities = new V1Capabilities { Drop = ["ALL"] },
        },
    };

    private static V1Probe? Probe(ContainerDefinition container, ProbeKind kind)
    {
        var probe = container.Probes.FirstOrDefault(p => p.Kind == kind);
        if (probe is null)
        {
            return null;
        }

        return new V1Probe
        {
            HttpGet = probe.Path is null ? null : new V1HTTPGetAction { Path = probe.Path, Port = probe.Port },
            TcpSocket = probe.Path is null ? new V1TCPSocketAction { Port = probe.Port } : null,
            PeriodSeconds = probe.PeriodSeconds,
            FailureThreshold = probe.FailureThreshold,
            // Liveness waits for slow JVM starts; readiness starts checking at once.
            InitialDelaySeconds = kind == ProbeKind.Liveness ? 60 : null,
            TimeoutSeconds = 5,
        };
    }

    public static V1Deployment Deployment(RenderContext context, WorkloadDefinition workload, V1PodTemplateSpec template, int replicas) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = Meta(context, ObjectName(context, workload), workload),
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = SelectorLabels(context, workload) },
            Template = template,
            RevisionHistoryLimit = 3,
            ProgressDeadlineSeconds = 600,
            Strategy = new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxUnavailable = 0, MaxSurge = 1 },
            },
        },
    };

    public static V1StatefulSet StatefulSet(RenderContext context, WorkloadDefinition workload, V1PodTemplateSpec template, int replicas, string storageSize)
    {
        var name = ObjectName(context, workload);
        var volume = workload.Volume ?? throw new InvalidOperationException($"StatefulSet {name} has no volume in the catalog.");
        return new V1StatefulSet
        {
            ApiVersion = "apps/v1",
            Kind = "StatefulSet",
            Metadata = Meta(context, name, workload),
            Spec = new V1StatefulSetSpec
            {
                Replicas = replicas,
                ServiceName = HeadlessServiceName(name),
                Selector = new V1LabelSelector { MatchLabels = SelectorLabels(context, workload) },
                Template = template,
                PodManagementPolicy = "OrderedReady",
                VolumeClaimTemplates =
                [
                    new V1PersistentVolumeClaim
                    {
                        Metadata = new V1ObjectMeta { Name = volume.Name, Labels = SelectorLabels(context, workload) },
                        Spec = new V1PersistentVolumeClaimSpec
                        {
                            AccessModes = ["ReadWriteOnce"],
                            Resources = new V1VolumeResourceRequirements
                            {
                                Requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal) { ["storage"] = new(storageSize) },
                            },
                        },
                    },
                ],
            },
        };
    }

    public static V1Job Job(RenderContext context, string name, WorkloadDefinition workload, V1PodTemplateSpec template)
    {
        template.Spec.RestartPolicy = "OnFailure";
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = Meta(context, name, workload),
            Spec = new V1JobSpec
            {
                BackoffLimit = 6,
                ActiveDeadlineSeconds = 1800,
                Template = template,
            },
        };
    }

    /// <summary>The ClusterIP Service of a workload that listens on ports; null for one that doesn't.</summary>
    public static V1Service? Service(RenderContext context, WorkloadDefinition workload)
    {
        var ports = workload.Containers.SelectMany(c => c.Ports).ToList();
        if (ports.Count == 0 || workload.Type == WorkloadType.Job)
        {
            return null;
        }

        return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = Meta(context, ObjectName(context, workload), workload),
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = SelectorLabels(context, workload),
                Ports = ports.Select(p => new V1ServicePort { Name = p.Name, Port = p.EffectiveServicePort, TargetPort = p.ContainerPort, Protocol = p.Protocol }).ToList(),
            },
        };
    }

    public static string HeadlessServiceName(string statefulSet) => $"{statefulSet}-headless";

    /// <summary>The headless Service a StatefulSet's pods get their stable DNS names from.</summary>
    public static V1Service HeadlessService(RenderContext context, WorkloadDefinition workload)
    {
        var service = Service(context, workload) ?? throw new InvalidOperationException("A StatefulSet without ports needs no headless service.");
        service.Metadata.Name = HeadlessServiceName(ObjectName(context, workload));
        service.Spec.ClusterIP = "None";
        service.Spec.PublishNotReadyAddresses = true;
        return service;
    }

    /// <summary>The in-cluster DNS name of a Service of the stack's namespace.</summary>
    public static string ServiceHost(RenderContext context, string service) => $"{service}.{context.Namespace}.svc";
}
