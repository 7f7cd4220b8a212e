using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Api;

/// <summary>What a watch asks for: a type, optionally one namespace, selectors.</summary>
/// <remarks>The type is checked here too, not only by the store listener: a watch resumed from a resourceVersion replays the store's
/// history, which holds the changes of every type (a resumed ReplicaSet watch must not send the Pods and Jobs changed meanwhile).</remarks>
internal sealed record WatchFilter(ResourceType Type, string? Namespace, LabelSelector Labels, FieldSelector Fields)
{
    public bool Matches(StoredObject obj) =>
        obj.Type == Type && (string.IsNullOrEmpty(Namespace) || obj.Namespace == Namespace) && Labels.Matches(obj.Node) && Fields.Matches(obj.Node);
}

/// <summary>
/// One open watch stream: a store listener that queues the changes of its type, and the writer that turns them into
/// newline-delimited <c>{"type","object"}</c> events.
/// </summary>
/// <remarks>
/// The listener only checks type and namespace (it runs under the store lock); selectors are evaluated by the writer,
/// including the transitions a real server reports: an object whose labels stop matching arrives as DELETED, one that
/// starts matching as ADDED. A watcher that falls more than the buffer size behind is closed, as the real server
/// closes slow watchers, and the client re-lists.
/// </remarks>
internal sealed class WatchSession : IStoreListener
{
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly WatchFilter _filter;
    private readonly int _limit;
    private int _queued;

    public WatchSession(WatchFilter filter, int limit)
    {
        _filter = filter;
        _limit = limit;
    }

    public bool Overflowed { get; private set; }

    public ChannelReader<object> Reader => _queue.Reader;

    public void OnChange(StoreEvent change)
    {
        if (change.Object.Type != _filter.Type || (!string.IsNullOrEmpty(_filter.Namespace) && change.Object.Namespace != _filter.Namespace))
        {
            return;
        }

        if (_filter.Fields.Name is { } name && change.Object.Name != name)
        {
            return;
        }

        Enqueue(change);
    }

    public void Enqueue(object item)
    {
        if (Interlocked.Increment(ref _queued) > _limit)
        {
            Overflowed = true;
            _queue.Writer.TryComplete();
            return;
        }

        _queue.Writer.TryWrite(item);
    }

    public void Dequeued() => Interlocked.Decrement(ref _queued);

    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>The event line to send for a change, or null when the filter hides it.</summary>
    public byte[]? LineFor(StoreEvent change, Func<StoredObject, JsonObject>? transform)
    {
        var nowMatches = _filter.Matches(change.Object);
        var wasMatching = change.Previous is not null && _filter.Matches(change.Previous);
        string? type = change.Type switch
        {
            ChangeType.Added => nowMatches ? "ADDED" : null,
            ChangeType.Modified when nowMatches && wasMatching => "MODIFIED",
            ChangeType.Modified when nowMatches => "ADDED",
            ChangeType.Modified when wasMatching => "DELETED",
            ChangeType.Deleted => wasMatching || nowMatches ? "DELETED" : null,
            _ => null,
        };
        if (type is null)
        {
            return null;
        }

        if (transform is not null)
        {
            return StoreEvent.WatchLine(type, Json.ToUtf8(transform(change.Object)));
        }

        return type == StoreEvent.TypeName(change.Type) ? change.Line : StoreEvent.WatchLine(type, change.Object.Json);
    }

    public static byte[] BookmarkLine(ResourceType type, long resourceVersion, bool initialEventsEnd)
    {
        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (initialEventsEnd)
        {
            metadata["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }

        var obj = new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersion, ["metadata"] = metadata };
        return StoreEvent.WatchLine("BOOKMARK", Json.ToUtf8(obj));
    }

    public static byte[] ErrorLine(ApiException error) =>
        StoreEvent.WatchLine("ERROR", Encoding.UTF8.GetBytes(error.ToStatus().ToJsonString()));
}

/// <summary>A bookmark queued in order with the changes (so its resourceVersion never runs ahead of them).</summary>
internal sealed record BookmarkRequest(long ResourceVersion, bool InitialEventsEnd);
