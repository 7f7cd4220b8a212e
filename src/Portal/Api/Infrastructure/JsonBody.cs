using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Portal.Domain.Common;

namespace Portal.Api.Infrastructure;

/// <summary>A request body read as JSON by hand, so that every problem (bad syntax, a wrong type, an unknown field) comes
/// back as a sentence with a path instead of a bare 400 or a 500.</summary>
/// <remarks>Model binding would stop at the first wrong type and word it in .NET type names; operators should see every
/// problem at once, in the API's own names.</remarks>
internal sealed class JsonBody : IDisposable
{
    private readonly JsonDocument _document;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    private JsonBody(JsonDocument document)
    {
        _document = document;
    }

    public ErrorList Errors { get; } = [];

    private JsonElement Root => _document.RootElement;

    /// <summary>The common shape of a write: reads the body, takes its fields with <paramref name="read"/>, refuses unknown ones, and
    /// only when the body has no problem calls <paramref name="call"/> with what was read; otherwise every problem answers 400 at
    /// once and nothing is called. <paramref name="optional"/> accepts an empty body as <c>{}</c>.</summary>
    public static async Task<IResult> HandleAsync<T>(HttpRequest request, Func<JsonBody, T> read, Func<T, Task<IResult>> call, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(call);
        var (body, problem) = await ReadAsync(request, optional);
        if (body is null)
        {
            return ApiResults.BadRequest(problem!);
        }

        T fields;
        using (body)
        {
            fields = read(body);
            body.RefuseUnknownFields();
            if (body.Errors.Count > 0)
            {
                return ApiResults.Invalid(body.Errors);
            }
        }

        return await call(fields);
    }

    /// <summary>Reads the body as a JSON object; <paramref name="optional"/> accepts an empty body as <c>{}</c>.</summary>
    public static async Task<(JsonBody? Body, string? Problem)> ReadAsync(HttpRequest request, bool optional = false)
    {
        // The server knows whether a request has a body at all (Content-Length, chunked, or an HTTP/2 data frame).
        var canHaveBody = request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true;
        var empty = !canHaveBody || request.ContentLength == 0;
        if (empty)
        {
            return optional
                ? (new JsonBody(JsonDocument.Parse("{}")), null)
                : (null, "The request needs a JSON body (Content-Type: application/json).");
        }

        if (!request.HasJsonContentType())
        {
            return (null, $"The body must be JSON with Content-Type: application/json; it was {(string.IsNullOrEmpty(request.ContentType) ? "not given" : request.ContentType)}.");
        }

        try
        {
            var document = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, "The body must be a JSON object ({ ... }).");
            }

            return (new JsonBody(document), null);
        }
        catch (JsonException e)
        {
            // The parser's own message names .NET internals; the position is what helps.
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {(e.BytePositionInLine ?? 0) + 1}" : "";
            return (null, $"The body is not valid JSON{where}.");
        }
    }

    /// <summary>A text field; numbers and booleans are refused (a name is text).</summary>
    public string? String(string field)
    {
        _known.Add(field);
        if (!Root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Errors.Add(field, $"Expected text, got {Describe(value)}.");
            return null;
        }

        return value.GetString();
    }

    /// <summary>A whole number field; text and fractions are refused.</summary>
    public int? Integer(string field)
    {
        _known.Add(field);
        if (!Root.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            Errors.Add(field, $"Expected a whole number, got {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : Describe(value))}.");
            return null;
        }

        return number;
    }

    /// <summary>A component → option → value map; values may be text, numbers or booleans (kept as invariant text) or null.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string?>>? Config(string field)
    {
        _known.Add(field);
        if (!Root.TryGetProperty(field, out var config) || config.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (config.ValueKind != JsonValueKind.Object)
        {
            Errors.Add(field, $"Expected an object of components ({{\"airbyte\": {{\"log-level\": \"INFO\"}}}}), got {Describe(config)}.");
            return null;
        }

        var result = new Dictionary<string, IReadOnlyDictionary<string, string?>>(StringComparer.Ordinal);
        foreach (var component in config.EnumerateObject())
        {
            if (component.Value.ValueKind != JsonValueKind.Object)
            {
                Errors.Add(component.Name, $"Expected an object of options for component {component.Name}, got {Describe(component.Value)}.");
                continue;
            }

            var options = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var option in component.Value.EnumerateObject())
            {
                var path = $"{component.Name}.{option.Name}";
                switch (option.Value.ValueKind)
                {
                    case JsonValueKind.String:
                        options[option.Name] = option.Value.GetString();
                        break;
                    case JsonValueKind.Number:
                        // JSON numbers are written invariantly; keep the text so 5432 and 1.5 stay as typed.
                        options[option.Name] = option.Value.GetRawText();
                        break;
                    case JsonValueKind.True:
                    case JsonValueKind.False:
                        options[option.Name] = option.Value.GetBoolean() ? "true" : "false";
                        break;
                    case JsonValueKind.Null:
                        options[option.Name] = null;
                        break;
                    default:
                        Errors.Add(path, $"An option value must be text, a number or true/false, got {Describe(option.Value)} (lists are comma-separated text).");
                        break;
                }
            }

            result[component.Name] = options;
        }

        return result;
    }

    /// <summary>A list of objects, each read by <paramref name="read"/> with the item's path.</summary>
    public IReadOnlyList<T>? List<T>(string field, Func<JsonElement, string, ErrorList, T> read)
    {
        _known.Add(field);
        if (!Root.TryGetProperty(field, out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            Errors.Add(field, $"Expected a list, got {Describe(list)}.");
            return null;
        }

        return list.EnumerateArray().Select((item, index) => read(item, $"{field}[{index.ToString(CultureInfo.InvariantCulture)}]", Errors)).ToList();
    }

    /// <summary>Reports every field the endpoint did not ask for: a typo (<c>confg</c>) should not be silently ignored.</summary>
    public void RefuseUnknownFields()
    {
        foreach (var property in Root.EnumerateObject().Where(p => !_known.Contains(p.Name)))
        {
            Errors.Add(property.Name, $"Unknown field; the fields are {string.Join(", ", _known)}.");
        }
    }

    /// <summary>A text member of an object item (for list items such as relations).</summary>
    public static string? StringMember(JsonElement item, string member, string path, ErrorList errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, $"Expected an object, got {Describe(item)}.");
            return null;
        }

        if (!item.TryGetProperty(member, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{path}.{member}", $"Expected text, got {Describe(value)}.");
            return null;
        }

        return value.GetString();
    }

    public void Dispose() => _document.Dispose();

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "text",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
