using System.Text;
using System.Text.Json.Nodes;
using Portal.Sandbox.Api;

namespace Portal.Sandbox.Storage;

/// <summary>An object as stored: its JSON tree (never mutated once stored) and its serialized bytes.</summary>
/// <remarks>
/// Keeping the bytes next to the tree lets a list of 10,000 objects be written by copying bytes instead of
/// re-serializing, which is what makes list and watch fan-out cheap.
/// </remarks>
internal sealed class StoredObject
{
    public StoredObject(ResourceType type, JsonObject node)
    {
        Type = type;
        Node = node;
        Json = Api.Json.ToUtf8(node);
        Namespace = node.Namespace();
        Name = node.Name();
        Uid = node.Uid();
        ResourceVersion = long.Parse(node.Str("metadata", "resourceVersion") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
    }

    public ResourceType Type { get; }

    public JsonObject Node { get; }

    public byte[] Json { get; }

    public string Namespace { get; }

    public string Name { get; }

    public string Uid { get; }

    public long ResourceVersion { get; }

    public string Key => StoreKey(Namespace, Name);

    public JsonObject CloneNode() => Node.Clone();

    public static string StoreKey(string ns, string name) => ns.Length == 0 ? name : $"{ns}/{name}";
}

internal enum ChangeType
{
    Added,
    Modified,
    Deleted,
}

/// <summary>One committed change, kept in the history ring for watch resumption.</summary>
internal sealed class StoreEvent(long resourceVersion, ChangeType type, StoredObject current, StoredObject? previous)
{
    private byte[]? _line;

    public long ResourceVersion { get; } = resourceVersion;

    public ChangeType Type { get; } = type;

    /// <summary>The object after the change (for a deletion: its last state, with the deletion's resourceVersion).</summary>
    public StoredObject Object { get; } = current;

    public StoredObject? Previous { get; } = previous;

    /// <summary>The newline-terminated watch line, serialized once and shared by every watcher.</summary>
    public byte[] Line => _line ??= WatchLine(TypeName(Type), Object.Json);

    public static string TypeName(ChangeType type) => type switch
    {
        ChangeType.Added => "ADDED",
        ChangeType.Modified => "MODIFIED",
        _ => "DELETED",
    };

    public static byte[] WatchLine(string type, ReadOnlySpan<byte> objectJson)
    {
        var prefix = Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":");
        var line = new byte[prefix.Length + objectJson.Length + 2];
        prefix.CopyTo(line, 0);
        objectJson.CopyTo(line.AsSpan(prefix.Length));
        line[^2] = (byte)'}';
        line[^1] = (byte)'\n';
        return line;
    }
}

/// <summary>Something told about every committed change while the store lock is held (keep it cheap).</summary>
internal interface IStoreListener
{
    void OnChange(StoreEvent change);
}

/// <summary>
/// The sandbox's etcd: objects per resource in key order, one global resourceVersion, a bounded history of
/// changes for watch resumption, and an owner index for garbage collection.
/// </summary>
/// <remarks>
/// One lock guards everything. The API layer takes it for a whole read-modify-write, which gives the same
/// linearizable behaviour as etcd transactions without any retry logic. Listeners run under the lock so that
/// watchers see changes in resourceVersion order.
/// </remarks>
internal sealed class ObjectStore
{
    private readonly Dictionary<string, SortedDictionary<string, StoredObject>> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StoredObject> _byUid = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<StoredObject>> _dependents = new(StringComparer.Ordinal);
    private readonly StoreEvent?[] _history;
    private IStoreListener[] _listeners = [];
    private int _historyStart;
    private int _historyCount;
    private long _resourceVersion;
    private long _evictedUpTo;

    public ObjectStore(int historySize, long initialResourceVersion = 0)
    {
        _history = new StoreEvent?[Math.Max(16, historySize)];
        _resourceVersion = initialResourceVersion;
        _evictedUpTo = initialResourceVersion;
    }

    public object Gate { get; } = new();

    public long ResourceVersion
    {
        get
        {
            lock (Gate)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>Raised (outside no lock guarantees) whenever anything changes: used by the state file writer.</summary>
    public event Action? Changed;

    public void AddListener(IStoreListener listener)
    {
        lock (Gate)
        {
            _listeners = [.. _listeners, listener];
        }
    }

    public void RemoveListener(IStoreListener listener)
    {
        lock (Gate)
        {
            _listeners = [.. _listeners.Where(l => l != listener)];
        }
    }

    public StoredObject? Get(ResourceType type, string ns, string name)
    {
        lock (Gate)
        {
            return _data.TryGetValue(type.Key, out var items) && items.TryGetValue(StoredObject.StoreKey(ns, name), out var found) ? found : null;
        }
    }

    public StoredObject? GetByUid(string uid)
    {
        lock (Gate)
        {
            return _byUid.GetValueOrDefault(uid);
        }
    }

    /// <summary>Objects of a type in key order (namespace, then name), optionally in one namespace, and the current resourceVersion.</summary>
    public (List<StoredObject> Items, long ResourceVersion) List(ResourceType type, string? ns)
    {
        lock (Gate)
        {
            var result = new List<StoredObject>();
            if (_data.TryGetValue(type.Key, out var items))
            {
                foreach (var item in items.Values)
                {
                    if (ns is null || ns.Length == 0 || item.Namespace == ns)
                    {
                        result.Add(item);
                    }
                }
            }

            return (result, _resourceVersion);
        }
    }

    public int Count(ResourceType type)
    {
        lock (Gate)
        {
            return _data.TryGetValue(type.Key, out var items) ? items.Count : 0;
        }
    }

    /// <summary>Objects whose ownerReferences name <paramref name="ownerUid"/>.</summary>
    public List<StoredObject> Dependents(string ownerUid)
    {
        lock (Gate)
        {
            return _dependents.TryGetValue(ownerUid, out var set) ? [.. set] : [];
        }
    }

    /// <summary>Every object in every namespaced type within <paramref name="ns"/>.</summary>
    public List<StoredObject> AllInNamespace(string ns)
    {
        lock (Gate)
        {
            return [.. _data.Values.SelectMany(d => d.Values).Where(o => o.Namespace == ns && o.Type.Namespaced)];
        }
    }

    public List<StoredObject> All()
    {
        lock (Gate)
        {
            return [.. _data.Values.SelectMany(d => d.Values)];
        }
    }

    /// <summary>Stores <paramref name="node"/> under a new resourceVersion; the caller holds <see cref="Gate"/>.</summary>
    public StoredObject Put(ResourceType type, JsonObject node)
    {
        var rv = ++_resourceVersion;
        node.Metadata()["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var stored = new StoredObject(type, node);
        var items = Items(type);
        items.TryGetValue(stored.Key, out var previous);
        items[stored.Key] = stored;
        Index(previous, stored);
        Record(new StoreEvent(rv, previous is null ? ChangeType.Added : ChangeType.Modified, stored, previous));
        return stored;
    }

    /// <summary>Removes an object, recording a DELETED event carrying its last state; the caller holds <see cref="Gate"/>.</summary>
    public StoredObject? Remove(ResourceType type, string ns, string name)
    {
        var items = Items(type);
        if (!items.Remove(StoredObject.StoreKey(ns, name), out var previous))
        {
            return null;
        }

        var rv = ++_resourceVersion;
        var last = previous.CloneNode();
        last.Metadata()["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var final = new StoredObject(type, last);
        Index(previous, null);
        Record(new StoreEvent(rv, ChangeType.Deleted, final, previous));
        return final;
    }

    /// <summary>
    /// Changes after <paramref name="resourceVersion"/> still in the history, or null when some were already
    /// evicted (the caller answers 410 Expired). Registers <paramref name="listener"/> atomically so nothing is missed.
    /// </summary>
    public List<StoreEvent>? Since(long resourceVersion, IStoreListener? listener, out long oldestAvailable)
    {
        lock (Gate)
        {
            oldestAvailable = _evictedUpTo;
            if (resourceVersion < _evictedUpTo)
            {
                return null;
            }

            var result = new List<StoreEvent>();
            for (var i = 0; i < _historyCount; i++)
            {
                var e = _history[(_historyStart + i) % _history.Length]!;
                if (e.ResourceVersion > resourceVersion)
                {
                    result.Add(e);
                }
            }

            if (listener is not null)
            {
                _listeners = [.. _listeners, listener];
            }

            return result;
        }
    }

    /// <summary>Lowest resourceVersion a watch or continue token may still resume from.</summary>
    public long OldestResumable
    {
        get
        {
            lock (Gate)
            {
                return _evictedUpTo;
            }
        }
    }

    /// <summary>Loads objects from a snapshot without recording events (start-up only).</summary>
    public void Load(IEnumerable<(ResourceType Type, JsonObject Node)> objects, long resourceVersion)
    {
        lock (Gate)
        {
            foreach (var (type, node) in objects)
            {
                var stored = new StoredObject(type, node);
                Items(type)[stored.Key] = stored;
                Index(null, stored);
            }

            _resourceVersion = Math.Max(_resourceVersion, resourceVersion);
            _evictedUpTo = _resourceVersion;
        }
    }

    private SortedDictionary<string, StoredObject> Items(ResourceType type)
    {
        if (!_data.TryGetValue(type.Key, out var items))
        {
            items = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
            _data[type.Key] = items;
        }

        return items;
    }

    private void Index(StoredObject? previous, StoredObject? current)
    {
        if (previous is not null)
        {
            _byUid.Remove(previous.Uid);
            foreach (var owner in OwnerUids(previous))
            {
                if (_dependents.TryGetValue(owner, out var set))
                {
                    set.Remove(previous);
                    if (set.Count == 0)
                    {
                        _dependents.Remove(owner);
                    }
                }
            }
        }

        if (current is not null)
        {
            _byUid[current.Uid] = current;
            foreach (var owner in OwnerUids(current))
            {
                if (!_dependents.TryGetValue(owner, out var set))
                {
                    set = [];
                    _dependents[owner] = set;
                }

                set.Add(current);
            }
        }
    }

    private static IEnumerable<string> OwnerUids(StoredObject obj) =>
        obj.Node.ArrAt("metadata", "ownerReferences").Objects().Select(o => o.Str("uid")).OfType<string>();

    private void Record(StoreEvent change)
    {
        if (_historyCount == _history.Length)
        {
            var evicted = _history[_historyStart]!;
            _evictedUpTo = evicted.ResourceVersion;
            _historyStart = (_historyStart + 1) % _history.Length;
            _historyCount--;
        }

        _history[(_historyStart + _historyCount) % _history.Length] = change;
        _historyCount++;
        foreach (var listener in _listeners)
        {
            listener.OnChange(change);
        }

        Changed?.Invoke();
    }
}
