using System.Text.Json.Nodes;
using Portal.Sandbox.Api;

namespace Portal.Sandbox.Patching;

/// <summary>One metadata.managedFields entry: which manager owns which fields through which operation.</summary>
internal sealed class ManagedFieldsEntry
{
    public required string Manager { get; init; }

    public required string Operation { get; init; }

    public required string ApiVersion { get; set; }

    public string Subresource { get; init; } = "";

    public string? Time { get; set; }

    public required FieldSet Fields { get; set; }

    public bool Is(string manager, string operation, string subresource) =>
        Manager == manager && Operation == operation && Subresource == subresource;
}

/// <summary>
/// Server-side apply and field ownership: conflicts between managers, force, removal of fields a manager stops
/// applying, and ownership moving to whoever updates a field.
/// </summary>
internal static class ManagedFields
{
    public static List<ManagedFieldsEntry> Read(JsonObject? obj)
    {
        var result = new List<ManagedFieldsEntry>();
        foreach (var entry in obj.ArrAt("metadata", "managedFields").Objects())
        {
            result.Add(new ManagedFieldsEntry
            {
                Manager = entry.Str("manager") ?? "",
                Operation = entry.Str("operation") ?? "Update",
                ApiVersion = entry.Str("apiVersion") ?? "",
                Subresource = entry.Str("subresource") ?? "",
                Time = entry.Str("time"),
                Fields = FieldSet.FromFieldsV1(entry.ObjAt("fieldsV1")),
            });
        }

        return result;
    }

    public static void Write(JsonObject obj, List<ManagedFieldsEntry> entries)
    {
        entries.RemoveAll(e => e.Fields.IsEmpty);
        if (entries.Count == 0)
        {
            obj.Metadata().Remove("managedFields");
            return;
        }

        var array = new JsonArray();
        foreach (var entry in entries)
        {
            var node = new JsonObject
            {
                ["manager"] = entry.Manager,
                ["operation"] = entry.Operation,
                ["apiVersion"] = entry.ApiVersion,
                ["time"] = entry.Time,
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = entry.Fields.ToFieldsV1(),
            };
            if (entry.Subresource.Length > 0)
            {
                node["subresource"] = entry.Subresource;
            }

            array.Add(node);
        }

        obj.Metadata()["managedFields"] = array;
    }

    /// <summary>
    /// Records a create, update or non-apply patch by <paramref name="manager"/>: it takes ownership of every field it
    /// changed (taking it from others) and fields it removed stop being owned by anyone.
    /// </summary>
    public static void TrackUpdate(JsonObject? old, JsonObject updated, string manager, string subresource, string apiVersion, string now)
    {
        var entries = Read(old);
        var before = old is null ? new FieldSet() : FieldSet.FromObject(old, FieldSet.Scope.All);
        var after = FieldSet.FromObject(updated, FieldSet.Scope.All);
        var changed = after.Leaves().Where(p =>
        {
            if (old is null)
            {
                return true;
            }

            var (exists, value) = FieldSet.ValueAt(old, p);
            return !exists || (p[^1] != "." && !JsonNode.DeepEquals(value, FieldSet.ValueAt(updated, p).Value));
        }).ToList();
        var removed = before.Leaves().Where(p => !after.Contains(p)).ToList();
        if (changed.Count == 0 && removed.Count == 0)
        {
            Write(updated, entries);
            return;
        }

        foreach (var entry in entries)
        {
            foreach (var path in changed.Concat(removed))
            {
                entry.Fields.Remove(path);
            }
        }

        if (changed.Count > 0)
        {
            var mine = entries.Find(e => e.Is(manager, "Update", subresource));
            if (mine is null)
            {
                mine = new ManagedFieldsEntry { Manager = manager, Operation = "Update", ApiVersion = apiVersion, Subresource = subresource, Fields = new FieldSet() };
                entries.Add(mine);
            }

            foreach (var path in changed)
            {
                mine.Fields.Add(path);
            }

            mine.Time = now;
            mine.ApiVersion = apiVersion;
        }

        Write(updated, entries);
    }

    /// <summary>
    /// Server-side apply of <paramref name="applied"/> by <paramref name="manager"/> onto <paramref name="live"/>
    /// (null when the object does not exist yet). Returns the object to store.
    /// </summary>
    /// <exception cref="ApiException">409 Conflict naming the fields another manager owns with a different value, unless forced.</exception>
    public static JsonObject Apply(ResourceType type, JsonObject? live, JsonObject applied, string manager, bool force, string subresource, string now)
    {
        var scope = subresource == "status" ? FieldSet.Scope.Status : (type.HasStatus ? FieldSet.Scope.Main : FieldSet.Scope.All);
        var appliedFields = FieldSet.FromObject(applied, scope);
        var entries = Read(live);
        var result = live?.Clone() ?? new JsonObject();
        if (live is not null)
        {
            var conflicts = new List<(ManagedFieldsEntry Entry, string[] Path)>();
            foreach (var path in appliedFields.Leaves())
            {
                if (path[^1] == "." || path[^1].StartsWith("v:", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (var entry in entries)
                {
                    if (entry.Manager == manager || !entry.Fields.Contains(path))
                    {
                        continue;
                    }

                    var (exists, liveValue) = FieldSet.ValueAt(live, path);
                    if (exists && !JsonNode.DeepEquals(liveValue, FieldSet.ValueAt(applied, path).Value))
                    {
                        conflicts.Add((entry, path));
                    }
                }
            }

            if (conflicts.Count > 0 && !force)
            {
                throw ConflictError(type, live.Name(), conflicts);
            }

            foreach (var (entry, path) in conflicts)
            {
                entry.Fields.Remove(path);
            }
        }

        var toMerge = applied.Clone();
        if (scope == FieldSet.Scope.Main)
        {
            toMerge.Remove("status");
        }
        else if (scope == FieldSet.Scope.Status)
        {
            toMerge = new JsonObject { ["status"] = applied["status"]?.DeepClone() };
        }

        toMerge.Metadata().Remove("managedFields");
        toMerge.Metadata().Remove("resourceVersion");
        FieldSet.MergeApplied(result, toMerge, "");

        var previous = entries.Find(e => e.Is(manager, "Apply", subresource));
        if (previous is not null)
        {
            var dropped = previous.Fields.Leaves().Where(p => !appliedFields.Contains(p)).OrderByDescending(p => p.Length).ThenBy(p => p[^1] == "." ? 1 : 0);
            foreach (var path in dropped)
            {
                if (!entries.Any(e => !ReferenceEquals(e, previous) && e.Fields.Contains(path)))
                {
                    FieldSet.RemoveAt(result, path);
                }
            }

            if (!previous.Fields.SameAs(appliedFields))
            {
                previous.Fields = appliedFields;
                previous.Time = now;
            }

            previous.ApiVersion = type.ApiVersion;
        }
        else
        {
            entries.Add(new ManagedFieldsEntry { Manager = manager, Operation = "Apply", ApiVersion = type.ApiVersion, Subresource = subresource, Time = now, Fields = appliedFields });
        }

        Write(result, entries);
        return result;
    }

    private static ApiException ConflictError(ResourceType type, string name, List<(ManagedFieldsEntry Entry, string[] Path)> conflicts)
    {
        var causes = new JsonArray();
        foreach (var (entry, path) in conflicts)
        {
            causes.Add(new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = $"conflict with \"{entry.Manager}\"{(entry.Operation == "Update" ? $" using {entry.ApiVersion}" : "")}",
                ["field"] = PathText(path),
            });
        }

        var lines = conflicts.Select(c => $"- conflict with \"{c.Entry.Manager}\"{(c.Entry.Operation == "Update" ? $" using {c.Entry.ApiVersion}" : "")}: {PathText(c.Path)}");
        var message = conflicts.Count == 1
            ? $"Apply failed with 1 conflict: conflict with \"{conflicts[0].Entry.Manager}\"{(conflicts[0].Entry.Operation == "Update" ? $" using {conflicts[0].Entry.ApiVersion}" : "")}: {PathText(conflicts[0].Path)}"
            : $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        var details = new JsonObject { ["name"] = name, ["kind"] = type.Plural, ["causes"] = causes };
        if (type.Group.Length > 0)
        {
            details["group"] = type.Group;
        }

        return new ApiException(409, "Conflict", message, details);
    }

    /// <summary>".spec.containers[name=\"web\"].image": how the real server names a field in a conflict.</summary>
    public static string PathText(IEnumerable<string> path)
    {
        var text = new System.Text.StringBuilder();
        foreach (var element in path)
        {
            switch (element[0])
            {
                case 'f':
                    text.Append('.').Append(element[2..]);
                    break;
                case 'k':
                    var key = JsonNode.Parse(element[2..]) as JsonObject;
                    text.Append('[').Append(string.Join(",", key!.Select(k => $"{k.Key}={k.Value?.ToJsonString()}"))).Append(']');
                    break;
                case 'v':
                    text.Append('[').Append(element[2..]).Append(']');
                    break;
            }
        }

        return text.ToString();
    }
}
