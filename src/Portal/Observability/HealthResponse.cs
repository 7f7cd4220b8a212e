using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Portal.Observability;

/// <summary>The JSON body of <c>/healthz</c> and <c>/readyz</c>: the overall status and, per check, its status and the sentence it
/// reported (plus, for the clusters check, one entry per cluster).</summary>
/// <remarks>Only what the checks wrote as descriptions and data goes out: never an exception, so never a driver's message naming a
/// server or a connection string.</remarks>
internal static class HealthResponse
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new Body(
            report.Status.ToString(),
            report.Entries.Select(e => new Check(
                e.Key,
                e.Value.Status.ToString(),
                e.Value.Description ?? e.Value.Status.ToString(),
                Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                e.Value.Data.Count == 0 ? null : e.Value.Data.ToDictionary(d => d.Key, d => d.Value?.ToString() ?? "", StringComparer.Ordinal)))
            .ToList());
        return JsonSerializer.SerializeAsync(context.Response.Body, body, Json, context.RequestAborted);
    }

    private sealed record Body(string Status, IReadOnlyList<Check> Checks);

    private sealed record Check(string Name, string Status, string Description, double DurationMs, IReadOnlyDictionary<string, string>? Data);
}
