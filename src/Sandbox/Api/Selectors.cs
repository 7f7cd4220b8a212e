using System.Text.Json.Nodes;

namespace Portal.Sandbox.Api;

/// <summary>A parsed label selector (equality- and set-based), as in <c>?labelSelector=app=web,tier in (a,b),!legacy</c>.</summary>
internal sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _terms = [];

    public static LabelSelector Everything { get; } = new();

    public bool IsEmpty => _terms.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _terms.TrueForAll(t => t(labels));

    public bool Matches(JsonObject obj) => IsEmpty || Matches(obj.Labels());

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in SplitTerms(text))
        {
            var term = raw.Trim();
            if (term.Length == 0)
            {
                continue;
            }

            selector._terms.Add(ParseTerm(term));
        }

        return selector;
    }

    /// <summary>A selector from a LabelSelector object (matchLabels and matchExpressions), as in a Deployment's spec.selector.</summary>
    public static LabelSelector FromObject(JsonObject? selectorObject)
    {
        var selector = new LabelSelector();
        if (selectorObject is null)
        {
            return selector;
        }

        foreach (var (key, value) in selectorObject.Labels("matchLabels"))
        {
            selector._terms.Add(l => l.TryGetValue(key, out var v) && v == value);
        }

        foreach (var expression in selectorObject.ArrAt("matchExpressions").Objects())
        {
            var key = expression.Str("key") ?? "";
            var values = expression.ArrAt("values")?.Select(v => v?.GetValue<string>() ?? "").ToHashSet(StringComparer.Ordinal) ?? [];
            selector._terms.Add(expression.Str("operator") switch
            {
                "In" => l => l.TryGetValue(key, out var v) && values.Contains(v),
                "NotIn" => l => !l.TryGetValue(key, out var v) || !values.Contains(v),
                "Exists" => l => l.ContainsKey(key),
                "DoesNotExist" => l => !l.ContainsKey(key),
                var op => throw ApiException.BadRequest($"unsupported label selector operator {op}"),
            });
        }

        return selector;
    }

    /// <summary>A selector from a plain map (a Service's spec.selector); an empty map selects nothing there, so the caller checks.</summary>
    public static LabelSelector FromMap(IReadOnlyDictionary<string, string> map)
    {
        var selector = new LabelSelector();
        foreach (var (key, value) in map)
        {
            selector._terms.Add(l => l.TryGetValue(key, out var v) && v == value);
        }

        return selector;
    }

    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    private static Func<IReadOnlyDictionary<string, string>, bool> ParseTerm(string term)
    {
        var lower = term.ToLowerInvariant();
        var notIn = lower.IndexOf(" notin ", StringComparison.Ordinal);
        var inIndex = lower.IndexOf(" in ", StringComparison.Ordinal);
        if (notIn > 0 || inIndex > 0)
        {
            var isNotIn = notIn > 0;
            var at = isNotIn ? notIn : inIndex;
            var key = term[..at].Trim();
            var rest = term[(at + (isNotIn ? 7 : 4))..].Trim();
            if (!rest.StartsWith('(') || !rest.EndsWith(')'))
            {
                throw ApiException.BadRequest($"unable to parse requirement: found '{rest}', expected: '('");
            }

            var values = rest[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            return isNotIn
                ? l => !l.TryGetValue(key, out var v) || !values.Contains(v)
                : l => l.TryGetValue(key, out var v) && values.Contains(v);
        }

        if (term.Contains("!=", StringComparison.Ordinal))
        {
            var parts = term.Split("!=", 2);
            var (key, value) = (parts[0].Trim(), parts[1].Trim());
            return l => !l.TryGetValue(key, out var v) || v != value;
        }

        if (term.Contains('='))
        {
            var parts = term.Split(term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            var (key, value) = (parts[0].Trim(), parts[1].Trim());
            return l => l.TryGetValue(key, out var v) && v == value;
        }

        if (term.StartsWith('!'))
        {
            var key = term[1..].Trim();
            return l => !l.ContainsKey(key);
        }

        var existsKey = term.Trim();
        if (existsKey.Any(c => char.IsWhiteSpace(c) || c is '(' or ')'))
        {
            throw ApiException.BadRequest($"unable to parse requirement: invalid label key \"{existsKey}\"");
        }

        return l => l.ContainsKey(existsKey);
    }
}

/// <summary>A parsed field selector: <c>metadata.name=x</c>, <c>metadata.namespace!=y</c>, <c>status.phase=Running</c>.</summary>
internal sealed class FieldSelector
{
    // The real server accepts only a handful of fields per resource; these are the ones it supports for every
    // resource plus the common per-kind ones kubectl and controllers use. Anything else is a 400, as there.
    private static readonly HashSet<string> s_supported = new(StringComparer.Ordinal)
    {
        "metadata.name", "metadata.namespace", "status.phase", "spec.nodeName", "spec.restartPolicy",
        "spec.schedulerName", "spec.serviceAccountName", "status.podIP", "type", "involvedObject.kind",
        "involvedObject.name", "involvedObject.namespace", "involvedObject.uid", "involvedObject.apiVersion",
        "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "source", "reportingComponent",
        "status.successful", "spec.clusterIP",
    };

    private readonly List<(string Path, bool Equal, string Value)> _terms = [];

    public bool IsEmpty => _terms.Count == 0;

    /// <summary>The name an equality term on metadata.name pins, letting a watch or list skip everything else.</summary>
    public string? Name => _terms.FirstOrDefault(t => t.Path == "metadata.name" && t.Equal).Value;

    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            if (term.Length == 0)
            {
                continue;
            }

            var equal = !term.Contains("!=", StringComparison.Ordinal);
            var parts = equal ? term.Split(term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2) : term.Split("!=", 2);
            if (parts.Length != 2)
            {
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            }

            var path = parts[0].Trim();
            if (!s_supported.Contains(path))
            {
                throw ApiException.BadRequest($"\"{path}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
            }

            selector._terms.Add((path, equal, parts[1].Trim()));
        }

        return selector;
    }

    public bool Matches(JsonObject obj)
    {
        foreach (var (path, equal, value) in _terms)
        {
            var actual = Value(obj, path);
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }

    private static string Value(JsonObject obj, string path)
    {
        var node = Json.Walk(obj, path.Split('.'));
        return node switch
        {
            null => "",
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            _ => node.ToJsonString(),
        };
    }
}
