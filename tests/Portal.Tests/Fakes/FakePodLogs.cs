using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Portal.Provisioning.Live;

namespace Portal.Tests.Fakes;

/// <summary>Container logs a test writes line by line: every read gets its own channel, found by pod and container.</summary>
public sealed class FakePodLogs : IPodLogs
{
    private readonly ConcurrentDictionary<(string Pod, string Container), Channel<string>> _streams = new();

    /// <summary>Every read in order: which container, how many tail lines, whether it follows.</summary>
    public ConcurrentQueue<(string Cluster, string Namespace, string Pod, string Container, int TailLines, bool Follow)> Reads { get; } = new();

    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _open;

    /// <summary>Reads currently open (not ended, not cancelled).</summary>
    public int OpenReads
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    /// <summary>Waits until exactly <paramref name="count"/> reads are open. Reads open and close on background tasks, after
    /// the render that caused them, so a render-driven wait would not see it.</summary>
    public async Task WaitForOpenReadsAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_open == count)
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(timeout.Token);
        }
    }

    /// <summary>The stream of a container: write lines to it, complete it to end the read.</summary>
    public ChannelWriter<string> Stream(string pod, string container) => Channel(pod, container).Writer;

    public async IAsyncEnumerable<string> ReadAsync(
        string cluster, string @namespace, string pod, string container, int tailLines, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Reads.Enqueue((cluster, @namespace, pod, container, tailLines, follow));
        var channel = Channel(pod, container);
        Count(+1);
        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return line;
            }
        }
        finally
        {
            Count(-1);
        }
    }

    private void Count(int delta)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _open += delta;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
    }

    private Channel<string> Channel(string pod, string container) =>
        _streams.GetOrAdd((pod, container), _ => System.Threading.Channels.Channel.CreateUnbounded<string>());
}
