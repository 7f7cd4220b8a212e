using System.Net;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Portal.Provisioning.Clusters;

namespace Portal.Provisioning.Live;

/// <summary>The log of a container could not be read; the message says why in one sentence.</summary>
public sealed class PodLogException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Container logs through the cluster's <c>pods/log</c> endpoint (<c>ReadNamespacedPodLog</c>, following when asked).</summary>
/// <remarks>Lines go straight to the caller: they are never logged, stored or copied anywhere else, since a log can hold anything.
/// Failures arrive as <see cref="PodLogException"/>; cancelling the token ends a follow quietly.</remarks>
internal sealed class PodLogs(ClusterRegistry clusters, ILogger<PodLogs> logger) : IPodLogs
{
    public async IAsyncEnumerable<string> ReadAsync(
        string cluster, string @namespace, string pod, string container, int tailLines, bool follow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tailLines);
        IClusterGateway gateway;
        try
        {
            gateway = clusters.Gateway(cluster);
        }
        catch (ClusterException e)
        {
            throw new PodLogException(e.Message, e);
        }

        LiveLog.LogsOpened(logger, cluster, @namespace, pod, container);
        Stream stream;
        try
        {
            stream = await gateway.Client.CoreV1.ReadNamespacedPodLogAsync(
                pod, @namespace, container: container, follow: follow, tailLines: tailLines, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw new PodLogException(Reason(e, cluster, @namespace, pod, container), e);
        }
        catch (HttpRequestException e)
        {
            throw new PodLogException($"Cluster {cluster} is not reachable ({e.Message}).", e);
        }

        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream);
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                catch (IOException e)
                {
                    throw new PodLogException($"The log stream of {@namespace}/{pod} container {container} was cut ({e.Message}).", e);
                }

                if (line is null)
                {
                    yield break;
                }

                yield return line;
            }
        }
    }

    private static string Reason(HttpOperationException e, string cluster, string @namespace, string pod, string container)
    {
        var what = $"the log of {@namespace}/{pod} container {container} on cluster {cluster}";
        var detail = ClusterWatchCache.Describe(e);
        return e.Response.StatusCode == HttpStatusCode.NotFound
            ? $"Cannot read {what}: the pod or container does not exist ({detail})."
            : $"Cannot read {what}: {detail}.";
    }
}
