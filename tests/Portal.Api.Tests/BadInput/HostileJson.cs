using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Portal.Domain.Tests.BadInput;

namespace Portal.Api.Tests.BadInput;

/// <summary>One request body for the properties: its bytes, content type, what was done to it, and the field a validation problem
/// must name (null when the body is too broken to name one).</summary>
public sealed record BodyCase(ApiEndpoint Endpoint, string? ContentType, byte[] Body, string What, string? Field)
{
    public override string ToString() =>
        $"{Endpoint} [{ContentType ?? "no content type"}] {What}: {BadInputCheck.Show(Encoding.UTF8.GetString(Body))}";
}

/// <summary>Generators of request bodies: right-typed bodies with hostile values, and bodies broken in every way JSON can be broken
/// (wrong types, truncation, invalid UTF-8, duplicate keys, deep nesting, extensions JSON does not have, wrong content types).</summary>
internal static class HostileJson
{
    private const string Json = "application/json";

    /// <summary>A kubeconfig that reads well, for a cluster nobody listens on.</summary>
    private const string Kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: https://127.0.0.1:1
            insecure-skip-tls-verify: true
        users:
        - name: test
          user:
            token: bad-input-token
        contexts:
        - name: test
          context:
            cluster: test
            user: test
        current-context: test
        """;

    /// <summary>A plausible value of the right type for each property, so that a body is wrong only where a case makes it wrong.</summary>
    public static JsonNode Plausible(BodyProperty property) => (property.Kind, property.Name) switch
    {
        (JsonKind.Text, "name") => "bad-input-stack",
        (JsonKind.Text, "blueprint") => "charmed-airbyte",
        (JsonKind.Text, "cluster") => "sandbox",
        (JsonKind.Text, "namespace") => "bad-input",
        (JsonKind.Text, "policy") => "monthly",
        (JsonKind.Text, "role") => "Viewer",
        (JsonKind.Text, "kubeconfig") => Kubeconfig,
        (JsonKind.Text, "context") => "test",
        (JsonKind.Text, _) => "bad input",
        (JsonKind.Integer, _) => 1,
        (JsonKind.List, _) => new JsonArray(new JsonObject { ["requirer"] = "airbyte:db", ["provider"] = "postgresql:database" }),
        _ => new JsonObject { ["airbyte"] = new JsonObject { ["log-level"] = "DEBUG" } },
    };

    /// <summary>Bodies broken in one way each; the endpoint must refuse every one with a 4xx and change nothing.</summary>
    public static Gen<BodyCase> Broken(ApiEndpoint endpoint)
    {
        var properties = endpoint.Body!;
        var cases = new List<(int, IGen<BodyCase>)>
        {
            (8, WrongType(endpoint)),
            (2, Truncated(endpoint)),
            (2, InvalidUtf8(endpoint)),
            (2, Duplicated(endpoint)),
            (1, Gen.OneOf("[]", "[{}]", "\"text\"", "1", "true", "null", "  ").Select(text => Case(endpoint, Json, text, "not an object", null))),
            (1, Gen.Int[65, 5_000].Select(depth => Case(endpoint, Json, $"{{\"{properties[0].Name}\": {new string('[', depth)}{new string(']', depth)}}}", $"nested {depth} deep", null))),
            (2, NotJson(endpoint)),
            (2, WrongContentType(endpoint)),
            (1, UnknownField(endpoint)),
        };
        if (endpoint.BodyRequired)
        {
            cases.Add((1, Gen.OneOf<string?>(Json, null, "text/plain").Select(type => new BodyCase(endpoint, type, [], "empty body", null))));
        }

        return Gen.Frequency([.. cases]);
    }

    /// <summary>A right-typed body whose <paramref name="poisoned"/> property holds a value no field of its kind may accept, the others
    /// plausible, hostile, null or left out.</summary>
    public static Gen<BodyCase> Poisoned(ApiEndpoint endpoint, BodyProperty poisoned) =>
        Gen.Select(
            Invalid(poisoned),
            Gen.Bool,
            Gen.Select(Gen.Int[0, 3], Hostile(JsonKind.Text)).Array[endpoint.Body!.Count],
            (bad, plausibleOthers, others) =>
            {
                var body = new JsonObject();
                for (var i = 0; i < endpoint.Body!.Count; i++)
                {
                    var property = endpoint.Body[i];
                    if (property == poisoned)
                    {
                        body[property.Name] = bad.DeepClone();
                        continue;
                    }

                    var (how, hostile) = plausibleOthers ? (0, null) : others[i];
                    switch (how)
                    {
                        case 0:
                            body[property.Name] = Plausible(property);
                            break;
                        case 1 when property.Kind == JsonKind.Text:
                            body[property.Name] = hostile;
                            break;
                        case 2:
                            body[property.Name] = null;
                            break;
                        default:
                            break;
                    }
                }

                // Only when the rest is plausible must the problem name the poisoned field: a context cannot be judged without a
                // kubeconfig, nor a config without its blueprint.
                var field = plausibleOthers && poisoned.Kind != JsonKind.Object ? poisoned.Name : null;
                return Case(endpoint, Json, Write(body), $"{poisoned.Name} poisoned{(plausibleOthers ? ", the rest plausible" : "")}", field);
            });

    /// <summary>Text with a character no text field takes (a line break is not one: reasons, kubeconfigs and PEM have them).</summary>
    private static readonly Gen<string> Control = Gen.Select(
        Gen.OneOf("\0", "\u0007", "\u001b[31m", "\u007f", "\u0085", "\u009b", "\ud800", "\udfff"),
        Gen.Char['a', 'z'].Array[1, 10].Select(chars => new string(chars)),
        Gen.Char['a', 'z'].Array[0, 10].Select(chars => new string(chars)),
        (bad, left, right) => left + bad + right);

    /// <summary>A value of the property's type that no field of that type accepts: text with a NUL, a control character or a lone
    /// surrogate inside (PEM and kubeconfig fields get text that is not PEM or a kubeconfig at all), a number out of every range, a
    /// relation between made-up endpoints, a config whose hostname is broken.</summary>
    public static Gen<JsonNode> Invalid(BodyProperty property) => (property.Kind, property.Name) switch
    {
        (JsonKind.Text, "certificate" or "key" or "chain" or "kubeconfig") =>
            HostileText.Mixed.Where(t => !t.Contains("-----BEGIN", StringComparison.Ordinal) && !t.Contains("clusters", StringComparison.Ordinal) && t.Trim().Length > 0)
                .Select(t => (JsonNode)JsonValue.Create(t)!),
        (JsonKind.Text, _) => Control.Select(t => (JsonNode)JsonValue.Create(t)!),
        (JsonKind.Integer, _) => Gen.OneOf(int.MinValue, -1, 0, int.MaxValue).Select(n => (JsonNode)JsonValue.Create(n)),
        (JsonKind.List, _) => Gen.Select(HostileText.Unprintable, HostileText.Any("airbyte:db")).Select((a, b) =>
            (JsonNode)new JsonArray(new JsonObject { ["requirer"] = a, ["provider"] = b })),
        _ => Gen.Select(HostileText.Unprintable, HostileText.Any("airbyte")).Select((hostname, component) => (JsonNode)new JsonObject
        {
            ["airbyte"] = new JsonObject { ["external-hostname"] = hostname },
            [component.Length == 0 ? "x" : component] = new JsonObject { ["log-level"] = hostname },
        }),
    };

    /// <summary>A hostile value of the right JSON type.</summary>
    public static Gen<JsonNode?> Hostile(JsonKind kind) => kind switch
    {
        JsonKind.Text => HostileText.Any("bad input", "prod", "monthly").Select(t => (JsonNode?)JsonValue.Create(t)),
        JsonKind.Integer => Gen.Int.Select(n => (JsonNode?)JsonValue.Create(n)),
        _ => Gen.Const((JsonNode?)null),
    };

    private static Gen<BodyCase> WrongType(ApiEndpoint endpoint) =>
        Gen.Select(Gen.OneOf(endpoint.Body!.ToArray()), Gen.Int[0, 7], Gen.Bool, (property, pick, others) =>
        {
            var (value, field) = WrongValue(property, pick);
            var body = new JsonObject();
            foreach (var other in endpoint.Body!.Where(p => p != property && others))
            {
                body[other.Name] = Plausible(other);
            }

            body[property.Name] = value;
            return Case(endpoint, Json, Write(body), $"{property.Name} of the wrong type", field);
        });

    /// <summary>A value of another JSON type than the property's, with the field the problem must name.</summary>
    private static (JsonNode Value, string Field) WrongValue(BodyProperty property, int pick) => property.Kind switch
    {
        JsonKind.Text => (pick switch
        {
            0 => 1,
            1 => -0.5,
            2 => true,
            3 => false,
            4 => new JsonArray(),
            5 => new JsonArray("a", "b"),
            6 => new JsonObject(),
            _ => new JsonObject { ["a"] = "b" },
        }, property.Name),
        JsonKind.Integer => (pick switch
        {
            0 => "5",
            1 => 1.5,
            2 => 1e30,
            3 => 2_147_483_648L,
            4 => true,
            5 => new JsonArray(1),
            6 => new JsonObject(),
            _ => "",
        }, property.Name),
        JsonKind.List => pick switch
        {
            0 => (new JsonObject(), property.Name),
            1 => ("airbyte:db", property.Name),
            2 => (1, property.Name),
            3 => (true, property.Name),
            4 => (new JsonArray(1), property.Name + "["),
            5 => (new JsonArray("airbyte:db"), property.Name + "["),
            6 => (new JsonArray(new JsonArray()), property.Name + "["),
            _ => (new JsonArray(new JsonObject { ["requirer"] = 1, ["provider"] = new JsonArray() }), property.Name + "["),
        },
        _ => pick switch
        {
            0 => (new JsonArray(), property.Name),
            1 => ("airbyte", property.Name),
            2 => (1, property.Name),
            3 => (false, property.Name),
            4 => (new JsonObject { ["airbyte"] = "DEBUG" }, "airbyte"),
            5 => (new JsonObject { ["airbyte"] = new JsonArray() }, "airbyte"),
            6 => (new JsonObject { ["airbyte"] = new JsonObject { ["log-level"] = new JsonArray("DEBUG") } }, "airbyte.log-level"),
            _ => (new JsonObject { ["airbyte"] = new JsonObject { ["log-level"] = new JsonObject() } }, "airbyte.log-level"),
        },
    };

    private static Gen<BodyCase> Truncated(ApiEndpoint endpoint) =>
        Gen.Int[1, 1_000].Select(cut =>
        {
            var text = Write(PlausibleBody(endpoint));
            var at = 1 + (cut % (text.Length - 1));
            return Case(endpoint, Json, text[..at], $"cut after {at} of {text.Length} characters", null);
        });

    /// <summary>A plausible body with bytes that are not UTF-8 inside a string: a stray continuation byte, an overlong encoding, an
    /// encoded surrogate, 0xFF, a sequence cut short.</summary>
    private static Gen<BodyCase> InvalidUtf8(ApiEndpoint endpoint) =>
        Gen.Select(Gen.OneOf(endpoint.Body!.Where(p => p.Kind == JsonKind.Text).DefaultIfEmpty(endpoint.Body![0]).ToArray()), Gen.Int[0, 5], (property, pick) =>
        {
            byte[] bad = pick switch
            {
                0 => [0x80],
                1 => [0xC0, 0x80],
                2 => [0xED, 0xA0, 0x80],
                3 => [0xFF],
                4 => [0xE2, 0x82],
                _ => [0xF8, 0x88, 0x80, 0x80, 0x80],
            };
            var body = PlausibleBody(endpoint);
            body[property.Name] = "AAA@@@BBB";
            var text = Encoding.UTF8.GetBytes(Write(body));
            var at = text.AsSpan().IndexOf("@@@"u8);
            byte[] bytes = [.. text[..at], .. bad, .. text[(at + 3)..]];
            return new BodyCase(endpoint, Json, bytes, $"invalid UTF-8 in {property.Name}", null);
        });

    /// <summary>A property given twice: a plausible value and a wrong one, in either order (a parser that keeps the first and one that
    /// keeps the last would read different requests).</summary>
    private static Gen<BodyCase> Duplicated(ApiEndpoint endpoint) =>
        Gen.Select(Gen.OneOf(endpoint.Body!.ToArray()), Gen.Bool, (property, plausibleFirst) =>
        {
            var plausible = Write(Plausible(property));
            var wrong = Write(WrongValue(property, 2).Value);
            var (first, second) = plausibleFirst ? (plausible, wrong) : (wrong, plausible);
            var rest = PlausibleBody(endpoint);
            rest.Remove(property.Name);
            var others = rest.Count == 0 ? "" : "," + Write(rest)[1..^1];
            return Case(endpoint, Json, $"{{\"{property.Name}\":{first},\"{property.Name}\":{second}{others}}}", $"{property.Name} given twice", null);
        });

    /// <summary>What JSON is not: comments, trailing commas, single quotes, NaN, unquoted names, a second document.</summary>
    private static Gen<BodyCase> NotJson(ApiEndpoint endpoint)
    {
        var name = endpoint.Body![0].Name;
        return Gen.OneOf(
                $"{{\"{name}\": \"x\", /* comment */ }}",
                $"{{\"{name}\": \"x\",}}",
                $"{{'{name}': 'x'}}",
                $"{{\"{name}\": NaN}}",
                $"{{{name}: \"x\"}}",
                $"{{\"{name}\": \"x\"}} {{\"{name}\": \"y\"}}",
                $"{{\"{name}\": \"x\\q\"}}",
                $"{{\"{name}\": \"\\uD800\\u\"}}",
                "{\"" + name + "\": \"x\"",
                "\uFEFF\uFEFF{}",
                "<xml/>",
                $"{name}=x")
            .Select(text => Case(endpoint, Json, text, "not JSON", null));
    }

    /// <summary>A plausible body sent as something other than JSON (or as UTF-16 JSON, which the API does not read).</summary>
    private static Gen<BodyCase> WrongContentType(ApiEndpoint endpoint) =>
        Gen.OneOf<string?>(null, "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "application/json; charset=utf-16")
            .Select(type =>
            {
                var text = Write(PlausibleBody(endpoint));
                var bytes = type?.EndsWith("utf-16", StringComparison.Ordinal) == true ? Encoding.Unicode.GetBytes(text) : Encoding.UTF8.GetBytes(text);
                return new BodyCase(endpoint, type, bytes, "wrong content type", null);
            });

    private static Gen<BodyCase> UnknownField(ApiEndpoint endpoint) =>
        HostileText.Any("confg", "reasn").Where(name => !endpoint.Body!.Any(p => p.Name == name)).Select(name =>
        {
            var body = PlausibleBody(endpoint);
            body[name] = "x";
            return Case(endpoint, Json, Write(body), "an unknown field", name.Length <= 200 && !name.Any(char.IsControl) && !name.Any(char.IsSurrogate) ? name : null);
        });

    private static JsonObject PlausibleBody(ApiEndpoint endpoint)
    {
        var body = new JsonObject();
        foreach (var property in endpoint.Body!)
        {
            body[property.Name] = Plausible(property);
        }

        return body;
    }

    /// <summary>JSON text for a node, every character outside printable ASCII written as <c>\uXXXX</c>: unlike
    /// <see cref="JsonNode.ToJsonString"/>, which replaces a lone surrogate with U+FFFD, it sends the hostile text as it is.</summary>
    public static string Write(JsonNode? node)
    {
        var builder = new StringBuilder();
        Append(builder, node);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, JsonNode? node)
    {
        switch (node)
        {
            case null:
                builder.Append("null");
                break;
            case JsonObject obj:
                builder.Append('{');
                foreach (var (name, value) in obj)
                {
                    AppendString(builder, name);
                    builder.Append(':');
                    Append(builder, value);
                    builder.Append(',');
                }

                TrimComma(builder).Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                foreach (var item in array)
                {
                    Append(builder, item);
                    builder.Append(',');
                }

                TrimComma(builder).Append(']');
                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                AppendString(builder, text);
                break;
            default:
                builder.Append(node.ToJsonString());
                break;
        }
    }

    private static void AppendString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (c < ' ' || c > '~')
            {
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        builder.Append('"');
    }

    private static StringBuilder TrimComma(StringBuilder builder) =>
        builder[^1] == ',' ? builder.Remove(builder.Length - 1, 1) : builder;

    private static BodyCase Case(ApiEndpoint endpoint, string? type, string text, string what, string? field) =>
        new(endpoint, type, Encoding.UTF8.GetBytes(text), what, field);
}
