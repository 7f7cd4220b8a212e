using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Sandbox.Api;
using Portal.Sandbox.Faults;
using Portal.Sandbox.Hosting;
using Portal.Sandbox.Simulation;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox;

/// <summary>Starts sandbox clusters: a Kubernetes-API-compatible server with simulated controllers, on 127.0.0.1.</summary>
public static class SandboxServer
{
    /// <summary>Starts a sandbox cluster; dispose the returned handle to stop it.</summary>
    public static async Task<SandboxCluster> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger("Portal.Sandbox");
        var token = options.Token ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var registry = ResourceRegistry.CreateDefault();
        var store = new ObjectStore(options.WatchHistorySize);
        var api = new ClusterApi(store, registry, options.TimeProvider, new Identity(options.Seed));
        var faults = new FaultInjector(options.Faults, options.Seed);
        faults.Set(options.Faults);
        var logs = new LogBook();

        StateFile? stateFile = null;
        var loaded = false;
        if (options.StateFile is { } statePath)
        {
            stateFile = new StateFile(statePath, store, registry, options.StateFileDebounce);
            loaded = stateFile.TryLoad();
            foreach (var service in store.List(registry.Services, null).Items)
            {
                api.Admission.Reserve(service.Node.Str("spec", "clusterIP"));
            }
        }

        var simulator = new Simulator(options.TimeProvider, ex => SandboxLog.ControllerFailed(logger, ex));
        var context = new SimulationContext(api, simulator, options.Simulation, faults, logs);
        if (options.RunControllers)
        {
            simulator.Add(new NamespaceController(context));
            simulator.Add(new GarbageCollector(context));
            simulator.Add(new DeploymentController(context));
            simulator.Add(new ReplicaSetController(context));
            simulator.Add(new StatefulSetController(context));
            simulator.Add(new JobController(context));
            simulator.Add(new Kubelet(context));
            simulator.Add(new NetworkController(context));
            simulator.Add(new VolumeController(context));
            simulator.Add(new ResourceQuotaController(context));
            store.AddListener(simulator);
        }

        if (!loaded)
        {
            Bootstrap.Seed(api, options);
        }
        else if (options.RunControllers)
        {
            // After a restart every object is looked at once, as controllers resync on start.
            foreach (var obj in store.All())
            {
                simulator.OnChange(new StoreEvent(obj.ResourceVersion, ChangeType.Modified, obj, obj));
            }
        }

        // The ingress controller's TLS listener is up before the controllers run, so the port they report is the one served.
        IngressDataPlane? dataPlane = null;
        if (options.RunControllers && options.Simulation.LoadBalancerAddress is { } lbAddress && options.Simulation.IngressTlsPort is { } tlsPort)
        {
            dataPlane = IngressDataPlane.Start(lbAddress, tlsPort, store, registry);
            context.IngressTlsPort = dataPlane.Port;
        }

        stateFile?.Start();
        if (options.RunControllers)
        {
            simulator.Start();
        }

        string? caPem = null;
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null;
        if (options.UseHttps)
        {
            (certificate, caPem) = Certificates.Create();
        }

        var handler = new ApiHandler(api, options, faults, logs, token);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SandboxServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();

        // Its own "listening on" line (SandboxLog.Started) says it is the sandbox; the host's lifetime lines would read like
        // the portal's own "Now listening on" when the sandbox runs inside the portal.
        builder.Services.AddSingleton<ILoggerFactory>(new WithoutLifetimeMessages(loggerFactory));

        // The sandbox lives inside another process (the portal, a test, the standalone program): that process owns
        // Ctrl+C and SIGTERM, so the embedded web host must not react to them itself.
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedLifetime>();
        if (options.UseHttps)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 3 * 1024 * 1024 + 1;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                if (certificate is not null)
                {
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(certificate);
                }
                else
                {
                    listen.Protocols = HttpProtocols.Http1;
                }
            });
        });
        var app = builder.Build();
        app.Run(handler.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await simulator.DisposeAsync();
            await app.DisposeAsync();
            if (dataPlane is not null)
            {
                await dataPlane.DisposeAsync();
            }

            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var baseUrl = new Uri($"{(options.UseHttps ? "https" : "http")}://127.0.0.1:{port}");
        SandboxLog.Started(logger, baseUrl);
        return new SandboxCluster(app, simulator, handler, faults, stateFile, baseUrl, token, caPem, store, dataPlane);
    }
}

/// <summary>A running sandbox cluster: where it is, how to reach it, its fault switches, and its simulated clock's progress.</summary>
/// <remarks>Dispose to stop the server, the controllers and (when configured) write the state file one last time.</remarks>
public sealed class SandboxCluster : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Simulator _simulator;
    private readonly ApiHandler _handler;
    private readonly StateFile? _stateFile;
    private readonly ObjectStore _store;
    private readonly IngressDataPlane? _dataPlane;
    private int _disposed;

    internal SandboxCluster(WebApplication app, Simulator simulator, ApiHandler handler, FaultInjector faults, StateFile? stateFile, Uri baseUrl, string token, string? caPem, ObjectStore store, IngressDataPlane? dataPlane)
    {
        _dataPlane = dataPlane;
        _app = app;
        _simulator = simulator;
        _handler = handler;
        _stateFile = stateFile;
        _store = store;
        Faults = faults;
        BaseUrl = baseUrl;
        Token = token;
        CertificateAuthorityPem = caPem;
    }

    /// <summary>http(s)://127.0.0.1:PORT</summary>
    public Uri BaseUrl { get; }

    /// <summary>The bearer token every request must carry.</summary>
    public string Token { get; }

    /// <summary>PEM of the CA that signed the server certificate (HTTPS mode only).</summary>
    public string? CertificateAuthorityPem { get; }

    /// <summary>Fault switches (the admin endpoint /sandbox/v1/faults drives the same ones).</summary>
    public FaultInjector Faults { get; }

    /// <summary>The port the simulated ingress controller serves TLS on (on the load-balancer address), or null when it serves none.</summary>
    public int? IngressTlsPort => _dataPlane?.Port;

    /// <summary>TLS handshakes the simulated ingress controller completed.</summary>
    public long IngressHandshakes => _dataPlane?.Handshakes ?? 0;

    /// <summary>Watch streams open right now.</summary>
    public int OpenWatches => _handler.OpenWatches;

    /// <summary>Kubernetes API requests served so far (discovery included): what a client's work cost in round trips.</summary>
    public long Requests => _handler.Requests;

    /// <summary>Kubernetes API requests that named this namespace: one stack's share when several clients share the sandbox.</summary>
    public long RequestsIn(string @namespace) => _handler.RequestsIn(@namespace);

    /// <summary>The store's current resourceVersion.</summary>
    public long ResourceVersion => _store.ResourceVersion;

    /// <summary>When the simulation next has something to do (null when nothing is scheduled): tests step a manual clock to it.</summary>
    public DateTimeOffset? NextScheduledTime => _simulator.NextDue;

    /// <summary>Completes once the controllers have processed every change and everything due at the current time.</summary>
    public Task WaitForIdleAsync(CancellationToken cancellationToken = default) => _simulator.WaitForIdleAsync(cancellationToken);

    /// <summary>A kubeconfig (YAML) for kubectl and KubernetesClient: one cluster, one token user, one context.</summary>
    public string Kubeconfig(string contextName = "sandbox", string defaultNamespace = "default")
    {
        var text = new StringBuilder();
        text.AppendLine("apiVersion: v1");
        text.AppendLine("kind: Config");
        text.AppendLine("clusters:");
        text.AppendLine($"- name: {contextName}");
        text.AppendLine("  cluster:");
        text.AppendLine($"    server: {BaseUrl.ToString().TrimEnd('/')}");
        if (CertificateAuthorityPem is not null)
        {
            text.AppendLine($"    certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(CertificateAuthorityPem))}");
        }

        text.AppendLine("users:");
        text.AppendLine($"- name: {contextName}");
        text.AppendLine("  user:");
        text.AppendLine($"    token: {Token}");
        text.AppendLine("contexts:");
        text.AppendLine($"- name: {contextName}");
        text.AppendLine("  context:");
        text.AppendLine($"    cluster: {contextName}");
        text.AppendLine($"    user: {contextName}");
        text.AppendLine($"    namespace: {defaultNamespace}");
        text.AppendLine($"current-context: {contextName}");
        return text.ToString();
    }

    /// <summary>Writes <see cref="Kubeconfig"/> to <paramref name="path"/> (owner-only permissions: it holds the token).</summary>
    public string WriteKubeconfig(string path, string contextName = "sandbox")
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(full, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Kubeconfig(contextName));
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return full;
    }

    /// <summary>Writes the state file now (it is otherwise written shortly after each change).</summary>
    public Task FlushStateAsync() => _stateFile?.FlushAsync() ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Faults.DropWatchStreams();
        await _app.StopAsync(CancellationToken.None);
        await _simulator.DisposeAsync();
        await _app.DisposeAsync();
        _handler.Dispose();
        if (_dataPlane is not null)
        {
            await _dataPlane.DisposeAsync();
        }

        if (_stateFile is not null)
        {
            await _stateFile.DisposeAsync();
        }
    }
}

/// <summary>A host lifetime that ignores process signals (the embedding process handles them).</summary>
internal sealed class EmbeddedLifetime : Microsoft.Extensions.Hosting.IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static partial class SandboxLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Sandbox cluster listening on {BaseUrl}")]
    public static partial void Started(ILogger logger, Uri baseUrl);

    [LoggerMessage(Level = LogLevel.Error, Message = "A simulated controller failed")]
    public static partial void ControllerFailed(ILogger logger, Exception exception);
}

/// <summary>Passes every log category through except the inner host's lifetime messages.</summary>
internal sealed class WithoutLifetimeMessages(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) =>
        categoryName == "Microsoft.Hosting.Lifetime" ? NullLogger.Instance : inner.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The factory belongs to the caller; the sandbox does not dispose it.
    public void Dispose()
    {
    }
}
