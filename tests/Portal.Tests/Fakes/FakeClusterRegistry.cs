using Portal.Domain.Common;
using Portal.Provisioning.Clusters;

namespace Portal.Tests.Fakes;

/// <summary>The connected clusters as names only: connecting adds a name, disconnecting removes it, each raising
/// <see cref="Changed"/> like the real registry. No cluster is reached.</summary>
public sealed class FakeClusterRegistry : IClusterRegistry
{
    private readonly SortedSet<string> _names = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public event Action? Changed;

    public IReadOnlyCollection<string> Names
    {
        get
        {
            lock (_gate)
            {
                return [.. _names];
            }
        }
    }

    public bool Contains(string name)
    {
        lock (_gate)
        {
            return _names.Contains(name);
        }
    }

    public Result<string> Connect(string name, string kubeconfig, string? context) => Add(name);

    public Result<string> ConnectInCluster(string name) => Add(name);

    public bool Disconnect(string name)
    {
        bool removed;
        lock (_gate)
        {
            removed = _names.Remove(name);
        }

        if (removed)
        {
            Changed?.Invoke();
        }

        return removed;
    }

    private Result<string> Add(string name)
    {
        lock (_gate)
        {
            _names.Add(name);
        }

        Changed?.Invoke();
        return name;
    }
}
