using System.Globalization;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Live;

namespace Portal.Tests.Fakes;

/// <summary>A deployed Charmed Airbyte stack as the watch cache would see it (healthy by default), turned into a
/// <see cref="LiveStack"/> by the real Domain rules; tests break it and publish new snapshots.</summary>
public sealed class StackWorld
{
    public const string Ns = "airbyte-prod";
    public const string Cluster = "sandbox";
    public const string IngressAddress = "203.0.113.10";

    public static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset LongAgo = Now - TimeSpan.FromHours(2);

    private readonly List<ObservedObject> _objects;
    private long _version;

    private StackWorld(StackSpec spec, List<ObservedObject> objects, PortalFacts facts)
    {
        Spec = spec;
        _objects = objects;
        Facts = facts;
    }

    public StackSpec Spec { get; }

    public PortalFacts Facts { get; set; }

    public bool Reachable { get; set; } = true;

    public IReadOnlyList<ObservedObject> Objects => _objects;

    public string Name => Spec.Name;

    /// <summary>Every component deployed, every relation wired, every object healthy. With <paramref name="copies"/> &gt; 1 the
    /// blueprint is repeated (components suffixed <c>-2</c>, <c>-3</c>…, related among themselves): 4 copies make 40 components.</summary>
    public static StackWorld Healthy(string name = "prod", int copies = 1)
    {
        var spec = CharmedAirbyte(name, copies);
        var facts = new PortalFacts
        {
            Deployed = spec.Components.Select(c => c.Name).ToHashSet(),
            WiredRelations = spec.Relations.Select(r => r.Key).ToHashSet(),
            ExternalDatabases = spec.Components.Where(c => c.Kind == "postgresql").ToDictionary(c => c.Name, _ => new ExternalDatabaseCheck(Reachable: true)),
        };
        return new StackWorld(spec, HealthyObjects(spec), facts);
    }

    public static StackSpec CharmedAirbyte(string name, int copies = 1)
    {
        var blueprint = BlueprintCatalog.CharmedAirbyte;
        var config = new Dictionary<string, Dictionary<string, string>>
        {
            ["airbyte"] = new() { ["external-hostname"] = "airbyte.example.com" },
            ["airbyte-webhooks"] = new() { ["external-hostname"] = "hooks.example.com", ["image"] = "registry.example.com/airbyte-webhooks:1.0" },
            ["oauth2-proxy"] = new() { ["provider"] = "github", ["client-id"] = "portal-client" },
            ["lego"] = new() { ["email"] = "ops@example.com" },
            ["postgresql"] = new() { ["mode"] = "external", ["host"] = "db.example.com", ["port"] = "5432", ["admin-username"] = "portal_admin" },
        };
        var components = new List<ComponentSpec>();
        var relations = new List<RelationSpec>();
        for (var copy = 1; copy <= copies; copy++)
        {
            var suffix = copy == 1 ? "" : $"-{copy.ToString(CultureInfo.InvariantCulture)}";
            components.AddRange(blueprint.Components.Select(c => new ComponentSpec(
                c.Name + suffix, c.Kind, config.TryGetValue(c.Name, out var values) ? values : new Dictionary<string, string>())));
            relations.AddRange(blueprint.Relations.Select(r => new RelationSpec(
                r.Requirer with { Component = r.Requirer.Component + suffix },
                r.Provider with { Component = r.Provider.Component + suffix },
                r.Interface)));
        }

        return new StackSpec(name, blueprint.Name, Cluster, Ns, components, relations);
    }

    /// <summary>The status the Domain computes now, as the next live snapshot.</summary>
    public LiveStack Snapshot()
    {
        var observation = StackObservation.Create(Spec.Name, _objects);
        var status = new StackStatusEvaluator(ComponentCatalog.Default).Evaluate(Spec, observation, Facts, Now);
        return new LiveStack(Spec.Name, Cluster, Ns, Spec, status, observation, Now, ++_version, Reachable);
    }

    public T Get<T>(string name) where T : ObservedObject =>
        _objects.OfType<T>().SingleOrDefault(o => o.Name == name) ?? throw new KeyNotFoundException($"{typeof(T).Name} {name}");

    public StackWorld Update<T>(string name, Func<T, T> change) where T : ObservedObject
    {
        var index = _objects.FindIndex(o => o is T && o.Name == name);
        _objects[index] = change((T)_objects[index]);
        return this;
    }

    public StackWorld Add(params ObservedObject[] objects)
    {
        _objects.AddRange(objects);
        return this;
    }

    /// <summary>The single pod of a Deployment.</summary>
    public static string PodOf(string deployment) => $"{deployment}-5d8f7-x1";

    /// <summary>Crash-loops the one container of a Deployment's pod, with the BackOff event kubelet writes.</summary>
    public StackWorld CrashLoop(string deployment, int restarts = 5)
    {
        var podName = PodOf(deployment);
        Update<ObservedPod>(podName, pod => pod with
        {
            Conditions = [new ObservedCondition(ObservedPod.ReadyCondition, ConditionStatus.False)],
            Containers = pod.Containers.Select(c => c with
            {
                Ready = false,
                StartedAt = null,
                RestartCount = restarts,
                WaitingReason = "CrashLoopBackOff",
                WaitingMessage = "back-off 40s restarting failed container",
                LastTerminatedReason = "Error",
                LastTerminatedExitCode = 1,
            }).ToList(),
        });
        Update<ObservedDeployment>(deployment, d => d with { AvailableReplicas = 0, ReadyReplicas = 0 });
        var pod = Get<ObservedPod>(podName);
        return Add(Event(pod, "BackOff", "Back-off restarting failed container server in pod " + podName, EventType.Warning, Now - TimeSpan.FromSeconds(20), restarts),
            Event(pod, "Pulled", "Container image already present on machine", EventType.Normal, Now - TimeSpan.FromMinutes(3)));
    }

    public static ObservedEvent Event(ObservedObject about, string reason, string message, EventType type, DateTimeOffset at, int count = 1) => new()
    {
        Namespace = Ns,
        Name = $"{about.Name}.{reason.ToLowerInvariant()}.{at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}",
        InvolvedObject = about.Ref,
        InvolvedUid = about.Uid,
        Type = type,
        Reason = reason,
        Message = message,
        Count = count,
        FirstSeen = at - TimeSpan.FromMinutes(2),
        LastSeen = at,
        CreatedAt = at,
    };

    public static Dictionary<string, string> Labels(string stack, string component, string? workload = null, string? relation = null)
    {
        var labels = new Dictionary<string, string>
        {
            [PortalLabels.ManagedBy] = PortalLabels.ManagedByValue,
            [PortalLabels.Stack] = stack,
            [PortalLabels.Component] = component,
        };
        if (workload is not null)
        {
            labels[PortalLabels.Workload] = workload;
        }

        if (relation is not null)
        {
            labels[PortalLabels.Relation] = relation;
        }

        return labels;
    }

    private static List<ObservedObject> HealthyObjects(StackSpec stack)
    {
        var catalog = ComponentCatalog.Default;
        var objects = new List<ObservedObject>();
        Dictionary<string, string> L(string component, string? workload = null, string? relation = null) => Labels(stack.Name, component, workload, relation);

        foreach (var component in stack.Components)
        {
            var kind = catalog.Get(component.Kind);
            var external = kind.Name == "postgresql" && component.Get(kind, "mode") != "in-cluster";
            var ledger = stack.Relations
                .Where(r => r.Requirer.Component == component.Name && RelationContracts.HasSecret(r.Interface))
                .ToDictionary(r => ObjectNames.RelationSecret(r), _ => 1);

            foreach (var workload in kind.Workloads.Where(w => !external && w.Type != WorkloadType.Job))
            {
                var name = ObjectNames.Workload(component.Name, workload.Name);
                var container = workload.Containers[0];
                var image = container.Image.Length == 0 ? component.Get(kind, "image") ?? "" : $"{container.Image}:{container.DefaultTag}";
                objects.Add(new ObservedService
                {
                    Namespace = Ns, Name = name, Uid = $"uid-svc-{name}", CreatedAt = LongAgo, Labels = L(component.Name, workload.Name),
                    ClusterIP = "10.96.0.10", Ports = [8080],
                });

                if (workload.Type == WorkloadType.Deployment)
                {
                    var deployment = new ObservedDeployment
                    {
                        Namespace = Ns, Name = name, Uid = $"uid-deploy-{name}", CreatedAt = LongAgo, Labels = L(component.Name, workload.Name),
                        DesiredReplicas = 1, Replicas = 1, UpdatedReplicas = 1, ReadyReplicas = 1, AvailableReplicas = 1,
                        Conditions =
                        [
                            new ObservedCondition(ObservedDeployment.AvailableCondition, ConditionStatus.True, "MinimumReplicasAvailable"),
                            new ObservedCondition(ObservedDeployment.ProgressingCondition, ConditionStatus.True, "NewReplicaSetAvailable", LastUpdateAt: LongAgo),
                        ],
                    };
                    var replicaSet = new ObservedReplicaSet
                    {
                        Namespace = Ns, Name = $"{name}-5d8f7", Uid = $"uid-rs-{name}", CreatedAt = LongAgo, Labels = L(component.Name, workload.Name),
                        Annotations = new Dictionary<string, string> { [ObservedReplicaSet.RevisionAnnotation] = "1" },
                        OwnerReferences = [new OwnerReference(ObjectKinds.Deployment, name, deployment.Uid)],
                        DesiredReplicas = 1, Replicas = 1, ReadyReplicas = 1, AvailableReplicas = 1,
                    };
                    objects.Add(deployment);
                    objects.Add(replicaSet);
                    objects.Add(Pod(stack.Name, PodOf(name), component.Name, workload.Name, replicaSet, image, ledger));
                }
                else
                {
                    var statefulSet = new ObservedStatefulSet
                    {
                        Namespace = Ns, Name = name, Uid = $"uid-sts-{name}", CreatedAt = LongAgo, Labels = L(component.Name, workload.Name),
                        DesiredReplicas = 1, Replicas = 1, ReadyReplicas = 1, CurrentReplicas = 1, UpdatedReplicas = 1,
                        CurrentRevision = $"{name}-6b9c", UpdateRevision = $"{name}-6b9c",
                        VolumeClaimTemplates = workload.Volume is { } volume ? [volume.Name] : [],
                    };
                    objects.Add(statefulSet);
                    objects.Add(Pod(stack.Name, $"{name}-0", component.Name, workload.Name, statefulSet, image, ledger));
                    if (workload.Volume is { } claim)
                    {
                        objects.Add(new ObservedPersistentVolumeClaim
                        {
                            Namespace = Ns, Name = $"{claim.Name}-{name}-0", Uid = $"uid-pvc-{name}", CreatedAt = LongAgo, Labels = L(component.Name, workload.Name),
                            Phase = VolumeClaimPhase.Bound, StorageClassName = "standard", VolumeName = $"pv-{name}", RequestedStorage = "10Gi",
                        });
                    }
                }
            }
        }

        foreach (var airbyte in stack.Components.Where(c => c.Kind == "airbyte"))
        {
            objects.Add(CompletedJob($"{airbyte.Name}-bootloader", airbyte.Name, "bootloader", null, L(airbyte.Name, "bootloader")));
        }

        foreach (var admin in stack.Relations.Where(r => r.Interface == Interfaces.Temporal))
        {
            var job = ObjectNames.RelationJob(admin, RelationContracts.SchemaJobPurpose);
            objects.Add(CompletedJob(job, admin.Provider.Component, "schema", admin.LabelValue, L(admin.Provider.Component, "schema", admin.LabelValue)));
        }

        foreach (var relation in stack.Relations.Where(r => RelationContracts.HasSecret(r.Interface)))
        {
            objects.Add(Secret(ObjectNames.RelationSecret(relation), RelationContracts.SecretKeys(relation.Interface), 1, L(relation.Provider.Component, relation: relation.LabelValue)));
        }

        foreach (var airbyte in stack.Components.Where(c => c.Kind == "airbyte"))
        {
            objects.Add(Secret($"{airbyte.Name}-auth-secrets", ["instance-admin-password", "jwt-signature-secret"], null, L(airbyte.Name)));
        }

        foreach (var proxy in stack.Components.Where(c => c.Kind == "oauth2-proxy"))
        {
            objects.Add(Secret(ObjectNames.ComponentSecret(proxy.Name), ["client-secret", "cookie-secret"], 1, L(proxy.Name)));
        }

        var hosts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var route in stack.Relations.Where(r => r.Interface == Interfaces.NginxRoute))
        {
            var requirer = stack.Component(route.Requirer.Component);
            var host = requirer.Config.TryGetValue("external-hostname", out var h) ? h : stack.Component(stack.Components.First(c => c.Kind == "airbyte").Name).Config["external-hostname"];
            var tls = ObjectNames.TlsSecret(host);
            hosts[host] = route.Provider.Component;
            objects.Add(new ObservedIngress
            {
                Namespace = Ns, Name = ObjectNames.Ingress(route.Provider.Component, route.Requirer.Component), Uid = $"uid-ingress-{route.Key}",
                CreatedAt = LongAgo, Labels = L(route.Provider.Component), IngressClassName = "nginx",
                Hosts = [host], LoadBalancerAddresses = [IngressAddress], TlsSecretNames = [tls],
            });
        }

        foreach (var lego in stack.Components.Where(c => c.Kind == "lego"))
        {
            foreach (var host in hosts.Keys.Where(h => !objects.OfType<ObservedSecret>().Any(s => s.Name == ObjectNames.TlsSecret(h))))
            {
                objects.Add(Secret(ObjectNames.TlsSecret(host), [ObservedSecret.TlsCertificateKey, ObservedSecret.TlsPrivateKeyKey], 1, L(lego.Name)) with { Type = ObservedSecret.TlsType });
            }
        }

        return objects;
    }

    private static ObservedSecret Secret(string name, IEnumerable<string> keys, int? revision, Dictionary<string, string> labels) => new()
    {
        Namespace = Ns,
        Name = name,
        Uid = $"uid-secret-{name}",
        CreatedAt = LongAgo,
        Labels = labels,
        Annotations = revision is { } r ? new Dictionary<string, string> { [PortalLabels.RevisionAnnotation] = r.ToString(CultureInfo.InvariantCulture) } : new Dictionary<string, string>(),
        KeyNames = keys.ToList(),
    };

    private static ObservedJob CompletedJob(string name, string component, string workload, string? relation, Dictionary<string, string> labels) => new()
    {
        Namespace = Ns,
        Name = name,
        Uid = $"uid-job-{name}",
        CreatedAt = LongAgo,
        StartedAt = LongAgo,
        CompletedAt = LongAgo + TimeSpan.FromMinutes(1),
        Labels = labels,
        Succeeded = 1,
        Conditions = [new ObservedCondition(ObservedJob.CompleteCondition, ConditionStatus.True)],
    };

    private static ObservedPod Pod(string stack, string name, string component, string workload, ObservedObject owner, string image, Dictionary<string, int> ledger) => new()
    {
        Namespace = Ns,
        Name = name,
        Uid = $"uid-pod-{name}",
        CreatedAt = LongAgo,
        StartedAt = LongAgo,
        Labels = Labels(stack, component, workload),
        Annotations = ledger.Count == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { [PortalLabels.SecretRevisionsAnnotation] = SecretRevisionLedger.Format(ledger) },
        OwnerReferences = [new OwnerReference(owner.Kind, owner.Name, owner.Uid)],
        Phase = PodPhase.Running,
        NodeName = "node-1",
        Conditions = [new ObservedCondition(ObservedPod.ReadyCondition, ConditionStatus.True)],
        Containers = [new ObservedContainer { Name = workload.Length == 0 ? component : workload, Image = image, Ready = true, StartedAt = LongAgo }],
    };
}
