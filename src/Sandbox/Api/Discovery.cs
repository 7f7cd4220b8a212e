using System.Text.Json.Nodes;

namespace Portal.Sandbox.Api;

/// <summary>The discovery documents kubectl and client libraries read before anything else.</summary>
internal static class Discovery
{
    private static readonly string[] s_verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static JsonObject Version(string version)
    {
        var parts = version.Split('.');
        return new JsonObject
        {
            ["major"] = parts[0],
            ["minor"] = parts.Length > 1 ? parts[1] : "0",
            ["gitVersion"] = "v" + version,
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2024-01-01T00:00:00Z",
            ["goVersion"] = "go1.22.0",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };
    }

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject GroupList(ResourceRegistry registry)
    {
        var groups = new JsonArray();
        foreach (var group in registry.GroupVersions.Where(g => g.Group.Length > 0).GroupBy(g => g.Group))
        {
            groups.Add(Group(group.Key, [.. group.Select(g => g.Version)]));
        }

        groups.Add(Group(AccessReviews.Group, [AccessReviews.Version]));

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    public static JsonObject? GroupDocument(ResourceRegistry registry, string group)
    {
        var versions = group == AccessReviews.Group
            ? new List<string> { AccessReviews.Version }
            : registry.GroupVersions.Where(g => g.Group == group).Select(g => g.Version).ToList();
        if (versions.Count == 0)
        {
            return null;
        }

        var document = Group(group, versions);
        document["kind"] = "APIGroup";
        document["apiVersion"] = "v1";
        return document;
    }

    public static JsonObject? ResourceList(ResourceRegistry registry, string group, string version)
    {
        // The access reviews are not stored objects, so they are not in the registry (which drives storage) but are discoverable.
        if (group == AccessReviews.Group && version == AccessReviews.Version)
        {
            return AccessReviews.ResourceList();
        }

        var types = registry.Types.Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var type in types)
        {
            var resource = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = Json.ToArray(s_verbs.Select(v => (JsonNode)v)),
            };
            if (type.ShortNames.Count > 0)
            {
                resource["shortNames"] = Json.ToArray(type.ShortNames.Select(s => (JsonNode)s));
            }

            if (type.Categories.Count > 0)
            {
                resource["categories"] = Json.ToArray(type.Categories.Select(s => (JsonNode)s));
            }

            resources.Add(resource);
            foreach (var sub in type.Subresources)
            {
                string[] verbs = sub switch
                {
                    "log" => ["get"],
                    "finalize" => ["update"],
                    _ => ["get", "patch", "update"],
                };
                var subKind = sub == "scale" ? "Scale" : type.Kind;
                var subResource = new JsonObject
                {
                    ["name"] = $"{type.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = type.Namespaced,
                    ["kind"] = subKind,
                    ["verbs"] = Json.ToArray(verbs.Select(v => (JsonNode)v)),
                };
                if (sub == "scale")
                {
                    subResource["group"] = "autoscaling";
                    subResource["version"] = "v1";
                }

                resources.Add(subResource);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static JsonObject Group(string name, List<string> versions)
    {
        var versionArray = new JsonArray();
        foreach (var version in versions)
        {
            versionArray.Add(new JsonObject { ["groupVersion"] = $"{name}/{version}", ["version"] = version });
        }

        return new JsonObject
        {
            ["name"] = name,
            ["versions"] = versionArray,
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{name}/{versions[0]}", ["version"] = versions[0] },
        };
    }
}
