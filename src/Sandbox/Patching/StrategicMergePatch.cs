using System.Text.Json.Nodes;

namespace Portal.Sandbox.Patching;

/// <summary>
/// Kubernetes strategic merge patch: like a JSON merge patch, except keyed lists (containers, env, ports, volumes…)
/// merge item by item and the <c>$patch</c>, <c>$retainKeys</c>, <c>$setElementOrder</c> and
/// <c>$deleteFromPrimitiveList</c> directives kubectl sends are honoured.
/// </summary>
internal static class StrategicMergePatch
{
    private const string SetElementOrder = "$setElementOrder/";
    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

    public static JsonObject Apply(JsonObject target, JsonObject patch) => MergeObject(target, patch, "");

    private static JsonObject MergeObject(JsonObject target, JsonObject patch, string field)
    {
        var directive = (patch["$patch"] as JsonValue)?.GetValue<string>();
        if (directive == "replace")
        {
            return Clean(patch);
        }

        foreach (var (key, value) in patch)
        {
            if (key.StartsWith('$'))
            {
                continue;
            }

            switch (value)
            {
                case null:
                    target.Remove(key);
                    break;
                case JsonObject patchChild when (patchChild["$patch"] as JsonValue)?.GetValue<string>() == "delete":
                    target.Remove(key);
                    break;
                case JsonObject patchChild:
                    Set(target, key, target[key] is JsonObject existing ? MergeObject(existing, patchChild, key) : Clean(patchChild));
                    break;
                case JsonArray patchList:
                    var (kind, mergeKey) = ListSchema.For(key, field);
                    Set(target, key, kind switch
                    {
                        ListKind.Keyed => MergeKeyed(target[key] as JsonArray, patchList, key, mergeKey),
                        ListKind.Set => Union(target[key] as JsonArray, patchList),
                        _ => CleanArray(patchList),
                    });
                    break;
                default:
                    target[key] = value.DeepClone();
                    break;
            }
        }

        foreach (var (key, value) in patch)
        {
            if (key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal) && value is JsonArray doomed && target[key[DeleteFromPrimitiveList.Length..]] is JsonArray list)
            {
                foreach (var item in list.ToList())
                {
                    if (doomed.Any(d => JsonNode.DeepEquals(d, item)))
                    {
                        list.Remove(item);
                    }
                }
            }
        }

        foreach (var (key, value) in patch)
        {
            if (key.StartsWith(SetElementOrder, StringComparison.Ordinal) && value is JsonArray order)
            {
                var listField = key[SetElementOrder.Length..];
                if (target[listField] is JsonArray list)
                {
                    target[listField] = Reorder(list, order, ListSchema.For(listField, field).Key);
                }
            }
        }

        if (patch["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => k?.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            foreach (var key in target.Select(p => p.Key).ToList())
            {
                if (!keep.Contains(key))
                {
                    target.Remove(key);
                }
            }
        }

        return target;
    }

    private static JsonArray MergeKeyed(JsonArray? existing, JsonArray patch, string field, string mergeKey)
    {
        if (patch.OfType<JsonObject>().Any(i => (i["$patch"] as JsonValue)?.GetValue<string>() == "replace"))
        {
            return new JsonArray([.. patch.OfType<JsonObject>().Where(i => (i["$patch"] as JsonValue)?.GetValue<string>() != "replace").Select(i => (JsonNode)Clean(i))]);
        }

        var result = existing ?? [];
        foreach (var item in patch)
        {
            if (item is not JsonObject patchItem || patchItem[mergeKey] is null)
            {
                result.Add(item?.DeepClone());
                continue;
            }

            var match = result.OfType<JsonObject>().FirstOrDefault(i => JsonNode.DeepEquals(i[mergeKey], patchItem[mergeKey]));
            if ((patchItem["$patch"] as JsonValue)?.GetValue<string>() == "delete")
            {
                if (match is not null)
                {
                    result.Remove(match);
                }

                continue;
            }

            if (match is null)
            {
                result.Add(Clean(patchItem));
            }
            else
            {
                var index = result.IndexOf(match);
                var merged = MergeObject(match, patchItem, field);
                if (!ReferenceEquals(merged, match))
                {
                    result[index] = merged;
                }
            }
        }

        return result;
    }

    private static JsonArray Union(JsonArray? existing, JsonArray patch)
    {
        var result = existing ?? [];
        foreach (var item in patch)
        {
            if (!result.Any(i => JsonNode.DeepEquals(i, item)))
            {
                result.Add(item?.DeepClone());
            }
        }

        return result;
    }

    private static void Set(JsonObject target, string key, JsonNode? value)
    {
        if (!target.TryGetPropertyValue(key, out var current) || !ReferenceEquals(current, value))
        {
            target[key] = value;
        }
    }

    private static JsonArray Reorder(JsonArray list, JsonArray order, string mergeKey)
    {
        JsonNode? KeyOf(JsonNode? item) => mergeKey.Length > 0 && item is JsonObject o ? o[mergeKey] : item;
        var items = list.ToList();
        var ordered = new List<JsonNode?>();
        foreach (var wanted in order)
        {
            var wantedKey = KeyOf(wanted);
            var match = items.FirstOrDefault(i => JsonNode.DeepEquals(KeyOf(i), wantedKey));
            if (match is not null)
            {
                ordered.Add(match);
                items.Remove(match);
            }
        }

        ordered.AddRange(items);
        return new JsonArray([.. ordered.Select(i => i?.DeepClone())]);
    }

    /// <summary>A copy with every directive removed: what a new item looks like once stored.</summary>
    private static JsonObject Clean(JsonObject source)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            if (key.StartsWith('$'))
            {
                continue;
            }

            result[key] = value switch
            {
                JsonObject o => Clean(o),
                JsonArray a => CleanArray(a),
                _ => value?.DeepClone(),
            };
        }

        return result;
    }

    private static JsonArray CleanArray(JsonArray source) =>
        new([.. source.Select(i => i is JsonObject o ? Clean(o) : i?.DeepClone())]);
}
