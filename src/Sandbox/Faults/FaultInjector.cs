using System.Text.Json.Nodes;
using Portal.Sandbox.Api;

namespace Portal.Sandbox.Faults;

/// <summary>The live fault switches: read by the API layer per request and by the kubelet per pod.</summary>
/// <remarks>Thread-safe; settings are an immutable record swapped atomically, budgets are counted under a lock.</remarks>
public sealed class FaultInjector
{
    /// <summary>Per-request switch: "status=503", "latency=250" (ms) or "drop-watch".</summary>
    public const string RequestHeader = "X-Sandbox-Fault";

    private readonly Lock _gate = new();
    private readonly Random _random;
    private FaultSettings _settings;
    private int _errorsInjected;
    private int _watchesDropped;
    private int _codeIndex;

    internal FaultInjector(FaultSettings initial, int? seed)
    {
        _settings = initial;
        _random = seed is { } s ? new Random(s) : new Random();
    }

    /// <summary>Raised when <see cref="DropWatchStreams"/> is called: every open watch ends.</summary>
    internal event Action? DropRequested;

    public FaultSettings Settings
    {
        get
        {
            lock (_gate)
            {
                return _settings;
            }
        }
    }

    /// <summary>Errors injected since the settings were last set.</summary>
    public int ErrorsInjected
    {
        get
        {
            lock (_gate)
            {
                return _errorsInjected;
            }
        }
    }

    /// <summary>Replaces the settings (and resets the budgets).</summary>
    public void Set(FaultSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        lock (_gate)
        {
            _settings = settings with
            {
                ApiErrorRate = Math.Clamp(settings.ApiErrorRate, 0, 1),
                ApiLatency = settings.ApiLatency > TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : settings.ApiLatency,
                ApiErrorCodes = settings.ApiErrorCodes.Count == 0 ? [503] : settings.ApiErrorCodes,
            };
            _errorsInjected = 0;
            _watchesDropped = 0;
        }
    }

    /// <summary>Turns every fault off.</summary>
    public void Clear() => Set(new FaultSettings());

    /// <summary>Cuts every watch stream open right now (clients see the stream end and must re-watch).</summary>
    public void DropWatchStreams() => DropRequested?.Invoke();

    /// <summary>The error to answer a resource request with instead of serving it, if the fault rate picks it.</summary>
    internal ApiException? NextApiError()
    {
        lock (_gate)
        {
            if (_settings.ApiErrorRate <= 0 || _errorsInjected >= _settings.ApiErrorBudget || _random.NextDouble() >= _settings.ApiErrorRate)
            {
                return null;
            }

            _errorsInjected++;
            var code = _settings.ApiErrorCodes[_codeIndex++ % _settings.ApiErrorCodes.Count];
            return ErrorFor(code);
        }
    }

    internal static ApiException ErrorFor(int code) => code switch
    {
        429 => new ApiException(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later (injected by the sandbox)") { RetryAfterSeconds = 1 },
        503 => new ApiException(503, "ServiceUnavailable", "the server is currently unable to handle the request (injected by the sandbox)") { RetryAfterSeconds = 1 },
        504 => new ApiException(504, "Timeout", "the server was unable to return a response in the time allotted (injected by the sandbox)"),
        _ => new ApiException(code, "InternalError", "Internal error occurred: injected by the sandbox"),
    };

    internal TimeSpan Latency => Settings.ApiLatency;

    /// <summary>Whether a watch that has sent <paramref name="eventsSent"/> events should be cut now (consumes budget).</summary>
    internal bool ShouldDropWatch(int eventsSent)
    {
        lock (_gate)
        {
            if (_settings.DropWatchAfterEvents is not { } after || eventsSent < after || _watchesDropped >= _settings.DropWatchBudget)
            {
                return false;
            }

            _watchesDropped++;
            return true;
        }
    }

    /// <summary>The pod-level fault for a container: from the pod annotation or the image lists.</summary>
    internal PodFault PodFaultFor(JsonObject pod, JsonObject container, string? jobName)
    {
        var settings = Settings;
        var annotation = pod.Str("metadata", "annotations", FaultSettings.PodAnnotation);
        var image = container.Str("image") ?? "";
        if (annotation == "image-pull" || Matches(settings.ImagePullFailureImages, image))
        {
            return PodFault.ImagePull;
        }

        if (annotation == "crash-loop" || Matches(settings.CrashLoopImages, image))
        {
            return PodFault.CrashLoop;
        }

        if (annotation == "never-ready" || Matches(settings.NeverReadyImages, image))
        {
            return PodFault.NeverReady;
        }

        if (annotation == "job-fail" || (jobName is not null && settings.FailingJobs.Contains(jobName)) || Matches(settings.FailingJobs, image))
        {
            return PodFault.Fail;
        }

        return PodFault.None;
    }

    private static bool Matches(IReadOnlyList<string> patterns, string image) =>
        patterns.Any(p => p.EndsWith('*') ? image.StartsWith(p[..^1], StringComparison.Ordinal) : p == image || image.StartsWith(p + ":", StringComparison.Ordinal));
}

/// <summary>What the kubelet simulates for a container.</summary>
internal enum PodFault
{
    None,
    ImagePull,
    CrashLoop,
    NeverReady,
    Fail,
}
