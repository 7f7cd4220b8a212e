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

    /// <summary>Reads currently open (not ended, not cancelled).</summary>
    public int OpenReads => _open;

    private int _open;

    /// <summary>The stream of a container: write lines to it, complete it to end the read.</summary>
    public ChannelWriter<string> Stream(string pod, string container) => Channel(pod, container).Writer;

    public async IAsyncEnumerable<string> ReadAsync(
        string cluster, string @namespace, string pod, string container, int tailLines, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Reads.Enqueue((cluster, @namespace, pod, container, tailLines, follow));
        var channel = Channel(pod, container);
        Interlocked.Increment(ref _open);
        try
        {
            await foreach (var line in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return line;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    private Channel<string> Channel(string pod, string container) =>
        _streams.GetOrAdd((pod, container), _ => System.Threading.Channels.Channel.CreateUnbounded<string>());
}
