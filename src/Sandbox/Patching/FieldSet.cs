using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Sandbox.Patching;

/// <summary>
/// A set of field paths in the real FieldsV1 shape: <c>f:name</c> for an object field, <c>k:{"name":"x"}</c> for a
/// keyed list item, <c>v:"x"</c> for a set member and <c>.</c> for "the item itself".
/// </summary>
/// <remarks>
/// This is the simplified but faithful model of structured-merge-diff the sandbox uses for managedFields: leaves are
/// the fields a manager set; keyed lists and sets are granular, every other list is atomic (a single leaf).
/// </remarks>
internal sealed class FieldSet
{
    private static readonly HashSet<string> s_unownedMetadata = new(StringComparer.Ordinal)
    {
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
        "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink",
    };

    private readonly SortedDictionary<string, FieldSet> _children = new(StringComparer.Ordinal);

    public bool IsEmpty => _children.Count == 0;

    /// <summary>Which part of an object a set describes: the main resource ignores status, the status subresource only has status.</summary>
    public enum Scope
    {
        All,
        Main,
        Status,
    }

    public static FieldSet FromObject(JsonObject obj, Scope scope)
    {
        var set = new FieldSet();
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind" || value is null)
            {
                continue;
            }

            if ((scope == Scope.Main && key == "status") || (scope == Scope.Status && key != "status"))
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject metadata)
            {
                var metaSet = new FieldSet();
                foreach (var (metaKey, metaValue) in metadata)
                {
                    if (!s_unownedMetadata.Contains(metaKey) && metaValue is not null)
                    {
                        metaSet.AddValue(metaKey, metaValue, "metadata");
                    }
                }

                if (!metaSet.IsEmpty)
                {
                    set._children["f:metadata"] = metaSet;
                }

                continue;
            }

            set.AddValue(key, value, "");
        }

        return set;
    }

    public static FieldSet FromFieldsV1(JsonObject? fields)
    {
        var set = new FieldSet();
        if (fields is null)
        {
            return set;
        }

        foreach (var (key, value) in fields)
        {
            set._children[key] = FromFieldsV1(value as JsonObject);
        }

        return set;
    }

    public JsonObject ToFieldsV1()
    {
        var result = new JsonObject();
        foreach (var (key, child) in _children)
        {
            result[key] = child.ToFieldsV1();
        }

        return result;
    }

    /// <summary>Paths to every leaf (deepest entries first is not guaranteed; callers sort when order matters).</summary>
    public List<string[]> Leaves()
    {
        var result = new List<string[]>();
        Collect([], result);
        return result;
    }

    public bool Contains(IReadOnlyList<string> path)
    {
        var current = this;
        foreach (var element in path)
        {
            if (!current._children.TryGetValue(element, out var next))
            {
                return false;
            }

            current = next;
        }

        return current.IsEmpty;
    }

    public void Add(IReadOnlyList<string> path)
    {
        var current = this;
        foreach (var element in path)
        {
            if (!current._children.TryGetValue(element, out var next))
            {
                next = new FieldSet();
                current._children[element] = next;
            }

            current = next;
        }
    }

    public void Remove(IReadOnlyList<string> path) => Remove(path, 0);

    public FieldSet Clone()
    {
        var copy = new FieldSet();
        foreach (var (key, child) in _children)
        {
            copy._children[key] = child.Clone();
        }

        return copy;
    }

    public bool SameAs(FieldSet other) => JsonNode.DeepEquals(ToFieldsV1(), other.ToFieldsV1());

    /// <summary>The value at a leaf path of <paramref name="root"/>, and whether it exists there.</summary>
    public static (bool Exists, JsonNode? Value) ValueAt(JsonObject root, IReadOnlyList<string> path)
    {
        JsonNode? current = root;
        foreach (var element in path)
        {
            if (element == ".")
            {
                return (true, current);
            }

            switch (element[0])
            {
                case 'f' when current is JsonObject obj && obj.TryGetPropertyValue(element[2..], out var child):
                    current = child;
                    break;
                case 'k' when current is JsonArray list:
                    current = FindItem(list, element);
                    if (current is null)
                    {
                        return (false, null);
                    }

                    break;
                case 'v' when current is JsonArray set:
                    var wanted = JsonNode.Parse(element[2..]);
                    return set.Any(i => JsonNode.DeepEquals(i, wanted)) ? (true, wanted) : (false, null);
                default:
                    return (false, null);
            }
        }

        return (true, current);
    }

    /// <summary>Removes the field at a leaf path from <paramref name="root"/> (nothing when it is already gone).</summary>
    public static void RemoveAt(JsonObject root, IReadOnlyList<string> path)
    {
        JsonNode? container = root;
        for (var i = 0; i < path.Count - 1; i++)
        {
            var element = path[i];
            if (i == path.Count - 2 && path[^1] == "." && element[0] == 'k' && container is JsonArray items)
            {
                var item = FindItem(items, element);
                if (item is not null)
                {
                    items.Remove(item);
                }

                return;
            }

            container = element[0] switch
            {
                'f' when container is JsonObject obj => obj[element[2..]],
                'k' when container is JsonArray list => FindItem(list, element),
                _ => null,
            };
            if (container is null)
            {
                return;
            }
        }

        var last = path[^1];
        switch (last[0])
        {
            case 'f' when container is JsonObject obj:
                obj.Remove(last[2..]);
                break;
            case 'v' when container is JsonArray set:
                var wanted = JsonNode.Parse(last[2..]);
                var match = set.FirstOrDefault(i => JsonNode.DeepEquals(i, wanted));
                if (match is not null)
                {
                    set.Remove(match);
                }

                break;
        }
    }

    /// <summary>
    /// Merges an applied configuration into a live object the way server-side apply does: maps merge field by field,
    /// keyed lists item by item, sets by value, atomic lists and scalars are replaced.
    /// </summary>
    public static void MergeApplied(JsonObject live, JsonObject applied, string field)
    {
        foreach (var (key, value) in applied)
        {
            if (value is null)
            {
                continue;
            }

            if (value is JsonObject appliedChild && live[key] is JsonObject liveChild)
            {
                MergeApplied(liveChild, appliedChild, key);
                continue;
            }

            if (value is JsonArray appliedList && live[key] is JsonArray liveList)
            {
                var (kind, mergeKey) = ListSchema.For(key, field);
                if (kind == ListKind.Keyed && appliedList.All(i => i is JsonObject o && o[mergeKey] is not null))
                {
                    foreach (var item in appliedList.OfType<JsonObject>())
                    {
                        var match = liveList.OfType<JsonObject>().FirstOrDefault(l => JsonNode.DeepEquals(l[mergeKey], item[mergeKey]));
                        if (match is null)
                        {
                            liveList.Add(item.DeepClone());
                        }
                        else
                        {
                            MergeApplied(match, item, key);
                        }
                    }

                    continue;
                }

                if (kind == ListKind.Set)
                {
                    foreach (var item in appliedList)
                    {
                        if (!liveList.Any(l => JsonNode.DeepEquals(l, item)))
                        {
                            liveList.Add(item?.DeepClone());
                        }
                    }

                    continue;
                }
            }

            live[key] = value.DeepClone();
        }
    }

    private static JsonObject? FindItem(JsonArray list, string element)
    {
        var key = JsonNode.Parse(element[2..]) as JsonObject;
        if (key is null)
        {
            return null;
        }

        return list.OfType<JsonObject>().FirstOrDefault(item => key.All(k => JsonNode.DeepEquals(item[k.Key], k.Value)));
    }

    private void AddValue(string key, JsonNode value, string parentField)
    {
        var element = "f:" + key;
        switch (value)
        {
            case JsonObject obj:
                var child = new FieldSet();
                foreach (var (childKey, childValue) in obj)
                {
                    if (childValue is not null)
                    {
                        child.AddValue(childKey, childValue, key);
                    }
                }

                _children[element] = child;
                break;
            case JsonArray list:
                var (kind, mergeKey) = ListSchema.For(key, parentField);
                if (kind == ListKind.Keyed && list.Count > 0 && list.All(i => i is JsonObject o && o[mergeKey] is not null))
                {
                    var listSet = new FieldSet();
                    foreach (var item in list.OfType<JsonObject>())
                    {
                        var itemKey = new JsonObject { [mergeKey] = item[mergeKey]!.DeepClone() };
                        var itemSet = new FieldSet();
                        itemSet._children["."] = new FieldSet();
                        foreach (var (childKey, childValue) in item)
                        {
                            if (childValue is not null)
                            {
                                itemSet.AddValue(childKey, childValue, key);
                            }
                        }

                        listSet._children["k:" + itemKey.ToJsonString()] = itemSet;
                    }

                    _children[element] = listSet;
                }
                else if (kind == ListKind.Set && list.Count > 0)
                {
                    var setSet = new FieldSet();
                    foreach (var item in list)
                    {
                        setSet._children["v:" + (item?.ToJsonString() ?? "null")] = new FieldSet();
                    }

                    _children[element] = setSet;
                }
                else
                {
                    _children[element] = new FieldSet();
                }

                break;
            default:
                _children[element] = new FieldSet();
                break;
        }
    }

    private void Collect(List<string> prefix, List<string[]> result)
    {
        foreach (var (key, child) in _children)
        {
            prefix.Add(key);
            if (child.IsEmpty)
            {
                result.Add([.. prefix]);
            }
            else
            {
                child.Collect(prefix, result);
            }

            prefix.RemoveAt(prefix.Count - 1);
        }
    }

    private bool Remove(IReadOnlyList<string> path, int index)
    {
        if (index == path.Count)
        {
            return true;
        }

        if (!_children.TryGetValue(path[index], out var child))
        {
            return false;
        }

        if (index == path.Count - 1)
        {
            if (child.IsEmpty)
            {
                _children.Remove(path[index]);
            }

            return true;
        }

        var removed = child.Remove(path, index + 1);
        if (removed && child.IsEmpty)
        {
            _children.Remove(path[index]);
        }

        return removed;
    }

    public override string ToString() => ToFieldsV1().ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
