using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Portal.Testing;

namespace Portal.Crash.Tests;

/// <summary>What a chaos scenario runs against: the sandbox cluster as its own process, PostgreSQL (<see cref="CrashPostgres"/>) and
/// the portal as a child process that can be killed and started again on the same database and configuration.</summary>
internal sealed class ChaosWorld : IAsyncDisposable
{
    public const string Cluster = "chaos";

    // Generous: a hang, not a slow start on a loaded machine, is what they catch.
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly DirectoryInfo _work;
    private readonly Dictionary<string, string> _environment;
    private readonly string _token;
    private readonly List<string> _earlierLives = [];

    private ChaosWorld(string scenario, string suffix, DirectoryInfo work, CrashPostgres postgres, SandboxProcess sandbox)
    {
        Scenario = scenario;
        Suffix = suffix;
        _work = work;
        Postgres = postgres;
        Sandbox = sandbox;
        _token = PortalProcess.NewToken();
        _environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Portal"] = postgres.PortalConnectionString,
            ["Portal__EmbeddedSandbox"] = "false",
            ["Portal__Clusters__0__Name"] = Cluster,
            ["Portal__Clusters__0__Kubeconfig"] = sandbox.Kubeconfig,
            ["Portal__BootstrapToken"] = _token,
            ["Portal__DataDirectory"] = Path.Combine(work.FullName, "portal-data"),
        };
    }

    public string Scenario { get; }

    /// <summary>A short random suffix for names (stacks, namespaces, databases) unique to this run.</summary>
    public string Suffix { get; }

    public CrashPostgres Postgres { get; }

    public SandboxProcess Sandbox { get; }

    /// <summary>The portal now running; null between a kill and the next start.</summary>
    public PortalProcess? Portal { get; private set; }

    public HttpClient Api => (Portal ?? throw new InvalidOperationException("the portal is not running")).Api;

    /// <summary>How many times the portal has been started.</summary>
    public int Lives { get; private set; }

    /// <summary>Starts the sandbox and the databases (the portal's on <paramref name="portalServer"/> when given), then the portal.</summary>
    public static async Task<ChaosWorld> StartAsync(string scenario, CancellationToken ct, string? portalServer = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var work = Directory.CreateTempSubdirectory($"portal-chaos-{scenario}-");
        CrashPostgres? postgres = null;
        SandboxProcess? sandbox = null;
        try
        {
            postgres = await CrashPostgres.CreateAsync(suffix, portalServer);
            sandbox = await SandboxProcess.StartAsync(work.FullName, StartTimeout, ct);
            var world = new ChaosWorld(scenario, suffix, work, postgres, sandbox);
            await world.StartPortalAsync(ct);
            return world;
        }
        catch
        {
            await TestParts.DisposeAsync(sandbox, postgres);
            TestParts.Delete(work);
            throw;
        }
    }

    public Kubernetes Kube() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(Sandbox.Kubeconfig));

    public async Task StartPortalAsync(CancellationToken ct)
    {
        Portal = await PortalProcess.StartAsync(_environment, _token, StartTimeout, ct);
        Lives++;
        ChaosLog.Trace(Scenario, $"portal life {Lives} listening on {Portal.BaseAddress}");
    }

    /// <summary>SIGKILL: no shutdown, no flush, no lease released.</summary>
    public async Task KillPortalAsync()
    {
        if (Portal is null)
        {
            return;
        }

        await Portal.KillAsync();
        _earlierLives.Add($"--- portal life {Lives} (killed) ---\n{Portal.Tail(30)}");
        await Portal.DisposeAsync();
        Portal = null;
    }

    /// <summary>The end of the portal's output now and in its earlier lives, for a failure message.</summary>
    public string PortalOutput() => string.Join("\n", _earlierLives.TakeLast(2).Append($"--- portal life {Lives} ---\n{Portal?.Tail(60)}"));

    /// <summary>POSTs (or PATCHes) a request that starts an operation and returns its id; fails with the answer when none started.</summary>
    public async Task<Guid> StartOperationAsync(HttpMethod method, string path, object body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        using var response = await Api.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("operationId").GetGuid();
    }

    public async Task<JsonNode> GetJsonAsync(string path, CancellationToken ct)
    {
        using var response = await Api.GetAsync(path, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Polls the operation until it has finished; on the way, answers the portal cannot give (its database restarting) are
    /// waited out too. A <see cref="TimeoutException"/> with the last state says where it stood.</summary>
    public async Task<OperationSnapshot> WaitFinishedAsync(Guid id, TimeSpan timeout, CancellationToken ct) =>
        await PollAsync(id, o => o.IsFinished, timeout, ct);

    public async Task<OperationSnapshot> PollAsync(Guid id, Func<OperationSnapshot, bool> until, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        OperationSnapshot? last = null;
        var lastProblem = "";
        while (true)
        {
            try
            {
                using var response = await Api.GetAsync($"/api/v1/operations/{id}", deadline.Token);
                var body = await response.Content.ReadAsStringAsync(deadline.Token);
                if (response.IsSuccessStatusCode)
                {
                    last = OperationSnapshot.Parse(body);
                    if (until(last))
                    {
                        return last;
                    }
                }
                else
                {
                    lastProblem = $"{(int)response.StatusCode}: {body}";
                }

                await Task.Delay(200, deadline.Token);
            }
            catch (HttpRequestException e)
            {
                lastProblem = e.Message;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"operation {id} did not get there within {timeout}:\n{last}\nlast error answer: {lastProblem}\n{PortalOutput()}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        ChaosLog.Trace(Scenario, "cleaning up");
        await TestParts.DisposeAsync(Portal, Sandbox, Postgres);
        TestParts.Delete(_work);
    }
}
