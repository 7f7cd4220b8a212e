using k8s;
using k8s.Models;
using Portal.Domain.Status.Observation;
using DomainOwner = Portal.Domain.Status.Observation.OwnerReference;

namespace Portal.Provisioning.Observation;

/// <summary>Turns KubernetesClient objects into the Domain's observation records, which the health rules read.</summary>
/// <remarks>Secrets and ConfigMaps keep their key names only: no value ever enters an observation.</remarks>
internal static class KubeObservations
{
    public static ObservedObject? From(IKubernetesObject<V1ObjectMeta> obj) => obj switch
    {
        V1Deployment d => Deployment(d),
        V1StatefulSet s => StatefulSet(s),
        V1ReplicaSet r => ReplicaSet(r),
        V1Pod p => Pod(p),
        V1Job j => Job(j),
        V1PersistentVolumeClaim c => Claim(c),
        V1Service s => Service(s),
        V1Ingress i => Ingress(i),
        V1Secret s => Secret(s),
        V1ConfigMap c => new ObservedConfigMap { Namespace = Ns(c), Name = c.Metadata.Name, KeyNames = c.Data?.Keys.ToList() ?? [] }.WithMeta(c.Metadata),
        Corev1Event e => Event(e),
        _ => null,
    };

    /// <summary>Event messages longer than this are cut: the watch cache keeps many events, and a message is one sentence.</summary>
    public const int MaxEventMessageLength = 1024;

    public static ObservedDeployment Deployment(V1Deployment d) => new ObservedDeployment
    {
        Namespace = Ns(d),
        Name = d.Metadata.Name,
        Generation = d.Metadata.Generation ?? 1,
        ObservedGeneration = d.Status?.ObservedGeneration ?? 0,
        DesiredReplicas = d.Spec.Replicas ?? 1,
        Replicas = d.Status?.Replicas ?? 0,
        UpdatedReplicas = d.Status?.UpdatedReplicas ?? 0,
        ReadyReplicas = d.Status?.ReadyReplicas ?? 0,
        AvailableReplicas = d.Status?.AvailableReplicas ?? 0,
        Paused = d.Spec.Paused ?? false,
        Conditions = d.Status?.Conditions?.Select(c => Condition(c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime, c.LastUpdateTime)).ToList() ?? [],
        PodTemplateAnnotations = Copy(d.Spec.Template?.Metadata?.Annotations),
    }.WithMeta(d.Metadata);

    public static ObservedStatefulSet StatefulSet(V1StatefulSet s) => new ObservedStatefulSet
    {
        Namespace = Ns(s),
        Name = s.Metadata.Name,
        Generation = s.Metadata.Generation ?? 1,
        ObservedGeneration = s.Status?.ObservedGeneration ?? 0,
        DesiredReplicas = s.Spec.Replicas ?? 1,
        Replicas = s.Status?.Replicas ?? 0,
        ReadyReplicas = s.Status?.ReadyReplicas ?? 0,
        CurrentReplicas = s.Status?.CurrentReplicas ?? 0,
        UpdatedReplicas = s.Status?.UpdatedReplicas ?? 0,
        CurrentRevision = s.Status?.CurrentRevision ?? "",
        UpdateRevision = s.Status?.UpdateRevision ?? "",
        UpdateStrategy = s.Spec.UpdateStrategy?.Type ?? ObservedStatefulSet.RollingUpdateStrategy,
        Partition = s.Spec.UpdateStrategy?.RollingUpdate?.Partition,
        VolumeClaimTemplates = s.Spec.VolumeClaimTemplates?.Select(t => t.Metadata.Name).ToList() ?? [],
        PodTemplateAnnotations = Copy(s.Spec.Template?.Metadata?.Annotations),
    }.WithMeta(s.Metadata);

    public static ObservedPod Pod(V1Pod p) => new ObservedPod
    {
        Namespace = Ns(p),
        Name = p.Metadata.Name,
        Phase = Enum.TryParse<PodPhase>(p.Status?.Phase, out var phase) ? phase : PodPhase.Unknown,
        Reason = p.Status?.Reason,
        Message = p.Status?.Message,
        RestartPolicy = Enum.TryParse<PodRestartPolicy>(p.Spec?.RestartPolicy, out var policy) ? policy : PodRestartPolicy.Always,
        NodeName = p.Spec?.NodeName,
        StartedAt = At(p.Status?.StartTime),
        Conditions = p.Status?.Conditions?.Select(c => Condition(c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime, null)).ToList() ?? [],
        Containers = Containers(p.Spec?.Containers, p.Status?.ContainerStatuses),
        InitContainers = Containers(p.Spec?.InitContainers, p.Status?.InitContainerStatuses),
    }.WithMeta(p.Metadata);

    public static ObservedReplicaSet ReplicaSet(V1ReplicaSet r) => new ObservedReplicaSet
    {
        Namespace = Ns(r),
        Name = r.Metadata.Name,
        Generation = r.Metadata.Generation ?? 1,
        ObservedGeneration = r.Status?.ObservedGeneration ?? 0,
        DesiredReplicas = r.Spec?.Replicas ?? 1,
        Replicas = r.Status?.Replicas ?? 0,
        ReadyReplicas = r.Status?.ReadyReplicas ?? 0,
        AvailableReplicas = r.Status?.AvailableReplicas ?? 0,
        Conditions = r.Status?.Conditions?.Select(c => Condition(c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime, null)).ToList() ?? [],
    }.WithMeta(r.Metadata);

    /// <summary>A core/v1 Event; old-style events carry first/last timestamps, new-style ones an event time and a series.</summary>
    public static ObservedEvent Event(Corev1Event e) => new ObservedEvent
    {
        Namespace = Ns(e),
        Name = e.Metadata.Name,
        InvolvedObject = new ObjectRef(e.InvolvedObject?.Kind ?? "", e.InvolvedObject?.Name ?? ""),
        InvolvedUid = e.InvolvedObject?.Uid ?? "",
        Type = e.Type == nameof(EventType.Warning) ? EventType.Warning : EventType.Normal,
        Reason = e.Reason ?? "",
        Message = e.Message is { Length: > MaxEventMessageLength } text ? text[..MaxEventMessageLength] + "…" : e.Message ?? "",
        Count = e.Count ?? e.Series?.Count ?? 1,
        FirstSeen = At(e.FirstTimestamp) ?? At(e.EventTime),
        LastSeen = At(e.LastTimestamp) ?? At(e.Series?.LastObservedTime) ?? At(e.EventTime),
    }.WithMeta(e.Metadata);

    public static ObservedJob Job(V1Job j) => new ObservedJob
    {
        Namespace = Ns(j),
        Name = j.Metadata.Name,
        Active = j.Status?.Active ?? 0,
        Succeeded = j.Status?.Succeeded ?? 0,
        Failed = j.Status?.Failed ?? 0,
        Completions = j.Spec.Completions,
        BackoffLimit = j.Spec.BackoffLimit,
        ActiveDeadlineSeconds = j.Spec.ActiveDeadlineSeconds,
        Suspend = j.Spec.Suspend ?? false,
        StartedAt = At(j.Status?.StartTime),
        CompletedAt = At(j.Status?.CompletionTime),
        Conditions = j.Status?.Conditions?.Select(c => Condition(c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime, c.LastProbeTime)).ToList() ?? [],
    }.WithMeta(j.Metadata);

    public static ObservedPersistentVolumeClaim Claim(V1PersistentVolumeClaim c) => new ObservedPersistentVolumeClaim
    {
        Namespace = Ns(c),
        Name = c.Metadata.Name,
        Phase = Enum.TryParse<VolumeClaimPhase>(c.Status?.Phase, out var phase) ? phase : VolumeClaimPhase.Pending,
        StorageClassName = c.Spec?.StorageClassName,
        VolumeName = c.Spec?.VolumeName,
        RequestedStorage = c.Spec?.Resources?.Requests?.TryGetValue("storage", out var size) == true ? size.ToString() : null,
    }.WithMeta(c.Metadata);

    public static ObservedService Service(V1Service s) => new ObservedService
    {
        Namespace = Ns(s),
        Name = s.Metadata.Name,
        Type = Enum.TryParse<ServiceType>(s.Spec?.Type, out var type) ? type : ServiceType.ClusterIP,
        ClusterIP = s.Spec?.ClusterIP,
        Ports = s.Spec?.Ports?.Select(p => p.Port).ToList() ?? [],
        LoadBalancerAddresses = s.Status?.LoadBalancer?.Ingress?.Select(i => i.Ip ?? i.Hostname).OfType<string>().ToList() ?? [],
    }.WithMeta(s.Metadata);

    public static ObservedIngress Ingress(V1Ingress i) => new ObservedIngress
    {
        Namespace = Ns(i),
        Name = i.Metadata.Name,
        IngressClassName = i.Spec?.IngressClassName,
        Hosts = i.Spec?.Rules?.Select(r => r.Host).OfType<string>().ToList() ?? [],
        LoadBalancerAddresses = i.Status?.LoadBalancer?.Ingress?.Select(a => a.Ip ?? a.Hostname).OfType<string>().ToList() ?? [],
        TlsSecretNames = i.Spec?.Tls?.Select(t => t.SecretName).OfType<string>().ToList() ?? [],
        BackendServices = i.Spec?.Rules?.SelectMany(r => r.Http?.Paths ?? []).Select(p => p.Backend?.Service?.Name).OfType<string>().Distinct().ToList() ?? [],
    }.WithMeta(i.Metadata);

    public static ObservedSecret Secret(V1Secret s) => new ObservedSecret
    {
        Namespace = Ns(s),
        Name = s.Metadata.Name,
        Type = s.Type ?? "Opaque",
        KeyNames = s.Data?.Keys.Concat(s.StringData?.Keys ?? []).Distinct().ToList() ?? [],
    }.WithMeta(s.Metadata);

    private static T WithMeta<T>(this T observed, V1ObjectMeta meta)
        where T : ObservedObject => observed with
        {
            Uid = meta.Uid ?? "",
            ResourceVersion = meta.ResourceVersion ?? "",
            Labels = Copy(meta.Labels),
            Annotations = Copy(meta.Annotations),
            OwnerReferences = meta.OwnerReferences?.Select(o => new DomainOwner(o.Kind, o.Name, o.Uid ?? "", o.Controller ?? false)).ToList() ?? [],
            CreatedAt = At(meta.CreationTimestamp) ?? default,
            DeletionRequestedAt = At(meta.DeletionTimestamp),
        };

    private static List<ObservedContainer> Containers(IList<V1Container>? specs, IList<V1ContainerStatus>? statuses) =>
        (specs ?? []).Select(spec =>
        {
            var status = statuses?.FirstOrDefault(s => s.Name == spec.Name);
            return new ObservedContainer
            {
                Name = spec.Name,
                Image = spec.Image ?? "",
                Ready = status?.Ready ?? false,
                RestartCount = status?.RestartCount ?? 0,
                StartedAt = At(status?.State?.Running?.StartedAt),
                WaitingReason = status?.State?.Waiting?.Reason,
                WaitingMessage = status?.State?.Waiting?.Message,
                TerminatedReason = status?.State?.Terminated?.Reason,
                TerminatedExitCode = status?.State?.Terminated?.ExitCode,
                TerminatedMessage = status?.State?.Terminated?.Message,
                LastTerminatedReason = status?.LastState?.Terminated?.Reason,
                LastTerminatedExitCode = status?.LastState?.Terminated?.ExitCode,
                LastTerminatedAt = At(status?.LastState?.Terminated?.FinishedAt),
            };
        }).ToList();

    private static ObservedCondition Condition(string type, string status, string? reason, string? message, DateTime? transition, DateTime? update) =>
        new(type,
            status switch { "True" => ConditionStatus.True, "False" => ConditionStatus.False, _ => ConditionStatus.Unknown },
            reason ?? "", message ?? "", At(transition), At(update));

    private static string Ns(IKubernetesObject<V1ObjectMeta> obj) => obj.Metadata.NamespaceProperty ?? "";

    private static DateTimeOffset? At(DateTime? time) =>
        time is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, t.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : t.Kind)).ToUniversalTime() : null;

    private static Dictionary<string, string> Copy(IDictionary<string, string>? source) =>
        source is null ? new(StringComparer.Ordinal) : new(source, StringComparer.Ordinal);
}
