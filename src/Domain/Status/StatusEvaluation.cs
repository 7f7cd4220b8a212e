using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;
using Portal.Domain.Status.Observation;

namespace Portal.Domain.Status;

/// <summary>One evaluation of a stack's status: memoizes component and relation states while it walks requirer → provider.</summary>
internal sealed partial class StatusEvaluation
{
    private readonly StackSpec _stack;
    private readonly ComponentCatalog _catalog;
    private readonly StackObservation _observation;
    private readonly PortalFacts _facts;
    private readonly DateTimeOffset _now;
    private readonly ResourceHealthEvaluator _health;

    private readonly Dictionary<string, Assessment> _own = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Evaluated> _final = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RelationState> _relations = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inProgress = new(StringComparer.Ordinal);

    public StatusEvaluation(
        StackSpec stack, ComponentCatalog catalog, StackObservation observation, PortalFacts facts, DateTimeOffset now, ResourceHealthEvaluator health)
    {
        _stack = stack;
        _catalog = catalog;
        _observation = observation;
        _facts = facts;
        _now = now;
        _health = health;
    }

    public StackStatus Run()
    {
        var liveRevisions = LiveSecretRevisions();
        var components = _stack.Components.Select(c => WithLedger(Component(c.Name), liveRevisions)).ToList();
        var relations = _stack.Relations.Select(Relation).ToList();
        return new StackStatus(_stack.Name, StackStatus.Worst(components.Select(c => c.Status)), components, relations);
    }

    public ComponentState Component(string name) => Final(name).State;

    // The live revision of each portal-managed Secret of the stack (those without the annotation are not in the ledger).
    private Dictionary<string, int> LiveSecretRevisions() =>
        _observation.All<ObservedSecret>().Where(s => s.Revision is not null).ToDictionary(s => s.Name, s => s.Revision!.Value, StringComparer.Ordinal);

    // The ledger of one component: its running pods (not being deleted) that loaded an older revision than the live one.
    private ComponentState WithLedger(ComponentState state, Dictionary<string, int> liveRevisions)
    {
        if (liveRevisions.Count == 0)
        {
            return state;
        }

        var pods = _observation.ForComponent(state.Component).OfType<ObservedPod>()
            .Where(p => p.DeletionRequestedAt is null && p.Phase is PodPhase.Running or PodPhase.Pending)
            .Select(p => new Secrets.PodSecretLoad(p.WorkloadName, p.Name, p.SecretRevisions));
        var stale = Secrets.SecretLedger.StaleBySecret(liveRevisions, pods);
        return stale.Count == 0 ? state : state with { StaleSecrets = stale };
    }

    /// <summary>The final status: the component's own findings plus those of the relations it requires.</summary>
    private Evaluated Final(string name)
    {
        if (_final.TryGetValue(name, out var done))
        {
            return done;
        }

        var own = Own(name);
        if (!_inProgress.Add(name))
        {
            // A cycle of relations: use what the component shows by itself rather than loop.
            return own.AsEvaluated();
        }

        try
        {
            var findings = own.Findings.ToList();
            if (own.Kind is { } kind)
            {
                findings.AddRange(RequiredRelationFindings(own.Spec, kind));
            }

            var evaluated = own.Conclude(findings);
            _final[name] = evaluated;
            return evaluated;
        }
        finally
        {
            _inProgress.Remove(name);
        }
    }

    private IEnumerable<Finding> RequiredRelationFindings(ComponentSpec component, ComponentKind kind)
    {
        foreach (var endpoint in kind.Endpoints.Where(e => e.Role == EndpointRole.Requires))
        {
            var relations = _stack.Relations
                .Where(r => r.Requirer.Component == component.Name && r.Requirer.Endpoint == endpoint.Name)
                .ToList();
            var notReady = endpoint.MissingMessage ?? $"{endpoint.Name} relation not ready";

            if (relations.Count == 0)
            {
                if (endpoint.Required)
                {
                    yield return MissingRelation(component, endpoint, notReady);
                }

                continue;
            }

            foreach (var relation in relations)
            {
                var state = Relation(relation);
                if (state.Status == RelationStatus.Healthy || state.FirstProblem is not { } problem)
                {
                    continue;
                }

                var cause = new StatusCause(CauseKind.Relation, relation.Key, problem.Message, problem.Action ?? $"Check the relation {relation}")
                {
                    Relation = relation,
                    WaitingOn = problem.WaitingOn,
                };

                if (state.Status == RelationStatus.Broken)
                {
                    yield return new Finding(Rank.BrokenRelation, ComponentStatus.Blocked, $"{notReady}: {problem.Message}", cause);
                }
                else if (problem.Name == RelationChecks.Wiring)
                {
                    yield return new Finding(Rank.PendingRelation, ComponentStatus.Maintenance, $"{notReady}: {problem.Message}", cause);
                }
                else
                {
                    var message = problem.WaitingOn is { } other ? $"{notReady} (waiting for {other})" : $"{notReady}: {problem.Message}";
                    yield return new Finding(Rank.PendingRelation, ComponentStatus.Waiting, message, cause);
                }
            }
        }
    }

    private Finding MissingRelation(ComponentSpec component, EndpointDefinition endpoint, string message)
    {
        var endpointRef = new EndpointRef(component.Name, endpoint.Name);
        var candidates = _stack.Components
            .Where(c => c.Name != component.Name && _catalog.TryGet(c.Kind, out _))
            .SelectMany(c => _catalog.Get(c.Kind).Endpoints
                .Where(e => e.Role == EndpointRole.Provides && e.Interface == endpoint.Interface)
                .Select(e => new EndpointRef(c.Name, e.Name).ToString()))
            .ToList();
        var action = candidates.Count > 0
            ? $"Relate {endpointRef} to {string.Join(" or ", candidates)}"
            : $"Add a component that provides {endpoint.Interface} and relate {endpointRef} to it";
        return new Finding(Rank.MissingRelation, ComponentStatus.Blocked, message,
            new StatusCause(CauseKind.MissingRelation, endpointRef.ToString(), $"{endpointRef} has no relation", action));
    }

    /// <summary>The component's own findings: config, activity, objects and kind rules, without the relations it requires.</summary>
    private Assessment Own(string name)
    {
        if (_own.TryGetValue(name, out var cached))
        {
            return cached;
        }

        var spec = _stack.Component(name);
        if (!_catalog.TryGet(spec.Kind, out var kind))
        {
            var unknown = new Assessment(spec, null, false, [], [
                new Finding(Rank.PortalReported, ComponentStatus.Unknown, $"unknown kind '{spec.Kind}'",
                    new StatusCause(CauseKind.Configuration, name, $"the catalog has no kind '{spec.Kind}'", $"Remove {name} or change its kind")),
            ], "");
            _own[name] = unknown;
            return unknown;
        }

        var context = new ComponentContext(spec, kind, ObjectsOf(name)) { Expected = ExpectedObjects(spec, kind) };
        // Kinds without objects of their own (lego, an external database) are "deployed" as soon as they are in the stack,
        // unless a running operation has still to apply them.
        context.NotDeployed = !_facts.Deployed.Contains(name)
            && context.Objects.Count == 0
            && (context.Expected.Count > 0 || _facts.Queued.Contains(name));
        var resources = ResourceHealths(context);
        var findings = new List<Finding>();

        if (_facts.Blocked.TryGetValue(name, out var blocked))
        {
            findings.Add(new Finding(Rank.PortalReported, ComponentStatus.Blocked, blocked,
                new StatusCause(CauseKind.PortalReported, name, blocked, $"Resolve what the portal reported for {name}: {blocked}")));
        }

        findings.AddRange(KindFindings(context));
        findings.AddRange(ResourceFindings(context, resources));

        if (_facts.Applying.TryGetValue(name, out var step))
        {
            findings.Add(new Finding(Rank.Activity, ComponentStatus.Maintenance, step,
                new StatusCause(CauseKind.Activity, name, step, $"Wait for the portal to finish: {step}")));
        }

        if (context.NotDeployed)
        {
            findings.Add(_facts.Queued.Contains(name)
                ? new Finding(Rank.NotDeployed, ComponentStatus.Waiting, "not deployed yet (queued in the running operation)",
                    new StatusCause(CauseKind.NotDeployed, name, "not deployed yet", $"Wait for the running operation to deploy {name}"))
                : new Finding(Rank.NotDeployed, ComponentStatus.Unknown, "not deployed yet",
                    new StatusCause(CauseKind.NotDeployed, name, "not deployed yet", $"Deploy the stack to create {name}")));
        }

        var assessment = new Assessment(spec, kind, context.NotDeployed, resources, findings, ActiveMessage(context));
        _own[name] = assessment;
        return assessment;
    }

    private List<ObservedObject> ObjectsOf(string component)
    {
        var objects = _observation.ForComponent(component).ToList();
        // Pods without the component label (a template someone edited) still belong to the component's workloads.
        var workloads = objects.Where(o => o is ObservedDeployment or ObservedStatefulSet or ObservedJob).ToList();
        foreach (var pod in workloads.SelectMany(_observation.PodsOf))
        {
            if (!objects.Contains(pod))
            {
                objects.Add(pod);
            }
        }

        return objects;
    }

    /// <summary>The Deployments, StatefulSets and Ingresses the component must have once deployed (Jobs are one-off, so not expected).</summary>
    private List<ObjectRef> ExpectedObjects(ComponentSpec component, ComponentKind kind)
    {
        if (kind.Name == Catalog.Kinds.NginxIngressKind.Name)
        {
            return ProvidedRelations(component.Name, Interfaces.NginxRoute)
                .Select(r => new ObjectRef(ObjectKinds.Ingress, ObjectNames.Ingress(component.Name, r.Requirer.Component)))
                .Distinct()
                .ToList();
        }

        if (kind.Name == Catalog.Kinds.PostgresqlKind.Name && IsExternalDatabase(component, kind))
        {
            return [];
        }

        return kind.Workloads
            .Where(w => w.Type is WorkloadType.Deployment or WorkloadType.StatefulSet)
            .Select(w => new ObjectRef(
                w.Type == WorkloadType.Deployment ? ObjectKinds.Deployment : ObjectKinds.StatefulSet,
                ObjectNames.Workload(component.Name, w.Name)))
            .ToList();
    }

    private List<ResourceHealth> ResourceHealths(ComponentContext context)
    {
        var healths = context.Objects
            .Where(o => o is not ObservedEvent)
            .Select(o => _health.Evaluate(o, _observation, _now))
            .ToList();

        // A missing object is only a problem once the component is deployed and nothing is applying it right now.
        var name = context.Spec.Name;
        if (!context.NotDeployed && !_facts.Applying.ContainsKey(name) && !_facts.Queued.Contains(name))
        {
            var present = context.Objects.Select(o => o.Ref).ToHashSet();
            healths.AddRange(context.Expected
                .Where(expected => !present.Contains(expected))
                .Select(expected => ResourceHealth.Missing(expected, $"Redeploy {name}: {expected.Kind} {expected.Name} is missing")));
        }

        return healths.OrderBy(h => KindOrder(h.Resource.Kind)).ThenBy(h => h.Resource.Name, StringComparer.Ordinal).ToList();
    }

    private static int KindOrder(string kind) => kind switch
    {
        ObjectKinds.Deployment => 0,
        ObjectKinds.StatefulSet => 1,
        ObjectKinds.Job => 2,
        ObjectKinds.ReplicaSet => 3,
        ObjectKinds.Pod => 4,
        ObjectKinds.PersistentVolumeClaim => 5,
        ObjectKinds.Service => 6,
        ObjectKinds.Ingress => 7,
        ObjectKinds.Secret => 8,
        ObjectKinds.ConfigMap => 9,
        _ => 10,
    };

    /// <summary>Error, blocked, progressing and unknown findings from the component's objects.</summary>
    private IEnumerable<Finding> ResourceFindings(ComponentContext context, List<ResourceHealth> resources)
    {
        var considered = resources.Where(h => Counts(context, h)).ToList();

        var broken = considered
            .Where(h => h.Status is HealthStatus.Degraded or HealthStatus.Missing)
            .OrderBy(h => ErrorSpecificity(h))
            .ToList();
        if (broken.Count > 0)
        {
            var first = broken[0];
            var subject = Subject(context, first);
            var others = broken.Select(h => Subject(context, h)).Distinct(StringComparer.Ordinal).Count() - 1;
            var more = others > 0 ? $" (and {TimeText.Plural(others, "more problem")})" : "";
            yield return new Finding(Rank.ResourceError, ComponentStatus.Error, $"{subject}: {first.Message}{more}", ResourceCause(context, first));
        }

        if (considered.FirstOrDefault(h => h.Status == HealthStatus.Suspended) is { } suspended)
        {
            yield return new Finding(Rank.Suspended, ComponentStatus.Blocked, $"{Subject(context, suspended)}: {suspended.Message}",
                ResourceCause(context, suspended));
        }

        var progressing = considered
            .Where(h => h.Status == HealthStatus.Progressing)
            .OrderBy(h => ProgressSpecificity(h.Resource.Kind))
            .FirstOrDefault();
        if (progressing is not null)
        {
            var (status, message) = ProgressingText(context, progressing);
            yield return new Finding(Rank.Progressing, status, message, ResourceCause(context, progressing));
        }

        if (considered.FirstOrDefault(h => h.Status == HealthStatus.Unknown) is { } unknown)
        {
            yield return new Finding(Rank.UnknownHealth, ComponentStatus.Unknown, $"{Subject(context, unknown)}: {unknown.Message}",
                ResourceCause(context, unknown));
        }
    }

    /// <summary>Whether an object's health counts toward the component's status.</summary>
    private bool Counts(ComponentContext context, ResourceHealth health)
    {
        switch (context.Find(health.Resource))
        {
            case ObservedReplicaSet:
                // The Deployment speaks for its ReplicaSets, except when one cannot create pods (quota, admission).
                return health.Status == HealthStatus.Degraded;
            case ObservedPod pod when pod.ControllerOwner is { Kind: ObjectKinds.Job } owner:
                // A Job's pods count while the Job runs, and only for errors it cannot retry away (an image that cannot be pulled).
                return _observation.Find(new ObjectRef(ObjectKinds.Job, owner.Name)) is ObservedJob { IsFinished: false }
                    && pod.Phase != PodPhase.Failed
                    && health.Status == HealthStatus.Degraded;
            default:
                return true;
        }
    }

    private static int ErrorSpecificity(ResourceHealth health) => health.Status == HealthStatus.Missing ? 2 : health.Resource.Kind switch
    {
        ObjectKinds.Pod => 0,
        ObjectKinds.Job => 1,
        ObjectKinds.PersistentVolumeClaim => 3,
        ObjectKinds.Ingress => 4,
        ObjectKinds.Service => 5,
        ObjectKinds.Deployment or ObjectKinds.StatefulSet => 6,
        _ => 7,
    };

    private static int ProgressSpecificity(string kind) => kind switch
    {
        ObjectKinds.PersistentVolumeClaim => 0,
        ObjectKinds.Ingress => 1,
        ObjectKinds.Service => 2,
        ObjectKinds.Job => 3,
        ObjectKinds.Deployment or ObjectKinds.StatefulSet => 4,
        ObjectKinds.Pod => 5,
        _ => 6,
    };

    /// <summary>How a message names an object: a pod by its workload (<c>airbyte-server</c>), anything else by its name.</summary>
    private static string Subject(ComponentContext context, ResourceHealth health) =>
        context.Find(health.Resource) is ObservedPod pod ? pod.WorkloadName : health.Resource.Name;

    private StatusCause ResourceCause(ComponentContext context, ResourceHealth health)
    {
        var action = health.Action ?? $"Check {health.Resource}";
        // An object that serves one relation the component provides (a route's Ingress, a bucket Job labelled with the
        // relation) makes that relation wait, not the component's other relations.
        var label = context.Find(health.Resource)?.Relation;
        var served = _stack.Relations
            .Where(r => r.Provider.Component == context.Spec.Name)
            .FirstOrDefault(r => r.LabelValue == label
                || (r.Interface == Interfaces.NginxRoute && health.Resource.Kind == ObjectKinds.Ingress
                    && ObjectNames.Ingress(context.Spec.Name, r.Requirer.Component) == health.Resource.Name));
        if (served is not null)
        {
            return new StatusCause(CauseKind.ProvidedRelation, health.Resource.ToString(), health.Message, action) { Relation = served, Resource = health };
        }

        return new StatusCause(CauseKind.Resource, health.Resource.ToString(), health.Message, action) { Resource = health };
    }

    private IEnumerable<RelationSpec> ProvidedRelations(string component, string @interface) =>
        _stack.Relations.Where(r => r.Provider.Component == component && r.Interface == @interface);

    private IEnumerable<RelationSpec> RequiredRelations(string component, string @interface) =>
        _stack.Relations.Where(r => r.Requirer.Component == component && r.Interface == @interface);

    /// <summary>Everything the rules of one component read.</summary>
    private sealed class ComponentContext
    {
        private readonly Dictionary<ObjectRef, ObservedObject> _byRef;

        public ComponentContext(ComponentSpec spec, ComponentKind kind, List<ObservedObject> objects)
        {
            Spec = spec;
            Kind = kind;
            Objects = objects;
            _byRef = objects.GroupBy(o => o.Ref).ToDictionary(g => g.Key, g => g.Last());
        }

        public ComponentSpec Spec { get; }

        public ComponentKind Kind { get; }

        public List<ObservedObject> Objects { get; }

        public List<ObjectRef> Expected { get; set; } = [];

        public bool NotDeployed { get; set; }

        public ObservedObject? Find(ObjectRef reference) => _byRef.GetValueOrDefault(reference);

        public string? Option(string option) => Spec.Get(Kind, option);
    }

    /// <summary>The order in which findings win: the first one that applies names the status and the message.</summary>
    private static class Rank
    {
        public const int PortalReported = 10;
        public const int Configuration = 20;
        public const int MissingRelation = 30;
        public const int ResourceError = 40;
        public const int BrokenRelation = 50;
        public const int Suspended = 60;
        public const int Activity = 70;
        public const int NotDeployed = 80;
        public const int PendingRelation = 90;
        public const int KindWait = 100;
        public const int Progressing = 110;
        public const int Unchecked = 115;
        public const int UnknownHealth = 120;
    }

    /// <summary>One reason a component is not active, with its rank among the others.</summary>
    private sealed record Finding(int Rank, ComponentStatus Status, string Message, StatusCause Cause);

    /// <summary>A component's state with every finding behind it (a provider check ignores findings about other relations).</summary>
    private sealed record Evaluated(ComponentState State, IReadOnlyList<Finding> Findings);

    /// <summary>A component's own assessment, before the relations it requires are added.</summary>
    private sealed record Assessment(
        ComponentSpec Spec, ComponentKind? Kind, bool NotDeployed, List<ResourceHealth> Resources, List<Finding> Findings, string ActiveMessage)
    {
        public Evaluated AsEvaluated() => Conclude(Findings);

        public Evaluated Conclude(List<Finding> findings)
        {
            var ordered = findings.OrderBy(f => f.Rank).ToList();
            var state = ordered.Count == 0
                ? new ComponentState(Spec.Name, Spec.Kind, ComponentStatus.Active, ActiveMessage) { Resources = Resources }
                : new ComponentState(Spec.Name, Spec.Kind, ordered[0].Status, ordered[0].Message) { Resources = Resources, Cause = ordered[0].Cause };
            return new Evaluated(state, ordered);
        }
    }
}
