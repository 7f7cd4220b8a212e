using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Portal.Domain.Operations;
using Portal.Domain.Stacks;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Secrets;

namespace Portal.Api.Tests;

/// <summary>The real portal in memory with its own SQLite file in a temp folder, no embedded sandbox, a recording step
/// scheduler (no job runs) and a fake secret store; cluster <c>test</c> is connected to a local port nobody listens on.</summary>
public sealed class PortalApiFactory : WebApplicationFactory<Program>
{
    public const string Token = "bootstrap-Token-4f9a1c77e2";
    public const string Cluster = "test";
    public const string KubeToken = "kube-user-token-Xk29Qa";

    private readonly string _dataDirectory;
    private readonly bool _keepDataDirectory;

    public PortalApiFactory()
        : this(NewDataDirectory(), keepDataDirectory: false)
    {
    }

    /// <summary>A portal on a given data directory: two factories in turn on the same folder are a restart.</summary>
    internal PortalApiFactory(string dataDirectory, bool keepDataDirectory)
    {
        _dataDirectory = dataDirectory;
        _keepDataDirectory = keepDataDirectory;
        UnusedPort = FindUnusedPort();
    }

    /// <summary>Every log line the portal wrote, as "Level: message".</summary>
    public ConcurrentQueue<string> Logs { get; } = new();

    public static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), "portal-api-tests-" + Guid.NewGuid().ToString("N"));

    public int UnusedPort { get; }

    internal RecordingStepScheduler Scheduler { get; } = new();

    internal RecordingStackSecrets Secrets { get; } = new();

    /// <summary>Settings on top of the defaults; change them before the first client or service is asked for.</summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>A client that sends the bootstrap token and, unless <paramref name="allowServerErrors"/>, fails the test on any 500.</summary>
    public HttpClient Client(string? token = Token, bool allowServerErrors = false)
    {
        var client = allowServerErrors ? CreateDefaultClient() : CreateDefaultClient(new NoServerErrors());
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public string Kubeconfig(string context = "test") => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: https://127.0.0.1:{UnusedPort}
            insecure-skip-tls-verify: true
        users:
        - name: test
          user:
            token: {KubeToken}
        contexts:
        - name: {context}
          context:
            cluster: test
            user: test
        current-context: {context}
        """;

    internal PortalDbContext Database() => Services.GetRequiredService<PortalDatabase>().CreateContext();

    /// <summary>Runs every step of the stack's active operation to success, as the workers would, and lets the stack observer
    /// record it as applied.</summary>
    internal async Task CompleteActiveOperationAsync(string stack)
    {
        Guid id;
        await using (var context = Database())
        {
            id = (await context.Stacks.SingleAsync(s => s.Name == stack)).ActiveOperationId!.Value;
        }

        var store = Services.GetRequiredService<OperationStore>();
        var time = TimeProvider.System;
        Operation operation;
        do
        {
            operation = (await store.FindAsync(id, default))!;
            foreach (var step in operation.DueSteps(time.GetUtcNow()))
            {
                await store.UpdateAsync(id, o => o.Begin(step.Id, time.GetUtcNow(), StepPolicy.Default), default);
                await store.UpdateAsync(id, o => o.Complete(step.Id, time.GetUtcNow()), default);
            }

            operation = (await store.FindAsync(id, default))!;
        }
        while (!operation.State.IsFinished());

        await Services.GetRequiredService<IOperationObserver>().OperationFinishedAsync(operation, default);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Portal:DataDirectory", _dataDirectory);
        builder.UseSetting("Portal:EmbeddedSandbox", "false");
        builder.UseSetting("Portal:BootstrapToken", Token);
        builder.UseSetting("ConnectionStrings:Portal", "");
        // Many tests send wrong tokens on purpose; only the rate-limit tests want the limit they set.
        builder.UseSetting("Portal:Auth:FailedTokenLimit:PermitLimit", "100000");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IStepScheduler>();
            services.AddSingleton<IStepScheduler>(Scheduler);
            services.RemoveAll<IStackSecrets>();
            services.AddSingleton<IStackSecrets>(Secrets);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_keepDataDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment; a temp folder left behind is harmless.
        }
    }

    /// <summary>Connects cluster <see cref="Cluster"/> (idempotent) so that stacks validate against it.</summary>
    public void ConnectTestCluster()
    {
        var result = Services.GetRequiredService<IClusterRegistry>().Connect(Cluster, Kubeconfig(), null);
        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
    }

    private static int FindUnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Fails the request when the portal answers 500 (or another 5xx but 503): bad input must never crash an endpoint.</summary>
    private sealed class NoServerErrors : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            // 503 is the one deliberate server-side answer (a cluster that cannot be reached); anything else is a crash.
            if ((int)response.StatusCode >= 500 && response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                Assert.Fail($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 2000)]}");
            }

            return response;
        }
    }
}

/// <summary>Records the steps handed to the job queue instead of running them.</summary>
internal sealed class RecordingStepScheduler : IStepScheduler
{
    private readonly ConcurrentQueue<Guid> _enqueued = new();

    public IReadOnlyCollection<Guid> Enqueued => _enqueued.ToArray();

    public void Enqueue(Guid stepId) => _enqueued.Enqueue(stepId);

    public void Schedule(Guid stepId, DateTimeOffset at) => _enqueued.Enqueue(stepId);
}

/// <summary>Keeps the specs (with their secret values) the service asked to store, as the cluster would.</summary>
internal sealed class RecordingStackSecrets : IStackSecrets
{
    private readonly ConcurrentQueue<StackSpec> _stored = new();

    public IReadOnlyCollection<StackSpec> Stored => _stored.ToArray();

    /// <summary>Stacks whose name starts with this fail as if their cluster did not answer.</summary>
    public const string UnreachablePrefix = "unreachable";

    /// <summary>Stacks whose name starts with this hit a bug (an unexpected exception).</summary>
    public const string CrashPrefix = "crash";

    public Task StoreInputsAsync(StackSpec specWithSecrets, CancellationToken cancellationToken)
    {
        if (specWithSecrets.Name.StartsWith(CrashPrefix, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("A bug in the secret store.");
        }

        if (specWithSecrets.Name.StartsWith(UnreachablePrefix, StringComparison.Ordinal))
        {
            throw new ClusterException($"Cluster {specWithSecrets.Cluster} could not apply Secret {specWithSecrets.Namespace}/x: it is not reachable (Connection refused)", null, transient: true);
        }

        _stored.Enqueue(specWithSecrets);
        return Task.CompletedTask;
    }
}

/// <summary>Keeps every log line in a queue, so that tests can assert what the portal told the operator.</summary>
internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(lines);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
