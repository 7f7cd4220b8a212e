using System.Collections.Concurrent;
using k8s;
using Portal.Domain.Common;

namespace Portal.Provisioning.Clusters;

/// <summary>The clusters the portal is connected to, by name, and how to reach each one.</summary>
public interface IClusterRegistry
{
    IReadOnlyCollection<string> Names { get; }

    bool Contains(string name);

    /// <summary>Connects a cluster from a kubeconfig (and context); replaces a connection of the same name.</summary>
    Result<string> Connect(string name, string kubeconfig, string? context);

    /// <summary>Connects the cluster the portal runs in, through its service account.</summary>
    Result<string> ConnectInCluster(string name);

    bool Disconnect(string name);

    /// <summary>Raised after a cluster is connected, reconnected or disconnected (on the caller's thread).</summary>
    event Action? Changed;
}

/// <summary>The registry, holding one gateway per connected cluster.</summary>
internal sealed class ClusterRegistry(TimeProvider time) : IClusterRegistry, IDisposable
{
    private readonly ConcurrentDictionary<string, ClusterGateway> _gateways = new(StringComparer.Ordinal);

    public event Action? Changed;

    public IReadOnlyCollection<string> Names => _gateways.Keys.Order(StringComparer.Ordinal).ToList();

    public bool Contains(string name) => _gateways.ContainsKey(name);

    public Result<string> Connect(string name, string kubeconfig, string? context)
    {
        var configuration = ClusterConnector.FromKubeconfig(kubeconfig, context);
        return configuration.IsSuccess ? Add(name, configuration.Value) : Result<string>.Failure(configuration.Errors);
    }

    public Result<string> ConnectInCluster(string name)
    {
        var configuration = ClusterConnector.InCluster();
        return configuration.IsSuccess ? Add(name, configuration.Value) : Result<string>.Failure(configuration.Errors);
    }

    public bool Disconnect(string name)
    {
        if (!_gateways.TryRemove(name, out var gateway))
        {
            return false;
        }

        gateway.Dispose();
        Changed?.Invoke();
        return true;
    }

    /// <summary>The gateway of a connected cluster.</summary>
    public IClusterGateway Gateway(string name) =>
        _gateways.TryGetValue(name, out var gateway)
            ? gateway
            : throw new ClusterException($"The portal is not connected to a cluster named '{name}'.", null, transient: true);

    public void Dispose()
    {
        foreach (var gateway in _gateways.Values)
        {
            gateway.Dispose();
        }

        _gateways.Clear();
    }

    private Result<string> Add(string name, KubernetesClientConfiguration configuration)
    {
        var gateway = new ClusterGateway(name, configuration, time);
        _gateways.AddOrUpdate(name, gateway, (_, old) =>
        {
            old.Dispose();
            return gateway;
        });
        Changed?.Invoke();
        return name;
    }
}
