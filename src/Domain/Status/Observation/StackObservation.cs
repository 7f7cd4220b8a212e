using Portal.Domain.Blueprints;

namespace Portal.Domain.Status.Observation;

/// <summary>The observed objects of one stack (and the events about them), with the lookups the status rules need.</summary>
/// <remarks>Immutable: the watch cache builds a new one per change batch. Lookups by name are within the stack's namespace.</remarks>
public sealed class StackObservation
{
    private readonly Dictionary<ObjectRef, ObservedObject> _byRef;
    private readonly Dictionary<(Type, string), ObservedObject> _byTypeAndName;
    private readonly ILookup<string, ObservedObject> _byComponent;
    private readonly ILookup<string, ObservedObject> _byRelation;
    private readonly ILookup<ObjectRef, ObservedObject> _byOwner;
    private readonly ILookup<ObjectRef, ObservedEvent> _eventsByObject;

    private StackObservation(string stack, IReadOnlyList<ObservedObject> objects)
    {
        Stack = stack;
        Objects = objects;
        Events = objects.OfType<ObservedEvent>().ToList();

        var resources = objects.Where(o => o is not ObservedEvent).ToList();
        _byRef = new Dictionary<ObjectRef, ObservedObject>();
        foreach (var resource in resources)
        {
            // The last write wins, as in a watch cache: a later object with the same kind and name replaced the earlier one.
            _byRef[resource.Ref] = resource;
        }

        _byTypeAndName = _byRef.Values.ToDictionary(o => (o.GetType(), o.Name));
        _byComponent = resources.Where(o => o.Component is not null).ToLookup(o => o.Component!, StringComparer.Ordinal);
        _byRelation = resources.Where(o => o.Relation is not null).ToLookup(o => o.Relation!, StringComparer.Ordinal);
        _byOwner = resources
            .SelectMany(o => o.OwnerReferences.Select(owner => (Owner: new ObjectRef(owner.Kind, owner.Name), Object: o)))
            .ToLookup(pair => pair.Owner, pair => pair.Object);
        _eventsByObject = Events.ToLookup(e => e.InvolvedObject);
    }

    public string Stack { get; }

    /// <summary>Every observed object, events included.</summary>
    public IReadOnlyList<ObservedObject> Objects { get; }

    public IReadOnlyList<ObservedEvent> Events { get; }

    public static StackObservation Create(string stack, IEnumerable<ObservedObject> objects) => new(stack, objects.ToList());

    public static StackObservation Empty(string stack) => new(stack, []);

    public IEnumerable<T> All<T>() where T : ObservedObject => _byRef.Values.OfType<T>();

    public T? Find<T>(string name) where T : ObservedObject =>
        _byTypeAndName.TryGetValue((typeof(T), name), out var found) ? (T)found : _byRef.Values.OfType<T>().FirstOrDefault(o => o.Name == name);

    public ObservedObject? Find(ObjectRef reference) => _byRef.GetValueOrDefault(reference);

    /// <summary>The objects labelled with this component (events excluded).</summary>
    public IEnumerable<ObservedObject> ForComponent(string component) => _byComponent[component];

    /// <summary>The objects labelled with this relation key (its credentials Secret, its setup Jobs…).</summary>
    public IEnumerable<ObservedObject> ForRelation(RelationSpec relation) => _byRelation[relation.LabelValue];

    /// <summary>The objects this one owns directly.</summary>
    public IEnumerable<ObservedObject> OwnedBy(ObservedObject owner) => _byOwner[owner.Ref].Where(o => o.IsOwnedBy(owner));

    /// <summary>The pods of a workload: through its ReplicaSets for a Deployment, directly for a StatefulSet or a Job.</summary>
    public IEnumerable<ObservedPod> PodsOf(ObservedObject workload) => workload switch
    {
        ObservedDeployment => OwnedBy(workload).OfType<ObservedReplicaSet>().SelectMany(rs => OwnedBy(rs).OfType<ObservedPod>()),
        _ => OwnedBy(workload).OfType<ObservedPod>(),
    };

    /// <summary>The claims of a StatefulSet's volume claim templates (<c>&lt;template&gt;-&lt;statefulset&gt;-&lt;ordinal&gt;</c>).</summary>
    public IEnumerable<ObservedPersistentVolumeClaim> ClaimsOf(ObservedStatefulSet statefulSet) =>
        All<ObservedPersistentVolumeClaim>().Where(claim =>
            statefulSet.VolumeClaimTemplates.Any(template => claim.Name.StartsWith($"{template}-{statefulSet.Name}-", StringComparison.Ordinal)));

    /// <summary>Events about an object, most recent first.</summary>
    public IReadOnlyList<ObservedEvent> EventsFor(ObservedObject subject) =>
        _eventsByObject[subject.Ref].Where(e => e.IsAbout(subject)).OrderByDescending(e => e.When).ToList();

    /// <summary>The most recent Warning events about an object.</summary>
    public IReadOnlyList<ObservedEvent> WarningsFor(ObservedObject subject, int max) =>
        EventsFor(subject).Where(e => e.Type == EventType.Warning).Take(max).ToList();
}

/// <summary>Every observed object of one cluster, split into stacks on demand.</summary>
public sealed class ClusterSnapshot
{
    public ClusterSnapshot(IEnumerable<ObservedObject> objects)
    {
        Objects = objects.ToList();
    }

    public IReadOnlyList<ObservedObject> Objects { get; }

    /// <summary>The stacks that have at least one labelled object.</summary>
    public IReadOnlyList<string> Stacks =>
        Objects.Select(o => o.Stack).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>The objects labelled with the stack in its namespace, and the events of that namespace about them.</summary>
    public StackObservation ForStack(string stack, string @namespace)
    {
        var resources = Objects
            .Where(o => o is not ObservedEvent && o.Namespace == @namespace && o.Stack == stack)
            .ToList();
        var refs = resources.Select(o => o.Ref).ToHashSet();
        var uids = resources.Select(o => o.Uid).Where(uid => uid.Length > 0).ToHashSet(StringComparer.Ordinal);
        var events = Objects
            .OfType<ObservedEvent>()
            .Where(e => e.Namespace == @namespace && (e.InvolvedUid.Length > 0 ? uids.Contains(e.InvolvedUid) : refs.Contains(e.InvolvedObject)));
        return StackObservation.Create(stack, resources.Concat(events));
    }
}
