using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;

namespace Portal.Domain.Tests.Status;

/// <summary>A Charmed Airbyte stack and a cluster observation of it that tests start from (healthy by default) and then break.</summary>
internal sealed class StatusWorld
{
    public const string StackName = "prod";
    public const string Ns = "airbyte";
    public const string IngressAddress = "203.0.113.10";

    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>When the healthy objects were created: long enough ago that no deadline matters unless a test says so.</summary>
    public static readonly DateTimeOffset LongAgo = Now - TimeSpan.FromHours(2);

    private readonly List<ObservedObject> _objects;

    private StatusWorld(StackSpec stack, List<ObservedObject> objects, PortalFacts facts)
    {
        Stack = stack;
        _objects = objects;
        Facts = facts;
    }

    public StackSpec Stack { get; private set; }

    public PortalFacts Facts { get; set; }

    public DateTimeOffset Clock { get; set; } = Now;

    public HealthDeadlines Deadlines { get; set; } = HealthDeadlines.Default;

    public IReadOnlyList<ObservedObject> Objects => _objects;

    /// <summary>Every component deployed, every relation wired, every object healthy.</summary>
    public static StatusWorld Healthy(string postgresqlMode = "external")
    {
        var stack = CharmedAirbyte(postgresqlMode);
        var objects = HealthyObjects(stack);
        var facts = new PortalFacts
        {
            Deployed = stack.Components.Select(c => c.Name).ToHashSet(),
            WiredRelations = stack.Relations.Select(r => r.Key).ToHashSet(),
            ExternalDatabases = new Dictionary<string, ExternalDatabaseCheck> { ["postgresql"] = new(Reachable: true) },
        };
        return new StatusWorld(stack, objects, facts);
    }

    /// <summary>The stack spec, nothing observed, nothing known to the portal.</summary>
    public static StatusWorld Empty(string postgresqlMode = "external") =>
        new(CharmedAirbyte(postgresqlMode), [], PortalFacts.None);

    public static StackSpec CharmedAirbyte(string postgresqlMode = "external")
    {
        var blueprint = BlueprintCatalog.CharmedAirbyte;
        var config = new Dictionary<string, Dictionary<string, string>>
        {
            ["airbyte"] = new() { ["external-hostname"] = "airbyte.example.com" },
            ["airbyte-webhooks"] = new() { ["external-hostname"] = "hooks.example.com", ["image"] = "registry.example.com/airbyte-webhooks:1.0" },
            ["oauth2-proxy"] = new() { ["provider"] = "github", ["client-id"] = "portal-client" },
            ["lego"] = new() { ["email"] = "ops@example.com" },
            ["postgresql"] = postgresqlMode == "external"
                ? new() { ["mode"] = "external", ["host"] = "db.example.com", ["port"] = "5432", ["admin-username"] = "portal_admin" }
                : new() { ["mode"] = "in-cluster" },
        };
        return new StackSpec(
            StackName,
            blueprint.Name,
            "sandbox",
            Ns,
            blueprint.Components
                .Select(c => new ComponentSpec(c.Name, c.Kind, config.TryGetValue(c.Name, out var values) ? values : new Dictionary<string, string>()))
                .ToList(),
            blueprint.Relations.ToList());
    }

    public StackStatus Evaluate() =>
        new StackStatusEvaluator(ComponentCatalog.Default, Deadlines)
            .Evaluate(Stack, StackObservation.Create(StackName, _objects), Facts, Clock);

    public ComponentState Component(string name) => Evaluate().Component(name);

    public RelationState Relation(string requirer, string provider) =>
        Evaluate().FindRelation(RelationSpec.Of(requirer, provider, "any").Key) ?? throw new KeyNotFoundException($"{requirer} → {provider}");

    public StatusWorld WithStack(Func<StackSpec, StackSpec> change)
    {
        Stack = change(Stack);
        return this;
    }

    public StatusWorld WithConfig(string component, string option, string value) => WithStack(stack => stack with
    {
        Components = stack.Components
            .Select(c => c.Name == component
                ? c with { Config = new Dictionary<string, string>(c.Config) { [option] = value } }
                : c)
            .ToList(),
    });

    public StatusWorld WithoutRelation(string requirer, string provider) => WithStack(stack => stack with
    {
        Relations = stack.Relations.Where(r => r.Key != RelationSpec.Of(requirer, provider, "any").Key).ToList(),
    });

    public T Get<T>(string name) where T : ObservedObject =>
        _objects.OfType<T>().SingleOrDefault(o => o.Name == name) ?? throw new KeyNotFoundException($"{typeof(T).Name} {name}");

    public StatusWorld Update<T>(string name, Func<T, T> change) where T : ObservedObject
    {
        var index = _objects.FindIndex(o => o is T && o.Name == name);
        if (index < 0)
        {
            throw new KeyNotFoundException($"{typeof(T).Name} {name}");
        }

        _objects[index] = change((T)_objects[index]);
        return this;
    }

    /// <summary>Changes every object of a type that matches.</summary>
    public StatusWorld UpdateAll<T>(Func<T, bool> match, Func<T, T> change) where T : ObservedObject
    {
        for (var i = 0; i < _objects.Count; i++)
        {
            if (_objects[i] is T typed && match(typed))
            {
                _objects[i] = change(typed);
            }
        }

        return this;
    }

    public StatusWorld Remove<T>(string name) where T : ObservedObject
    {
        if (_objects.RemoveAll(o => o is T && o.Name == name) == 0)
        {
            throw new KeyNotFoundException($"{typeof(T).Name} {name}");
        }

        return this;
    }

    public StatusWorld Add(params ObservedObject[] objects)
    {
        _objects.AddRange(objects);
        return this;
    }

    /// <summary>The single pod of a Deployment created by <see cref="HealthyObjects"/>.</summary>
    public static string PodOf(string deployment) => $"{deployment}-5d8f7-x1";

    /// <summary>Breaks the one container of a workload's pod with a waiting reason (and the Deployment shows it unavailable).</summary>
    public StatusWorld BreakPod(string deployment, string reason, int restarts = 0, string? message = null, int? lastExitCode = null)
    {
        Update<ObservedPod>(PodOf(deployment), pod => pod with
        {
            Conditions = [new ObservedCondition(ObservedPod.ReadyCondition, ConditionStatus.False)],
            Containers = pod.Containers.Select(c => c with
            {
                Ready = false,
                StartedAt = null,
                RestartCount = restarts,
                WaitingReason = reason,
                WaitingMessage = message,
                LastTerminatedReason = lastExitCode is null ? null : "Error",
                LastTerminatedExitCode = lastExitCode,
            }).ToList(),
        });
        return Update<ObservedDeployment>(deployment, d => d with { AvailableReplicas = 0, ReadyReplicas = 0 });
    }

    public static Dictionary<string, string> Labels(string component, string? workload = null, string? relation = null)
    {
        var labels = new Dictionary<string, string>
        {
            [PortalLabels.ManagedBy] = PortalLabels.ManagedByValue,
            [PortalLabels.Stack] = StackName,
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

    public static ObservedSecret Secret(string name, string component, IEnumerable<string> keys, int? revision = 1, string? relation = null) => new()
    {
        Namespace = Ns,
        Name = name,
        Uid = $"uid-secret-{name}",
        CreatedAt = LongAgo,
        Labels = Labels(component, relation: relation),
        Annotations = revision is { } r ? new Dictionary<string, string> { [PortalLabels.RevisionAnnotation] = r.ToString(System.Globalization.CultureInfo.InvariantCulture) } : new Dictionary<string, string>(),
        KeyNames = keys.ToList(),
    };

    public static ObservedIngress Ingress(string name, string component, params string[] addresses) => new()
    {
        Namespace = Ns,
        Name = name,
        Uid = $"uid-ingress-{name}",
        CreatedAt = LongAgo,
        Labels = Labels(component),
        IngressClassName = "nginx",
        LoadBalancerAddresses = addresses,
    };

    public static ObservedJob CompletedJob(string name, string component, string workload, string? relation = null) => new()
    {
        Namespace = Ns,
        Name = name,
        Uid = $"uid-job-{name}",
        CreatedAt = LongAgo,
        StartedAt = LongAgo,
        CompletedAt = LongAgo + TimeSpan.FromMinutes(1),
        Labels = Labels(component, workload, relation),
        Succeeded = 1,
        Conditions = [new ObservedCondition(ObservedJob.CompleteCondition, ConditionStatus.True)],
    };

    public static ObservedPod Pod(string name, string component, string workload, ObservedObject owner, string image, IReadOnlyDictionary<string, int> ledger) => new()
    {
        Namespace = Ns,
        Name = name,
        Uid = $"uid-pod-{name}",
        CreatedAt = LongAgo,
        StartedAt = LongAgo,
        Labels = Labels(component, workload),
        Annotations = ledger.Count == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { [PortalLabels.SecretRevisionsAnnotation] = SecretRevisionLedger.Format(ledger) },
        OwnerReferences = [new OwnerReference(owner.Kind, owner.Name, owner.Uid)],
        Phase = PodPhase.Running,
        NodeName = "node-1",
        Conditions = [new ObservedCondition(ObservedPod.ReadyCondition, ConditionStatus.True)],
        Containers = [new ObservedContainer { Name = workload.Length == 0 ? component : workload, Image = image, Ready = true, StartedAt = LongAgo }],
    };

    private static List<ObservedObject> HealthyObjects(StackSpec stack)
    {
        var catalog = ComponentCatalog.Default;
        var objects = new List<ObservedObject>();

        foreach (var component in stack.Components)
        {
            var kind = catalog.Get(component.Kind);
            var external = kind.Name == "postgresql" && component.Get(kind, "mode") != "in-cluster";
            // The ledger of this component's pods: the live revision of every relation Secret it requires.
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
                    Namespace = Ns, Name = name, Uid = $"uid-svc-{name}", CreatedAt = LongAgo, Labels = Labels(component.Name, workload.Name),
                    ClusterIP = "10.96.0.10",
                });

                if (workload.Type == WorkloadType.Deployment)
                {
                    var deployment = new ObservedDeployment
                    {
                        Namespace = Ns, Name = name, Uid = $"uid-deploy-{name}", CreatedAt = LongAgo, Labels = Labels(component.Name, workload.Name),
                        DesiredReplicas = 1, Replicas = 1, UpdatedReplicas = 1, ReadyReplicas = 1, AvailableReplicas = 1,
                        Conditions =
                        [
                            new ObservedCondition(ObservedDeployment.AvailableCondition, ConditionStatus.True, "MinimumReplicasAvailable"),
                            new ObservedCondition(ObservedDeployment.ProgressingCondition, ConditionStatus.True, "NewReplicaSetAvailable", LastUpdateAt: LongAgo),
                        ],
                    };
                    var replicaSet = new ObservedReplicaSet
                    {
                        Namespace = Ns, Name = $"{name}-5d8f7", Uid = $"uid-rs-{name}", CreatedAt = LongAgo, Labels = Labels(component.Name, workload.Name),
                        OwnerReferences = [new OwnerReference(ObjectKinds.Deployment, name, deployment.Uid)],
                        DesiredReplicas = 1, Replicas = 1, ReadyReplicas = 1, AvailableReplicas = 1,
                    };
                    objects.Add(deployment);
                    objects.Add(replicaSet);
                    objects.Add(Pod(PodOf(name), component.Name, workload.Name, replicaSet, image, ledger));
                }
                else
                {
                    var statefulSet = new ObservedStatefulSet
                    {
                        Namespace = Ns, Name = name, Uid = $"uid-sts-{name}", CreatedAt = LongAgo, Labels = Labels(component.Name, workload.Name),
                        DesiredReplicas = 1, Replicas = 1, ReadyReplicas = 1, CurrentReplicas = 1, UpdatedReplicas = 1,
                        CurrentRevision = $"{name}-6b9c", UpdateRevision = $"{name}-6b9c",
                        VolumeClaimTemplates = workload.Volume is { } volume ? [volume.Name] : [],
                    };
                    objects.Add(statefulSet);
                    objects.Add(Pod($"{name}-0", component.Name, workload.Name, statefulSet, image, ledger));
                    if (workload.Volume is { } claim)
                    {
                        objects.Add(new ObservedPersistentVolumeClaim
                        {
                            Namespace = Ns, Name = $"{claim.Name}-{name}-0", Uid = $"uid-pvc-{name}", CreatedAt = LongAgo, Labels = Labels(component.Name, workload.Name),
                            Phase = VolumeClaimPhase.Bound, StorageClassName = "standard", VolumeName = $"pv-{name}",
                        });
                    }
                }
            }
        }

        // One-off Jobs that have run: Airbyte's migrations, and Temporal's schema through the admin relation.
        objects.Add(CompletedJob("airbyte-bootloader", "airbyte", "bootloader"));
        var admin = stack.Relations.Single(r => r.Interface == Interfaces.Temporal);
        objects.Add(CompletedJob(ObjectNames.RelationJob(admin, RelationContracts.SchemaJobPurpose), "temporal-admin", "schema", admin.LabelValue));

        // Relation Secrets with every key the interface promises, at revision 1.
        foreach (var relation in stack.Relations.Where(r => RelationContracts.HasSecret(r.Interface)))
        {
            objects.Add(Secret(ObjectNames.RelationSecret(relation), relation.Provider.Component, RelationContracts.SecretKeys(relation.Interface), 1, relation.LabelValue));
        }

        objects.Add(Secret("airbyte-auth-secrets", "airbyte", ["instance-admin-password", "jwt-signature-secret"], revision: null));
        objects.Add(Secret(ObjectNames.ComponentSecret("oauth2-proxy"), "oauth2-proxy", ["client-secret", "cookie-secret"]));

        // Routes, each Ingress with an address, and a TLS Secret per public hostname.
        foreach (var route in stack.Relations.Where(r => r.Interface == Interfaces.NginxRoute))
        {
            objects.Add(Ingress(ObjectNames.Ingress(route.Provider.Component, route.Requirer.Component), route.Provider.Component, IngressAddress));
        }

        foreach (var host in new[] { "airbyte.example.com", "hooks.example.com" })
        {
            objects.Add(Secret(ObjectNames.TlsSecret(host), "lego", [ObservedSecret.TlsCertificateKey, ObservedSecret.TlsPrivateKeyKey]));
        }

        return objects;
    }
}
