using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.Sandbox;

/// <summary>How the portal hosts a sandbox cluster in-process for its embedded default.</summary>
public sealed class SandboxClusterOptions
{
    /// <summary>Where the kubeconfig is written (relative to the current directory): what the portal and kubectl use.</summary>
    public string KubeconfigPath { get; set; } = Path.Combine(".portal", "sandbox.kubeconfig");

    /// <summary>The sandbox itself (port 0 picks a free one).</summary>
    public SandboxOptions Sandbox { get; set; } = new();
}

/// <summary>Registration of the in-process sandbox cluster.</summary>
public static class SandboxDependencyInjection
{
    /// <summary>
    /// Registers a hosted service that starts a sandbox cluster on a free 127.0.0.1 port and writes its kubeconfig.
    /// Register it before anything that talks to the cluster: hosted services start in registration order.
    /// </summary>
    public static IHostApplicationBuilder AddSandboxCluster(this IHostApplicationBuilder builder, Action<SandboxClusterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The caller's choices first, then the Sandbox section's settings over them: configuration has the last word.
        var options = new SandboxClusterOptions();
        configure?.Invoke(options);
        var section = builder.Configuration.GetSection("Sandbox");
        if (section["KubeconfigPath"] is { Length: > 0 } path)
        {
            options.KubeconfigPath = path;
        }

        if (section["StateFile"] is { Length: > 0 } state)
        {
            options.Sandbox.StateFile = state;
        }

        builder.Services.TryAddSingleton(options);
        builder.Services.TryAddSingleton<SandboxClusterHost>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SandboxClusterHost>());
        return builder;
    }
}

/// <summary>The hosted sandbox: started with the host, stopped with it; exposes where its kubeconfig is.</summary>
public sealed class SandboxClusterHost(SandboxClusterOptions options, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private readonly TaskCompletionSource<SandboxCluster> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SandboxCluster? _cluster;

    /// <summary>Absolute path of the kubeconfig file (valid once the host has started).</summary>
    public string KubeconfigPath { get; } = Path.GetFullPath(options.KubeconfigPath);

    /// <summary>Completes with the running cluster once the host has started it.</summary>
    public Task<SandboxCluster> Started => _started.Task;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        options.Sandbox.LoggerFactory ??= loggerFactory;
        _cluster = await SandboxServer.StartAsync(options.Sandbox, cancellationToken);
        _cluster.WriteKubeconfig(KubeconfigPath);
        _started.TrySetResult(_cluster);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            _cluster = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
