using Portal.Domain.Status.Observation;

namespace Portal.Provisioning.Live;

/// <summary>Identifies one cached object: kind, namespace and name.</summary>
internal readonly record struct ObjectKey(string Kind, string Namespace, string Name)
{
    public static ObjectKey Of(ObservedObject obj) => new(obj.Kind, obj.Namespace, obj.Name);

    public override string ToString() => Namespace.Length == 0 ? $"{Kind}/{Name}" : $"{Kind} {Namespace}/{Name}";
}

/// <summary>The observed objects of one cluster and the recent events about them, indexed for one stack at a time.</summary>
/// <remarks>
/// Holds Domain observation records only (no KubernetesClient object, no Secret value), so its size follows the number of
/// the portal's objects. Events are not labelled: one is kept only while the object it is about is cached, at most
/// <see cref="LiveOptions.MaxEventsPerObject"/> per object and none older than <see cref="LiveOptions.EventMaxAge"/>. An event
/// can arrive before its object (a pod's first event and the pod race each other): such events wait a short while, bounded,
/// for their object. Every change returns the namespaces it touched, so that only their stacks are evaluated again.
/// Thread-safe: one lock guards everything, and nothing slow runs under it.
/// </remarks>
internal sealed class ObservationStore(LiveOptions options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, ObservedObject> _objects = [];
    private readonly Dictionary<string, HashSet<ObjectKey>> _byNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ObjectKey> _byUid = new(StringComparer.Ordinal);

    // Kept events by the uid of the object they are about, then by the event's own namespace and name.
    private readonly Dictionary<string, Dictionary<EventKey, ObservedEvent>> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<EventKey, string> _eventSubjects = [];
    private readonly Dictionary<EventKey, PendingEvent> _pending = [];

    /// <summary>Objects cached (events not counted).</summary>
    public int ObjectCount
    {
        get
        {
            lock (_gate)
            {
                return _objects.Count;
            }
        }
    }

    /// <summary>Events kept about cached objects.</summary>
    public int EventCount
    {
        get
        {
            lock (_gate)
            {
                return _eventSubjects.Count;
            }
        }
    }

    /// <summary>Events waiting for the object they are about.</summary>
    public int PendingEventCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Every cached object, events excluded.</summary>
    public IReadOnlyList<ObservedObject> Objects()
    {
        lock (_gate)
        {
            return [.. _objects.Values];
        }
    }

    /// <summary>Every kept event.</summary>
    public IReadOnlyList<ObservedEvent> Events()
    {
        lock (_gate)
        {
            return [.. _events.Values.SelectMany(bucket => bucket.Values)];
        }
    }

    /// <summary>The objects of <paramref name="stack"/> in its namespace (by the stack label, or without one: a Secret its workload
    /// wrote) and the events about them.</summary>
    public StackObservation Observe(string stack, string @namespace, DateTimeOffset now)
    {
        var oldest = now - options.EventMaxAge;
        var found = new List<ObservedObject>();
        lock (_gate)
        {
            if (!_byNamespace.TryGetValue(@namespace, out var keys))
            {
                return StackObservation.Empty(stack);
            }

            foreach (var key in keys)
            {
                // A namespace holds one stack; an object without a stack label there was written by one of its workloads.
                var obj = _objects[key];
                if (obj.Stack is { } labelled && labelled != stack)
                {
                    continue;
                }

                found.Add(obj);
                if (obj.Uid.Length > 0 && _events.TryGetValue(obj.Uid, out var bucket))
                {
                    found.AddRange(bucket.Values.Where(e => e.When >= oldest));
                }
            }
        }

        return StackObservation.Create(stack, found);
    }

    /// <summary>Adds or replaces an object; nothing changes when the cache already has this resourceVersion.</summary>
    public IReadOnlySet<string> Upsert(ObservedObject obj, DateTimeOffset now)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        lock (_gate)
        {
            UpsertLocked(obj, now, changed);
        }

        return changed;
    }

    public IReadOnlySet<string> Delete(string kind, string @namespace, string name)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        lock (_gate)
        {
            DeleteLocked(new ObjectKey(kind, @namespace, name), changed);
        }

        return changed;
    }

    /// <summary>A fresh list replaces what the cache holds from the same list and watch (<paramref name="owned"/>): objects not
    /// listed are gone.</summary>
    public IReadOnlySet<string> Replace(Func<ObservedObject, bool> owned, IReadOnlyList<ObservedObject> listed, DateTimeOffset now)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        lock (_gate)
        {
            var keep = listed.Select(ObjectKey.Of).ToHashSet();
            foreach (var gone in _objects.Where(p => owned(p.Value) && !keep.Contains(p.Key)).Select(p => p.Key).ToList())
            {
                DeleteLocked(gone, changed);
            }

            foreach (var obj in listed)
            {
                UpsertLocked(obj, now, changed);
            }
        }

        return changed;
    }

    /// <summary>Adds or replaces an event when the object it is about is cached; holds it a while otherwise.</summary>
    public IReadOnlySet<string> UpsertEvent(ObservedEvent observed, DateTimeOffset now)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        lock (_gate)
        {
            UpsertEventLocked(observed, now, changed);
        }

        return changed;
    }

    public IReadOnlySet<string> DeleteEvent(string @namespace, string name)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        lock (_gate)
        {
            DeleteEventLocked(new EventKey(@namespace, name), changed);
        }

        return changed;
    }

    /// <summary>A fresh list of events replaces every event the cache holds or holds back.</summary>
    public IReadOnlySet<string> ReplaceEvents(IReadOnlyList<ObservedEvent> listed, DateTimeOffset now)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        lock (_gate)
        {
            var keep = listed.Select(e => new EventKey(e.Namespace, e.Name)).ToHashSet();
            foreach (var gone in _eventSubjects.Keys.Concat(_pending.Keys).Where(k => !keep.Contains(k)).ToList())
            {
                DeleteEventLocked(gone, changed);
            }

            foreach (var observed in listed)
            {
                UpsertEventLocked(observed, now, changed);
            }
        }

        return changed;
    }

    /// <summary>Drops events past their age and held events whose object never came.</summary>
    public IReadOnlySet<string> Prune(DateTimeOffset now)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        lock (_gate)
        {
            var oldest = now - options.EventMaxAge;
            foreach (var (key, subject) in _eventSubjects.ToList())
            {
                if (_events.TryGetValue(subject, out var bucket) && bucket.TryGetValue(key, out var kept) && kept.When < oldest)
                {
                    DeleteEventLocked(key, changed);
                }
            }

            var pendingSince = now - options.PendingEventMaxAge;
            foreach (var (key, pending) in _pending.ToList())
            {
                if (pending.Since < pendingSince || pending.Event.When < oldest)
                {
                    _pending.Remove(key);
                }
            }
        }

        return changed;
    }

    private void UpsertLocked(ObservedObject obj, DateTimeOffset now, HashSet<string> changed)
    {
        var key = ObjectKey.Of(obj);
        _objects.TryGetValue(key, out var previous);
        if (previous is not null && previous.ResourceVersion == obj.ResourceVersion && previous.Uid == obj.Uid)
        {
            return;
        }

        if (previous is not null && previous.Uid != obj.Uid)
        {
            // The object was deleted and created again under the same name: the old one's events are about something gone.
            ForgetSubject(previous, changed);
            previous = null;
        }

        var stamped = Progress.Stamp(previous, obj, now);
        _objects[key] = stamped;
        if (!_byNamespace.TryGetValue(key.Namespace, out var keys))
        {
            keys = [];
            _byNamespace[key.Namespace] = keys;
        }

        keys.Add(key);
        changed.Add(key.Namespace);
        if (stamped.Uid.Length > 0)
        {
            _byUid[stamped.Uid] = key;
        }

        AdoptPendingEvents(stamped, now, changed);
    }

    private void DeleteLocked(ObjectKey key, HashSet<string> changed)
    {
        if (!_objects.Remove(key, out var removed))
        {
            return;
        }

        if (_byNamespace.TryGetValue(key.Namespace, out var keys))
        {
            keys.Remove(key);
            if (keys.Count == 0)
            {
                _byNamespace.Remove(key.Namespace);
            }
        }

        ForgetSubject(removed, changed);
        changed.Add(key.Namespace);
    }

    private void ForgetSubject(ObservedObject subject, HashSet<string> changed)
    {
        if (subject.Uid.Length == 0)
        {
            return;
        }

        if (_byUid.TryGetValue(subject.Uid, out var indexed) && indexed == ObjectKey.Of(subject))
        {
            _byUid.Remove(subject.Uid);
        }

        if (_events.Remove(subject.Uid, out var bucket))
        {
            foreach (var eventKey in bucket.Keys)
            {
                _eventSubjects.Remove(eventKey);
            }

            changed.Add(subject.Namespace);
        }
    }

    private void UpsertEventLocked(ObservedEvent observed, DateTimeOffset now, HashSet<string> changed)
    {
        var key = new EventKey(observed.Namespace, observed.Name);
        if (observed.When < now - options.EventMaxAge)
        {
            DeleteEventLocked(key, changed);
            return;
        }

        if (SubjectOf(observed) is not { } subject)
        {
            // Its object is not cached (yet): hold it back, bounded, in case the object arrives.
            DeleteEventLocked(key, changed);
            _pending[key] = new PendingEvent(observed, now);
            if (_pending.Count > options.MaxPendingEvents)
            {
                var oldest = _pending.MinBy(p => p.Value.Since).Key;
                _pending.Remove(oldest);
            }

            return;
        }

        _pending.Remove(key);
        if (_eventSubjects.TryGetValue(key, out var current) && current != subject.Uid)
        {
            DeleteEventLocked(key, changed);
        }

        if (!_events.TryGetValue(subject.Uid, out var bucket))
        {
            bucket = [];
            _events[subject.Uid] = bucket;
        }

        if (bucket.TryGetValue(key, out var existing) && existing.ResourceVersion == observed.ResourceVersion)
        {
            return;
        }

        bucket[key] = observed;
        _eventSubjects[key] = subject.Uid;
        changed.Add(subject.Namespace);
        while (bucket.Count > options.MaxEventsPerObject)
        {
            var oldest = bucket.MinBy(pair => pair.Value.When).Key;
            bucket.Remove(oldest);
            _eventSubjects.Remove(oldest);
        }
    }

    private void DeleteEventLocked(EventKey key, HashSet<string> changed)
    {
        _pending.Remove(key);
        if (!_eventSubjects.Remove(key, out var subject))
        {
            return;
        }

        if (_events.TryGetValue(subject, out var bucket) && bucket.Remove(key, out var removed))
        {
            changed.Add(_byUid.TryGetValue(subject, out var owner) ? owner.Namespace : removed.Namespace);
            if (bucket.Count == 0)
            {
                _events.Remove(subject);
            }
        }
    }

    private ObservedObject? SubjectOf(ObservedEvent observed)
    {
        if (observed.InvolvedUid.Length > 0)
        {
            return _byUid.TryGetValue(observed.InvolvedUid, out var key) ? _objects[key] : null;
        }

        // An event without the object's uid (rare, hand-written) is matched by kind, namespace and name.
        return _objects.TryGetValue(new ObjectKey(observed.InvolvedObject.Kind, observed.Namespace, observed.InvolvedObject.Name), out var byName)
            && byName.Uid.Length > 0
                ? byName
                : null;
    }

    private void AdoptPendingEvents(ObservedObject subject, DateTimeOffset now, HashSet<string> changed)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var waiting = _pending.Values
            .Select(p => p.Event)
            .Where(e => e.InvolvedUid.Length > 0 ? e.InvolvedUid == subject.Uid : e.InvolvedObject == subject.Ref && e.Namespace == subject.Namespace)
            .ToList();
        foreach (var observed in waiting)
        {
            UpsertEventLocked(observed, now, changed);
        }
    }

    private readonly record struct EventKey(string Namespace, string Name);

    private sealed record PendingEvent(ObservedEvent Event, DateTimeOffset Since);
}

/// <summary>Stamps <see cref="ObservedObject.LastChangedAt"/>: when the cache last saw an object's spec or progress move.</summary>
/// <remarks>Progress deadlines run from this stamp, so an object that keeps making progress is never called stuck, and one that
/// stops is, however recently its status was rewritten.</remarks>
internal static class Progress
{
    public static ObservedObject Stamp(ObservedObject? previous, ObservedObject current, DateTimeOffset now)
    {
        if (previous is null)
        {
            return current;
        }

        return Moved(previous, current)
            ? current with { LastChangedAt = now }
            : current with { LastChangedAt = previous.LastChangedAt };
    }

    /// <summary>Whether the object's spec or its progress changed between two observations.</summary>
    public static bool Moved(ObservedObject previous, ObservedObject current) => (previous, current) switch
    {
        (ObservedDeployment a, ObservedDeployment b) =>
            a.Generation != b.Generation || a.ObservedGeneration != b.ObservedGeneration || a.Replicas != b.Replicas
            || a.UpdatedReplicas != b.UpdatedReplicas || a.ReadyReplicas != b.ReadyReplicas || a.AvailableReplicas != b.AvailableReplicas,
        (ObservedStatefulSet a, ObservedStatefulSet b) =>
            a.Generation != b.Generation || a.ObservedGeneration != b.ObservedGeneration || a.Replicas != b.Replicas
            || a.ReadyReplicas != b.ReadyReplicas || a.CurrentReplicas != b.CurrentReplicas || a.UpdatedReplicas != b.UpdatedReplicas
            || a.CurrentRevision != b.CurrentRevision || a.UpdateRevision != b.UpdateRevision,
        (ObservedReplicaSet a, ObservedReplicaSet b) =>
            a.Generation != b.Generation || a.Replicas != b.Replicas || a.ReadyReplicas != b.ReadyReplicas || a.AvailableReplicas != b.AvailableReplicas,
        (ObservedPersistentVolumeClaim a, ObservedPersistentVolumeClaim b) => a.Phase != b.Phase,
        (ObservedService a, ObservedService b) => !a.LoadBalancerAddresses.SequenceEqual(b.LoadBalancerAddresses, StringComparer.Ordinal),
        (ObservedIngress a, ObservedIngress b) =>
            !a.LoadBalancerAddresses.SequenceEqual(b.LoadBalancerAddresses, StringComparer.Ordinal) || !a.Hosts.SequenceEqual(b.Hosts, StringComparer.Ordinal),
        _ => false,
    };
}
