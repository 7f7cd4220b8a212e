using System.Globalization;
using Portal.Domain.Naming;

namespace Portal.Domain.Status.Observation;

/// <summary>The phase of a persistent volume claim.</summary>
public enum VolumeClaimPhase
{
    Pending,
    Bound,
    Lost,
}

/// <summary>An observed PersistentVolumeClaim (MinIO's and in-cluster PostgreSQL's data).</summary>
public sealed record ObservedPersistentVolumeClaim : ObservedObject
{
    public override string Kind => ObjectKinds.PersistentVolumeClaim;

    public VolumeClaimPhase Phase { get; init; } = VolumeClaimPhase.Pending;

    /// <summary>The storage class; null means the cluster's default class.</summary>
    public string? StorageClassName { get; init; }

    public string? VolumeName { get; init; }

    public string? RequestedStorage { get; init; }
}

/// <summary>The type of a Service.</summary>
public enum ServiceType
{
    ClusterIP,
    NodePort,
    LoadBalancer,
    ExternalName,
}

/// <summary>An observed Service.</summary>
public sealed record ObservedService : ObservedObject
{
    public override string Kind => ObjectKinds.Service;

    public ServiceType Type { get; init; } = ServiceType.ClusterIP;

    public string? ClusterIP { get; init; }

    public IReadOnlyList<int> Ports { get; init; } = [];

    /// <summary><c>status.loadBalancer.ingress</c>: IPs or hostnames (LoadBalancer Services only).</summary>
    public IReadOnlyList<string> LoadBalancerAddresses { get; init; } = [];
}

/// <summary>An observed Ingress: hosts, the address the controller published, TLS Secrets and backends.</summary>
public sealed record ObservedIngress : ObservedObject
{
    public override string Kind => ObjectKinds.Ingress;

    /// <summary><c>spec.ingressClassName</c>; null means the cluster's default class.</summary>
    public string? IngressClassName { get; init; }

    public IReadOnlyList<string> Hosts { get; init; } = [];

    /// <summary><c>status.loadBalancer.ingress</c>: IPs or hostnames; empty until a controller serves the Ingress.</summary>
    public IReadOnlyList<string> LoadBalancerAddresses { get; init; } = [];

    public IReadOnlyList<string> TlsSecretNames { get; init; } = [];

    /// <summary>Names of the Services the rules route to.</summary>
    public IReadOnlyList<string> BackendServices { get; init; } = [];
}

/// <summary>An observed Secret: its type and key NAMES only, never a value, and its portal revision.</summary>
public sealed record ObservedSecret : ObservedObject
{
    public const string TlsType = "kubernetes.io/tls";
    public const string TlsCertificateKey = "tls.crt";
    public const string TlsPrivateKeyKey = "tls.key";

    public override string Kind => ObjectKinds.Secret;

    public string Type { get; init; } = "Opaque";

    public IReadOnlyCollection<string> KeyNames { get; init; } = [];

    /// <summary>The live revision of a portal-managed Secret (<see cref="PortalLabels.RevisionAnnotation"/>), if annotated.</summary>
    public int? Revision =>
        int.TryParse(Annotation(PortalLabels.RevisionAnnotation), NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            ? revision
            : null;

    public bool HasKey(string key) => KeyNames.Contains(key, StringComparer.Ordinal);

    /// <summary>The expected keys this Secret does not have, in the order given.</summary>
    public IReadOnlyList<string> MissingKeys(IEnumerable<string> expected) => expected.Where(key => !HasKey(key)).ToList();
}

/// <summary>An observed ConfigMap: key names only.</summary>
public sealed record ObservedConfigMap : ObservedObject
{
    public override string Kind => ObjectKinds.ConfigMap;

    public IReadOnlyCollection<string> KeyNames { get; init; } = [];
}

/// <summary>The type of a Kubernetes event.</summary>
public enum EventType
{
    Normal,
    Warning,
}

/// <summary>An observed Kubernetes event about one object of the namespace.</summary>
public sealed record ObservedEvent : ObservedObject
{
    public override string Kind => ObjectKinds.Event;

    public required ObjectRef InvolvedObject { get; init; }

    public string InvolvedUid { get; init; } = "";

    public EventType Type { get; init; } = EventType.Normal;

    public string Reason { get; init; } = "";

    public string Message { get; init; } = "";

    public int Count { get; init; } = 1;

    public DateTimeOffset? FirstSeen { get; init; }

    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>The most recent time the event happened, for ordering.</summary>
    public DateTimeOffset When => LastSeen ?? FirstSeen ?? CreatedAt;

    public bool IsAbout(ObservedObject subject) =>
        InvolvedUid.Length > 0 && subject.Uid.Length > 0
            ? InvolvedUid == subject.Uid
            : InvolvedObject == subject.Ref;

    public override string ToString() => Count > 1 ? $"{Reason}: {Message} (×{Count})" : $"{Reason}: {Message}";
}
