using System.Threading.Channels;

namespace Portal.Sandbox.Simulation;

/// <summary>One log line of a container, with the time the simulated process wrote it.</summary>
internal sealed record LogLine(DateTimeOffset Time, string Text);

/// <summary>
/// Synthetic container logs: what the simulated kubelet's containers "print", kept per container instance
/// (current and previous, for <c>kubectl logs --previous</c> after a crash) and streamed to followers.
/// </summary>
internal sealed class LogBook
{
    private const int MaxLinesPerInstance = 5_000;

    private readonly Dictionary<(string Ns, string Pod, string Container), ContainerLog> _logs = [];
    private readonly Lock _gate = new();

    public void Append(string ns, string pod, string container, DateTimeOffset time, string text)
    {
        lock (_gate)
        {
            var log = Get(ns, pod, container, create: true)!;
            var line = new LogLine(time, text);
            log.Current.Add(line);
            if (log.Current.Count > MaxLinesPerInstance)
            {
                log.Current.RemoveAt(0);
            }

            foreach (var follower in log.Followers)
            {
                follower.Writer.TryWrite(line);
            }
        }
    }

    /// <summary>The container exited: followers reach the end of the stream.</summary>
    public void Terminated(string ns, string pod, string container)
    {
        lock (_gate)
        {
            if (Get(ns, pod, container, create: false) is { } log)
            {
                log.Running = false;
                foreach (var follower in log.Followers)
                {
                    follower.Writer.TryComplete();
                }

                log.Followers.Clear();
            }
        }
    }

    /// <summary>The container starts again: its current lines become the previous instance's.</summary>
    public void Restarted(string ns, string pod, string container)
    {
        lock (_gate)
        {
            var log = Get(ns, pod, container, create: true)!;
            log.Previous = log.Current;
            log.Current = [];
            log.Running = true;
        }
    }

    public void Started(string ns, string pod, string container)
    {
        lock (_gate)
        {
            Get(ns, pod, container, create: true)!.Running = true;
        }
    }

    public void RemovePod(string ns, string pod)
    {
        lock (_gate)
        {
            foreach (var key in _logs.Keys.Where(k => k.Ns == ns && k.Pod == pod).ToList())
            {
                foreach (var follower in _logs[key].Followers)
                {
                    follower.Writer.TryComplete();
                }

                _logs.Remove(key);
            }
        }
    }

    public bool HasStarted(string ns, string pod, string container)
    {
        lock (_gate)
        {
            return Get(ns, pod, container, create: false) is not null;
        }
    }

    /// <summary>
    /// Lines so far and, when following a running container, a reader of the lines to come (atomically, so none is
    /// lost or repeated). Null lines when the asked instance does not exist.
    /// </summary>
    public (List<LogLine>? Lines, ChannelReader<LogLine>? Follow) Read(string ns, string pod, string container, bool previous, bool follow)
    {
        lock (_gate)
        {
            var log = Get(ns, pod, container, create: false);
            if (log is null)
            {
                return (null, null);
            }

            if (previous)
            {
                return (log.Previous is null ? null : [.. log.Previous], null);
            }

            ChannelReader<LogLine>? reader = null;
            if (follow && log.Running)
            {
                var channel = Channel.CreateUnbounded<LogLine>();
                log.Followers.Add(channel);
                reader = channel.Reader;
            }

            return ([.. log.Current], reader);
        }
    }

    public void Unfollow(string ns, string pod, string container, ChannelReader<LogLine> reader)
    {
        lock (_gate)
        {
            Get(ns, pod, container, create: false)?.Followers.RemoveAll(f => f.Reader == reader);
        }
    }

    private ContainerLog? Get(string ns, string pod, string container, bool create)
    {
        if (!_logs.TryGetValue((ns, pod, container), out var log) && create)
        {
            log = new ContainerLog();
            _logs[(ns, pod, container)] = log;
        }

        return log;
    }

    private sealed class ContainerLog
    {
        public List<LogLine> Current { get; set; } = [];

        public List<LogLine>? Previous { get; set; }

        public bool Running { get; set; }

        public List<Channel<LogLine>> Followers { get; } = [];
    }
}
