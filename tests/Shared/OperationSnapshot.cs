using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Portal.Testing;

/// <summary>What the tests read of <c>GET /api/v1/operations/{id}</c>.</summary>
internal sealed record OperationSnapshot(string State, string? Error, IReadOnlyList<StepSnapshot> Steps)
{
    /// <summary>Succeeded, Failed or Cancelled: nothing runs any more.</summary>
    public bool IsFinished => State is not ("Running" or "Failing" or "Cancelling");

    public static OperationSnapshot Parse(string json)
    {
        var root = JsonDocument.Parse(json).RootElement;
        return new OperationSnapshot(
            root.GetProperty("state").GetString()!,
            root.TryGetProperty("error", out var error) ? error.ToString() : null,
            root.GetProperty("steps").EnumerateArray().Select(s => new StepSnapshot(
                s.GetProperty("key").GetString()!,
                s.GetProperty("state").GetString()!,
                s.GetProperty("runs").GetInt32(),
                Time(s, "startedAt"),
                Time(s, "finishedAt"))).ToList());
    }

    /// <summary>Polls the operation until <paramref name="until"/> holds; a <see cref="TimeoutException"/> with the last
    /// snapshot otherwise.</summary>
    public static async Task<OperationSnapshot> PollAsync(
        HttpClient api, Guid id, Func<OperationSnapshot, bool> until, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        OperationSnapshot? last = null;
        while (true)
        {
            using var response = await api.GetAsync($"/api/v1/operations/{id}", ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"GET /api/v1/operations/{id} answered {(int)response.StatusCode}: {body}");
            }

            last = Parse(body);
            if (until(last))
            {
                return last;
            }

            try
            {
                await Task.Delay(100, deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"the operation did not reach the expected state within {timeout}:\n{last}");
            }
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder($"{State} {Error}\n");
        foreach (var step in Steps)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {step.Key}: {step.State} runs={step.Runs} started={step.StartedAt:O} finished={step.FinishedAt:O}\n");
        }

        return text.ToString();
    }

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetDateTimeOffset() : null;
}

/// <summary>One step of an <see cref="OperationSnapshot"/>.</summary>
internal sealed record StepSnapshot(string Key, string State, int Runs, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);
