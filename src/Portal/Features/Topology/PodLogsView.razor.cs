using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Live;

namespace Portal.Features.Topology;

/// <summary>Live logs of one container of a component's pods: the last lines, then new ones as they come (follow), with
/// pause (the stream keeps reading; new lines wait) and a search that filters and highlights.</summary>
/// <remarks>Lines arrive on a background task and are handed to the renderer in batches (one render per batch, however many
/// lines came), so a chatty container cannot flood the circuit. Only the last <see cref="MaxLines"/> lines are kept.</remarks>
public sealed partial class PodLogsView : IAsyncDisposable
{
    public const int TailLines = 300;
    public const int MaxLines = 2000;

    private readonly List<string> _lines = [];
    private readonly List<string> _held = [];
    private readonly ConcurrentQueue<(int Generation, string Line)> _incoming = new();
    private int _flushQueued;
    private int _generation;

    private string? _pod;
    private string? _container;
    private bool _follow = true;
    private bool _paused;
    private string _search = "";
    private (string Pod, string Container, bool Follow)? _streaming;
    private CancellationTokenSource? _stop;
    private Task? _reader;
    private StreamState _state = StreamState.Idle;
    private string? _error;

    private enum StreamState
    {
        Idle,
        Streaming,
        Ended,
        Failed,
    }

    [Inject]
    public required IPodLogs PodLogs { get; init; }

    [Parameter, EditorRequired]
    public required string Cluster { get; set; }

    [Parameter, EditorRequired]
    public required string Namespace { get; set; }

    [Parameter, EditorRequired]
    public required IReadOnlyList<ObservedPod> Pods { get; set; }

    /// <summary>The pod to show; when it changes, the view switches to it.</summary>
    [Parameter]
    public string? Pod { get; set; }

    [Parameter]
    public EventCallback<string> PodChanged { get; set; }

    private IEnumerable<string> VisibleLines => _search.Length == 0
        ? _lines
        : _lines.Where(l => l.Contains(_search, StringComparison.OrdinalIgnoreCase));

    private string StateText
    {
        get
        {
            var where = _streaming is { } s ? $"{s.Pod} / {s.Container}" : "";
            var count = _search.Length == 0
                ? $"{_lines.Count} lines"
                : $"{VisibleLines.Count()} of {_lines.Count} lines match “{_search}”";
            return _state switch
            {
                StreamState.Idle => Pods.Count == 0 ? "No pod to read logs from." : "",
                StreamState.Failed => $"Could not read the logs of {where}: {_error}",
                StreamState.Ended => $"{where}: {count}; the stream ended (the container stopped, or follow is off). Reload to read again.",
                _ when _paused => $"{where}: paused; {_held.Count} new lines waiting. {count}",
                _ => $"{where}: {(_follow ? "following" : "reading")}; {count}",
            };
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        var wanted = Pod is { } p && Pods.Any(x => x.Name == p) ? p : _pod is { } current && Pods.Any(x => x.Name == current) ? current : Pods.Count > 0 ? Pods[0].Name : null;
        if (wanted is null)
        {
            // The pods are gone (scaled down, replaced): keep what was read, the stream ends by itself.
            return;
        }

        if (wanted != _pod)
        {
            _pod = wanted;
            _container = DefaultContainer(wanted);
        }
        else if (_container is null || !ContainersOf(_pod).Contains(_container))
        {
            _container = DefaultContainer(wanted);
        }

        if (_container is not null && _streaming != (_pod, _container, _follow))
        {
            await RestartAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(Detach());

    private IReadOnlyList<string> ContainersOf(string? pod) =>
        Pods.FirstOrDefault(p => p.Name == pod) is { } found
            ? [.. found.Containers.Select(c => c.Name), .. found.InitContainers.Select(c => c.Name)]
            : [];

    // The container to read first: the one in trouble (restarting, waiting), as abctl does for pods in BackOff.
    private string? DefaultContainer(string pod) =>
        Pods.FirstOrDefault(p => p.Name == pod) is { } found
            ? (found.Containers.FirstOrDefault(c => !c.Ready && (c.RestartCount > 0 || c.WaitingReason is not null)) ?? (found.Containers.Count > 0 ? found.Containers[0] : null))?.Name
            : null;

    private async Task PodChangedAsync(ChangeEventArgs e)
    {
        _pod = e.Value as string;
        _container = _pod is null ? null : DefaultContainer(_pod);
        await PodChanged.InvokeAsync(_pod);
        await RestartAsync();
    }

    private async Task ContainerChangedAsync(ChangeEventArgs e)
    {
        _container = e.Value as string;
        await RestartAsync();
    }

    private async Task FollowChangedAsync(ChangeEventArgs e)
    {
        _follow = e.Value is true;
        if (!_follow)
        {
            Resume();
        }

        await RestartAsync();
    }

    private void TogglePause()
    {
        if (_paused)
        {
            Resume();
        }
        else
        {
            _paused = true;
        }
    }

    private void Resume()
    {
        _paused = false;
        Append(_held);
        _held.Clear();
    }

    private void SearchChanged(ChangeEventArgs e) => _search = e.Value as string ?? "";

    // Restarting changes every field before its first await, so that a second call (parameters set again while the old reader
    // is still stopping) sees the new stream and does not start another; lines of an old stream are dropped by generation.
    private async Task RestartAsync()
    {
        var previous = Detach();
        if (_pod is not null && _container is not null)
        {
            _lines.Clear();
            _held.Clear();
            _error = null;
            _state = StreamState.Streaming;
            _streaming = (_pod, _container, _follow);
            _stop = new CancellationTokenSource();
            var (pod, container, follow, generation, token) = (_pod, _container, _follow, _generation, _stop.Token);
            _reader = Task.Run(() => ReadAsync(pod, container, follow, generation, token));
        }

        await StopAsync(previous);
    }

    private (CancellationTokenSource Stop, Task Reader)? Detach()
    {
        var previous = _stop is null ? ((CancellationTokenSource, Task)?)null : (_stop, _reader!);
        _stop = null;
        _reader = null;
        _streaming = null;
        _generation++;
        previous?.Item1.Cancel();
        return previous;
    }

    private static async Task StopAsync((CancellationTokenSource Stop, Task Reader)? stream)
    {
        if (stream is not var (stop, reader))
        {
            return;
        }

        try
        {
            await reader;
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }
        finally
        {
            stop.Dispose();
        }
    }

    private async Task ReadAsync(string pod, string container, bool follow, int generation, CancellationToken cancellationToken)
    {
        StreamState end;
        string? error = null;
        try
        {
            await foreach (var line in PodLogs.ReadAsync(Cluster, Namespace, pod, container, TailLines, follow, cancellationToken))
            {
                _incoming.Enqueue((generation, line));
                QueueFlush();
            }

            end = StreamState.Ended;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            end = StreamState.Failed;
            error = e.Message;
        }

        await InvokeAsync(() =>
        {
            if (cancellationToken.IsCancellationRequested || generation != _generation)
            {
                return;
            }

            Flush();
            _state = end;
            _error = error;
            StateHasChanged();
        });
    }

    // At most one render waits at a time; it takes every line that arrived meanwhile.
    private void QueueFlush()
    {
        if (Interlocked.Exchange(ref _flushQueued, 1) == 0)
        {
            _ = InvokeAsync(() =>
            {
                Interlocked.Exchange(ref _flushQueued, 0);
                Flush();
                StateHasChanged();
            });
        }
    }

    private void Flush()
    {
        var batch = new List<string>();
        while (_incoming.TryDequeue(out var item))
        {
            if (item.Generation == _generation)
            {
                batch.Add(item.Line);
            }
        }

        if (_paused)
        {
            _held.AddRange(batch);
            if (_held.Count > MaxLines)
            {
                _held.RemoveRange(0, _held.Count - MaxLines);
            }
        }
        else
        {
            Append(batch);
        }
    }

    private void Append(IReadOnlyCollection<string> lines)
    {
        _lines.AddRange(lines);
        if (_lines.Count > MaxLines)
        {
            _lines.RemoveRange(0, _lines.Count - MaxLines);
        }
    }

    /// <summary>A line cut into pieces, the matches of the search marked.</summary>
    private IEnumerable<(string Text, bool Match)> Split(string line)
    {
        if (_search.Length == 0)
        {
            yield return (line, false);
            yield break;
        }

        var start = 0;
        while (start < line.Length)
        {
            var at = line.IndexOf(_search, start, StringComparison.OrdinalIgnoreCase);
            if (at < 0)
            {
                yield return (line[start..], false);
                yield break;
            }

            if (at > start)
            {
                yield return (line[start..at], false);
            }

            yield return (line.Substring(at, _search.Length), true);
            start = at + _search.Length;
        }
    }
}
