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
    /// <summary>The control characters no text field takes: C0 but tab and line breaks, DEL and C1.</summary>
    private static readonly System.Buffers.SearchValues<char> ControlCharacters = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Where(c => c is not ('\t' or '\n' or '\r')).Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c)]);

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

            // Every string is read once here, so that the fields below never meet text they cannot read.
            if (UnreadableText(document.RootElement, "") is { } unreadable)
            {
                document.Dispose();
                return (null, unreadable);
            }

            var body = new JsonBody(document);
            body.RefuseControlCharacters(document.RootElement, "");
            return (body, null);
        }
        catch (JsonException e)
        {
            // The parser's own message names .NET internals; the position is what helps.
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {(e.BytePositionInLine ?? 0) + 1}" : "";
            return (null, $"The body is not valid JSON{where}.");
        }
    }

    /// <summary>Why the body cannot be read as text, or null: bytes that are not UTF-8 or <c>\u</c> escapes that are not Unicode (a lone
    /// surrogate) in a value or a name, or a field given twice (one reader would take the first, another the last).</summary>
    private static string? UnreadableText(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return TryText(element) is null ? $"The text at {Where(path)} is not valid Unicode (bytes that are not UTF-8, or a \\u escape of half a surrogate pair)." : null;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select((item, i) => UnreadableText(item, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]")).FirstOrDefault(p => p is not null);
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return $"A field name in {Where(path)} is not valid Unicode (bytes that are not UTF-8, or a \\u escape of half a surrogate pair).";
                    }

                    var child = path.Length == 0 ? name : $"{path}.{name}";
                    if (!names.Add(name))
                    {
                        return $"The body gives {Where(child)} twice; give each field once.";
                    }

                    if (UnreadableText(property.Value, child) is { } problem)
                    {
                        return problem;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Reports every text value with a control character other than a tab or a line break (a NUL, an escape sequence):
    /// no field of the API takes one, and the database cannot store a NUL.</summary>
    private void RefuseControlCharacters(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                var text = element.GetString()!;
                var at = text.AsSpan().IndexOfAny(ControlCharacters);
                if (at >= 0)
                {
                    Errors.Add(ErrorPath(path), $"The text has a control character (U+{(int)text[at]:X4}) at position {(at + 1).ToString(CultureInfo.InvariantCulture)}; only printable characters, tabs and line breaks are allowed.");
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    RefuseControlCharacters(item, $"{path}[{index++.ToString(CultureInfo.InvariantCulture)}]");
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    RefuseControlCharacters(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}");
                }

                break;
            default:
                break;
        }
    }

    /// <summary>A path as the fields report it: config options are <c>component.option</c>, without <c>config.</c>.</summary>
    private static string ErrorPath(string path) => path.StartsWith("config.", StringComparison.Ordinal) ? path["config.".Length..] : path;

    private static string Where(string path) => path.Length == 0 ? "the top of the body" : path.Length > 100 ? "a field" : path;

    private static string? TryText(JsonElement element)
    {
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
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
