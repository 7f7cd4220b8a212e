using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Sandbox.Api;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Hosting;

/// <summary>
/// The optional snapshot that lets a sandbox survive a restart: every object and the resourceVersion, written
/// (debounced, atomically through a temporary file) after changes and read at start.
/// </summary>
internal sealed class StateFile : IAsyncDisposable
{
    private readonly string _path;
    private readonly ObjectStore _store;
    private readonly ResourceRegistry _registry;
    private readonly TimeSpan _debounce;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Timer _timer;
    private int _dirty;

    public StateFile(string path, ObjectStore store, ResourceRegistry registry, TimeSpan debounce)
    {
        _path = Path.GetFullPath(path);
        _store = store;
        _registry = registry;
        _debounce = debounce;
        _timer = new Timer(_ => _ = FlushAsync(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Loads the snapshot if there is one; false when the cluster starts empty.</summary>
    public bool TryLoad()
    {
        if (!File.Exists(_path))
        {
            return false;
        }

        var root = JsonNode.Parse(File.ReadAllBytes(_path)) as JsonObject ?? throw new InvalidDataException($"{_path} is not a sandbox state file");
        var objects = new List<(ResourceType, JsonObject)>();
        foreach (var obj in root.ArrAt("objects").Objects())
        {
            if (_registry.FindByKind(obj.Str("apiVersion") ?? "", obj.Str("kind") ?? "") is { } type)
            {
                objects.Add((type, (JsonObject)obj.DeepClone()));
            }
        }

        _store.Load(objects, root.Long("resourceVersion") ?? 0);
        return true;
    }

    public void Start() => _store.Changed += OnChanged;

    private void OnChanged()
    {
        if (Interlocked.Exchange(ref _dirty, 1) == 0)
        {
            _timer.Change(_debounce, Timeout.InfiniteTimeSpan);
        }
    }

    public async Task FlushAsync()
    {
        await _writeGate.WaitAsync();
        try
        {
            Interlocked.Exchange(ref _dirty, 0);
            List<StoredObject> all;
            long rv;
            lock (_store.Gate)
            {
                all = _store.All();
                rv = _store.ResourceVersion;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var temp = _path + ".tmp";
            await using (var stream = File.Create(temp))
            {
                await using var writer = new Utf8JsonWriter(stream);
                writer.WriteStartObject();
                writer.WriteNumber("resourceVersion", rv);
                writer.WriteStartArray("objects");
                foreach (var obj in all)
                {
                    writer.WriteRawValue(obj.Json, skipInputValidation: true);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            File.Move(temp, _path, overwrite: true);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _store.Changed -= OnChanged;
        await _timer.DisposeAsync();
        await FlushAsync();
        _writeGate.Dispose();
    }
}
