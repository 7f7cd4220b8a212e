using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using Portal.Domain.Operations;
using Portal.Sandbox;
using Portal.Testing;

namespace Portal.Api.Tests.Observability;

/// <summary>The whole portal as it runs on the embedded default — its in-process sandbox cluster (with short simulated delays), Hangfire
/// running the steps, SQLite — with one stack deployed through the API (PostgreSQL external on the local server). Spans go to
/// OpenTelemetry's in-memory exporter besides the portal's own setup; log entries are kept with their scopes.</summary>
public sealed class DeployedPortal : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string Token = "observability-Token-8c1e2f";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "portal-otel-tests-" + Guid.NewGuid().ToString("N"));
    private ExternalPostgres? _postgres;

    public string Stack { get; } = "obs" + Guid.NewGuid().ToString("N")[..6];

    public Guid OperationId { get; private set; }

    internal SpanList Spans { get; } = new();

    internal ScopeCapturingLoggerProvider Logs { get; } = new();

    public HttpClient Api()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return client;
    }

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        _postgres = await ExternalPostgres.CreateAsync($"otel_{Stack}");
        using var api = Api();
        var created = await api.PostAsJsonAsync(
            "/api/v1/stacks",
            new { name = Stack, blueprint = "charmed-airbyte", cluster = "sandbox", config = _postgres.AirbyteConfig(Stack, $"{Stack}.example.com") },
            ct);
        var body = await created.Content.ReadAsStringAsync(ct);
        Assert.True(created.IsSuccessStatusCode, $"{(int)created.StatusCode}: {body}");
        OperationId = JsonDocument.Parse(body).RootElement.GetProperty("operationId").GetGuid();

        var finished = await Eventually.GetAsync(
            async () => JsonDocument.Parse(await api.GetStringAsync($"/api/v1/operations/{OperationId}", ct)).RootElement.Clone(),
            o => Enum.Parse<OperationState>(o.GetProperty("state").GetString()!).IsFinished(),
            "the deploy finishes",
            TimeSpan.FromMinutes(4));
        Assert.True(finished.GetProperty("state").GetString() == "Succeeded", finished.GetRawText());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Portal:DataDirectory", _dataDirectory);
        builder.UseSetting("Portal:EmbeddedSandbox", "true");
        builder.UseSetting("Portal:BootstrapToken", Token);
        builder.UseSetting("ConnectionStrings:Portal", "");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<SandboxClusterOptions>();
            services.AddSingleton(new SandboxClusterOptions
            {
                KubeconfigPath = Path.Combine(_dataDirectory, "sandbox.kubeconfig"),
                Sandbox = new SandboxOptions { Simulation = FastSimulation() },
            });
            services.RemoveAll<StepPolicy>();
            services.AddSingleton(StepPolicy.Default with
            {
                FirstBackoff = TimeSpan.FromMilliseconds(200),
                MaxBackoff = TimeSpan.FromSeconds(1),
                PollInterval = TimeSpan.FromMilliseconds(200),
                IssuanceFirstBackoff = TimeSpan.FromMilliseconds(200),
                IssuanceMaxBackoff = TimeSpan.FromSeconds(1),
                VerifyDeadline = TimeSpan.FromSeconds(5),
            });
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(Spans));
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    // The sandbox's delays cut to milliseconds: a whole deploy in seconds, the same steps and objects.
    private static SimulationOptions FastSimulation() => new()
    {
        SchedulingDelay = TimeSpan.FromMilliseconds(10),
        ImagePullDelay = TimeSpan.FromMilliseconds(30),
        ReadinessDelay = TimeSpan.FromMilliseconds(30),
        JobRunDuration = TimeSpan.FromMilliseconds(100),
        CrashRunDuration = TimeSpan.FromMilliseconds(50),
        CrashBackoff = TimeSpan.FromMilliseconds(100),
        CrashBackoffLimit = TimeSpan.FromMilliseconds(400),
        ProbeInterval = TimeSpan.FromMilliseconds(200),
        LogHeartbeatInterval = null,
        PodTerminationDelay = TimeSpan.FromMilliseconds(10),
        VolumeBindDelay = TimeSpan.FromMilliseconds(20),
        LoadBalancerDelay = TimeSpan.FromMilliseconds(30),
    };
}
