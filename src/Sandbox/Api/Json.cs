using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Sandbox.Api;

/// <summary>Small helpers over System.Text.Json.Nodes: the store keeps every object as a JSON tree.</summary>
internal static class Json
{
    // Quotes come out as \" rather than \u0022, as from the real server; readers cannot tell the difference but people can.
    public static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonNodeOptions NodeOptions { get; } = new() { PropertyNameCaseInsensitive = false };

    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(utf8, NodeOptions);
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"the body of the request was in an unknown format: {ex.Message}");
        }

        return node as JsonObject ?? throw ApiException.BadRequest("the body of the request must be a JSON object");
    }

    public static byte[] ToUtf8(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node, Compact);

    public static string? Str(this JsonNode? node, params ReadOnlySpan<string> path)
    {
        var current = Walk(node, path);
        return current is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
    }

    public static long? Long(this JsonNode? node, params ReadOnlySpan<string> path)
    {
        var current = Walk(node, path);
        if (current is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (value.TryGetValue<int>(out var i))
        {
            return i;
        }

        if (value.TryGetValue<double>(out var d))
        {
            return (long)d;
        }

        return value.TryGetValue<JsonElement>(out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var el) ? el : null;
    }

    public static bool? Bool(this JsonNode? node, params ReadOnlySpan<string> path)
    {
        var current = Walk(node, path);
        return current is JsonValue value && value.TryGetValue<bool>(out var b) ? b : null;
    }

    public static JsonObject? ObjAt(this JsonNode? node, params ReadOnlySpan<string> path) => Walk(node, path) as JsonObject;

    public static JsonArray? ArrAt(this JsonNode? node, params ReadOnlySpan<string> path) => Walk(node, path) as JsonArray;

    public static JsonNode? Walk(JsonNode? node, ReadOnlySpan<string> path)
    {
        var current = node;
        foreach (var segment in path)
        {
            if (current is not JsonObject obj || !obj.TryGetPropertyValue(segment, out current))
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>The child object at <paramref name="key"/>, created (or replacing a non-object) when missing.</summary>
    public static JsonObject Child(this JsonObject parent, string key)
    {
        if (parent[key] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    public static JsonArray ChildArray(this JsonObject parent, string key)
    {
        if (parent[key] is JsonArray existing)
        {
            return existing;
        }

        var created = new JsonArray();
        parent[key] = created;
        return created;
    }

    public static JsonObject Metadata(this JsonObject obj) => obj.Child("metadata");

    public static string Name(this JsonObject obj) => obj.Str("metadata", "name") ?? "";

    public static string Namespace(this JsonObject obj) => obj.Str("metadata", "namespace") ?? "";

    public static string Uid(this JsonObject obj) => obj.Str("metadata", "uid") ?? "";

    public static JsonObject Clone(this JsonObject obj) => (JsonObject)obj.DeepClone();

    public static bool Same(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    public static string Time(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string MicroTime(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ParseTime(string? value) =>
        value is not null && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;

    public static IEnumerable<JsonObject> Objects(this JsonArray? array) =>
        array is null ? [] : array.OfType<JsonObject>();

    /// <summary>Labels of an object as a dictionary (empty when none).</summary>
    public static Dictionary<string, string> Labels(this JsonObject obj, params ReadOnlySpan<string> path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var labels = path.Length == 0 ? obj.ObjAt("metadata", "labels") : obj.ObjAt(path);
        if (labels is null)
        {
            return result;
        }

        foreach (var (key, value) in labels)
        {
            if (value is JsonValue v && v.TryGetValue<string>(out var s))
            {
                result[key] = s;
            }
        }

        return result;
    }

    public static JsonArray ToArray(IEnumerable<JsonNode?> items)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            array.Add(item);
        }

        return array;
    }
}
