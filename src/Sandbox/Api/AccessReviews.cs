using System.Text.Json.Nodes;

namespace Portal.Sandbox.Api;

/// <summary>
/// Who may do what in the sandbox: the one token may do everything except the verbs on resources listed in
/// <see cref="SandboxOptions.DeniedAccess"/>, which the API refuses with 403 and the access reviews answer "no".
/// </summary>
/// <remarks>
/// A real cluster grants through RBAC; the sandbox has one identity, so a deny list is the whole policy. It exists so
/// that clients (the portal's "test connection", <c>kubectl auth can-i</c>) can be shown credentials that lack
/// something, with the API behaving consistently with what the reviews said.
/// </remarks>
internal sealed class AccessPolicy
{
    /// <summary>The user name the sandbox's token stands for, as 403 messages name it.</summary>
    public const string UserName = "sandbox";

    private readonly IReadOnlyList<Rule> _denied;

    public AccessPolicy(IEnumerable<string> denied)
    {
        _denied = [.. denied.Select(Rule.Parse)];
    }

    public bool DeniesAnything => _denied.Count > 0;

    /// <summary>Whether the token may use <paramref name="verb"/> on the resource (<c>pods</c>, <c>pods/log</c>) of the group.</summary>
    public bool Allows(string verb, string group, string resource, string subresource = "")
    {
        var full = subresource.Length == 0 ? resource : $"{resource}/{subresource}";
        return !_denied.Any(rule => rule.Matches(verb, group, full));
    }

    /// <summary>The 403 a refused request gets, worded as the real API server words it.</summary>
    public static ApiException Forbidden(string verb, ResourceType type, string @namespace, string? name, string subresource)
    {
        var resource = subresource.Length == 0 ? type.Plural : $"{type.Plural}/{subresource}";
        var what = name is null ? ApiException.Qualified(type) : $"{ApiException.Qualified(type)} \"{name}\"";
        var where = @namespace.Length == 0 ? "at the cluster scope" : $"in the namespace \"{@namespace}\"";
        var details = new JsonObject { ["name"] = name ?? "", ["kind"] = type.Plural };
        if (type.Group.Length > 0)
        {
            details["group"] = type.Group;
        }

        return new ApiException(
            403,
            "Forbidden",
            $"{what} is forbidden: User \"{UserName}\" cannot {verb} resource \"{resource}\" in API group \"{type.Group}\" {where}",
            details);
    }

    private sealed record Rule(string Verb, string Group, string Resource)
    {
        /// <summary>"delete secrets", "patch deployments.apps", "get pods/log", "* configmaps": kubectl's resource.group spelling.</summary>
        public static Rule Parse(string text)
        {
            var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length != 2)
            {
                throw new ArgumentException($"DeniedAccess entry '{text}' must be a verb and a resource, e.g. 'delete secrets' or 'patch deployments.apps'.");
            }

            // The group follows the first dot of the resource (before any subresource): "deployments.apps/scale" is not used by
            // kubectl, so "deployments/scale.apps" is not either; a subresource is written "pods/log" for the core group.
            var resource = parts[1];
            var slash = resource.IndexOf('/', StringComparison.Ordinal);
            var head = slash < 0 ? resource : resource[..slash];
            var tail = slash < 0 ? "" : resource[slash..];
            var dot = head.IndexOf('.', StringComparison.Ordinal);
            return dot < 0
                ? new Rule(parts[0], "", head + tail)
                : new Rule(parts[0], head[(dot + 1)..], head[..dot] + tail);
        }

        public bool Matches(string verb, string group, string resource) =>
            (Verb == "*" || Verb == verb) && Group == group && Resource == resource;
    }
}

/// <summary>
/// The <c>authorization.k8s.io/v1</c> self-reviews in the real wire format: <c>SelfSubjectAccessReview</c> ("may I do
/// this?", what <c>kubectl auth can-i</c> asks) and <c>SelfSubjectRulesReview</c> ("what may I do here?", what
/// <c>kubectl auth can-i --list</c> asks). They are create-only and stored nowhere, as on a real server.
/// </summary>
internal static class AccessReviews
{
    public const string Group = "authorization.k8s.io";
    public const string Version = "v1";
    public const string AccessReviewPlural = "selfsubjectaccessreviews";
    public const string RulesReviewPlural = "selfsubjectrulesreviews";

    private static readonly string[] s_verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static bool IsReviewPath(string[] segments) =>
        segments is ["apis", Group, Version, AccessReviewPlural or RulesReviewPlural];

    /// <summary>The discovery document of the group version.</summary>
    public static JsonObject ResourceList() => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = $"{Group}/{Version}",
        ["resources"] = new JsonArray(
            Resource(AccessReviewPlural, "SelfSubjectAccessReview"),
            Resource(RulesReviewPlural, "SelfSubjectRulesReview")),
    };

    /// <summary>Answers a review: the request object echoed back with its <c>status</c> filled in.</summary>
    public static JsonObject Review(string plural, JsonObject body, AccessPolicy policy, ResourceRegistry registry) =>
        plural == AccessReviewPlural ? AccessReview(body, policy) : RulesReview(body, policy, registry);

    private static JsonObject AccessReview(JsonObject body, AccessPolicy policy)
    {
        var spec = body.ObjAt("spec");
        var resource = spec.ObjAt("resourceAttributes");
        var nonResource = spec.ObjAt("nonResourceAttributes");
        if ((resource is null) == (nonResource is null))
        {
            throw Invalid("SelfSubjectAccessReview", "spec.resourceAttributes", "exactly one of nonResourceAttributes or resourceAttributes must be specified");
        }

        var allowed = true;
        if (resource is not null)
        {
            var verb = resource.Str("verb") ?? "";
            if (verb.Length == 0)
            {
                throw Invalid("SelfSubjectAccessReview", "spec.resourceAttributes.verb", "Required value");
            }

            allowed = policy.Allows(verb, resource.Str("group") ?? "", resource.Str("resource") ?? "", resource.Str("subresource") ?? "");
        }

        // A refusal carries no reason, as with RBAC (kubectl prints a bare "no").
        var answer = Echo(body, "SelfSubjectAccessReview");
        answer["status"] = allowed
            ? new JsonObject { ["allowed"] = true, ["reason"] = "the sandbox's token may do everything not in its DeniedAccess list" }
            : new JsonObject { ["allowed"] = false };
        return answer;
    }

    private static JsonObject RulesReview(JsonObject body, AccessPolicy policy, ResourceRegistry registry)
    {
        var rules = new JsonArray();
        if (!policy.DeniesAnything)
        {
            rules.Add(Rule(["*"], "*", "*"));
        }
        else
        {
            // With something denied, the rules are written out per resource so that a client sees exactly what is left.
            foreach (var type in registry.Types)
            {
                foreach (var resource in new[] { type.Plural }.Concat(type.Subresources.Select(s => $"{type.Plural}/{s}")))
                {
                    var slash = resource.IndexOf('/', StringComparison.Ordinal);
                    var verbs = s_verbs
                        .Where(v => slash < 0 ? policy.Allows(v, type.Group, resource) : policy.Allows(v, type.Group, resource[..slash], resource[(slash + 1)..]))
                        .ToList();
                    if (verbs.Count > 0)
                    {
                        rules.Add(Rule(verbs, type.Group, resource));
                    }
                }
            }
        }

        // Every authenticated user may ask these two questions (system:basic-user on a real cluster).
        rules.Add(Rule(["create"], Group, AccessReviewPlural));
        rules.Add(Rule(["create"], Group, RulesReviewPlural));

        var answer = Echo(body, "SelfSubjectRulesReview");
        answer["status"] = new JsonObject
        {
            ["resourceRules"] = rules,
            ["nonResourceRules"] = new JsonArray(new JsonObject
            {
                ["verbs"] = new JsonArray("get"),
                ["nonResourceURLs"] = new JsonArray("/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/readyz", "/version", "/version/"),
            }),
            ["incomplete"] = false,
        };
        return answer;
    }

    private static JsonObject Echo(JsonObject body, string kind)
    {
        var answer = body.Clone();
        answer["kind"] = kind;
        answer["apiVersion"] = $"{Group}/{Version}";
        var metadata = answer.Child("metadata");
        metadata["creationTimestamp"] = null;
        return answer;
    }

    private static JsonObject Rule(IEnumerable<string> verbs, string group, string resource) => new()
    {
        ["verbs"] = Json.ToArray(verbs.Select(v => (JsonNode)v)),
        ["apiGroups"] = new JsonArray(group),
        ["resources"] = new JsonArray(resource),
    };

    private static JsonObject Resource(string plural, string kind) => new()
    {
        ["name"] = plural,
        ["singularName"] = kind.ToLowerInvariant(),
        ["namespaced"] = false,
        ["kind"] = kind,
        ["verbs"] = new JsonArray("create"),
    };

    private static ApiException Invalid(string kind, string field, string message)
    {
        var details = new JsonObject
        {
            ["group"] = Group,
            ["kind"] = kind,
            ["causes"] = new JsonArray(new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = message, ["field"] = field }),
        };
        return new ApiException(422, "Invalid", $"{kind}.{Group} \"\" is invalid: {field}: {message}", details);
    }
}
