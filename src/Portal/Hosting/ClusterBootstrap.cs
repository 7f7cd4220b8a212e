using Microsoft.Extensions.Options;
using Portal.Provisioning.Clusters;
using Portal.Sandbox;

namespace Portal.Hosting;

/// <summary>Connects the clusters of the configuration at start: each <c>Portal:Clusters</c> entry, and the embedded sandbox
/// once it listens — through the kubeconfig it wrote, exactly as any other cluster.</summary>
internal sealed partial class ClusterBootstrap(
    IOptions<PortalOptions> options,
    IClusterRegistry registry,
    ILogger<ClusterBootstrap> logger,
    SandboxClusterHost? sandbox = null) : IHostedService
{
    public const string SandboxClusterName = "sandbox";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var cluster in options.Value.Clusters)
        {
            var result = cluster.InCluster
                ? registry.ConnectInCluster(cluster.Name)
                : registry.Connect(cluster.Name, await File.ReadAllTextAsync(cluster.Kubeconfig!, cancellationToken), cluster.Context);
            if (result.IsSuccess)
            {
                Log.Connected(logger, cluster.Name);
            }
            else
            {
                Log.NotConnected(logger, cluster.Name, string.Join(" ", result.Errors.Select(e => e.Message)));
            }
        }

        if (sandbox is not null)
        {
            await sandbox.Started.WaitAsync(cancellationToken);
            var kubeconfig = await File.ReadAllTextAsync(sandbox.KubeconfigPath, cancellationToken);
            var result = registry.Connect(SandboxClusterName, kubeconfig, null);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"The embedded sandbox wrote a kubeconfig the portal cannot use: {string.Join(" ", result.Errors)}");
            }

            Log.Connected(logger, SandboxClusterName);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Connected cluster {Cluster}")]
        public static partial void Connected(ILogger logger, string cluster);

        [LoggerMessage(Level = LogLevel.Error, Message = "Could not connect cluster {Cluster}: {Problem}")]
        public static partial void NotConnected(ILogger logger, string cluster, string problem);
    }
}
