using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Portal.Api.Tests.Observability;

/// <summary>One sample of the Prometheus text format: <c>name{label="value",…} value</c>.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}

/// <summary>Reads the Prometheus text exposition format (comments skipped, label values unescaped).</summary>
internal static class PrometheusText
{
    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var nameEnd = line.IndexOfAny(['{', ' ']);
            var name = line[..nameEnd];
            var i = nameEnd;
            if (line[i] == '{')
            {
                i++;
                while (line[i] != '}')
                {
                    var eq = line.IndexOf('=', i);
                    var key = line[i..eq].Trim(',', ' ');
                    var value = new StringBuilder();
                    var j = eq + 2; // past ="
                    for (; line[j] != '"'; j++)
                    {
                        if (line[j] == '\\')
                        {
                            j++;
                            value.Append(line[j] == 'n' ? '\n' : line[j]);
                        }
                        else
                        {
                            value.Append(line[j]);
                        }
                    }

                    labels[key] = value.ToString();
                    i = j + 1;
                    if (line[i] == ',')
                    {
                        i++;
                    }
                }

                i++;
            }

            var number = line[i..].Trim().Split(' ')[0];
            samples.Add(new PrometheusSample(name, labels, number switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(number, CultureInfo.InvariantCulture),
            }));
        }

        return samples;
    }
}

/// <summary>Waiting for a condition of the portal, with a timeout and no fixed sleeps beyond a short poll.</summary>
internal static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout ?? TimeSpan.FromMinutes(1));
        T last;
        while (true)
        {
            last = await read();
            if (done(last))
            {
                return last;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting until {what}; last seen: {Describe(last)}");
            }
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        Health health => $"{health.Code} {health.Json}",
        IEnumerable<PrometheusSample> samples => string.Join("\n", samples.Where(m => m.Name.StartsWith("portal_", StringComparison.Ordinal))
            .Select(m => $"{m.Name}{{{string.Join(",", m.Labels.Select(l => $"{l.Key}={l.Value}"))}}} {m.Value}")),
        _ => value?.ToString() ?? "null",
    };
}

/// <summary>A probe's answer: the status code and the JSON body.</summary>
internal sealed record Health(HttpStatusCode Code, JsonElement Json)
{
    public static async Task<Health> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        return new Health(response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public string Status => Json.GetProperty("status").GetString()!;

    public JsonElement Check(string name) => Json.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public string CheckStatus(string name) => Check(name).GetProperty("status").GetString()!;

    public string Description(string name) => Check(name).GetProperty("description").GetString()!;
}

/// <summary>One log entry with the structured values of every scope it was written in.</summary>
internal sealed record ScopedLogEntry(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Scope);

/// <summary>Keeps every log entry with its scopes' structured values, as a console or OTLP exporter that includes scopes sees them.</summary>
internal sealed class ScopeCapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ConcurrentQueue<ScopedLogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ScopeCapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
            owner._scopes.ForEachScope(
                (value, values) =>
                {
                    if (value is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (key, item) in pairs)
                        {
                            values[key] = item;
                        }
                    }
                },
                scope);
            owner.Entries.Enqueue(new ScopedLogEntry(category, logLevel, formatter(state, exception), scope));
        }
    }
}
