using System.Net.Http.Json;
using System.Text.Json;
using Portal.Testing;

namespace Portal.E2E.Tests;

/// <summary>The real portal as an operator runs it first — the embedded default: SQLite, in-memory Hangfire, the
/// in-process sandbox cluster, Development — started once per test collection as a child process in a temporary data
/// directory, with a bootstrap API token, and PostgreSQL for the stacks' external databases. Everything it starts is
/// stopped, and everything it creates dropped, on dispose. The browser is <see cref="BrowserFixture"/>'s.</summary>
public sealed class PortalFixture : IAsyncLifetime
{
    /// <summary>The cluster the embedded default connects.</summary>
    public const string Cluster = "sandbox";

    // Generous: other test projects run at the same time on two cores.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan DeployTimeout = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan KubectlTimeout = TimeSpan.FromMinutes(1);

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("portal-e2e-");
    private readonly Lock _gate = new();
    private ExternalPostgres? _postgres;
    private PortalProcess? _portal;
    private Task<DeployedStack>? _airbyte;

    /// <summary>Where the portal listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl => Portal.BaseAddress;

    /// <summary>An HttpClient for <c>/api/v1</c> that sends the bootstrap token.</summary>
    public HttpClient Api => Portal.Api;

    /// <summary>The portal's data directory (<c>Portal__DataDirectory</c>): its SQLite database and the sandbox kubeconfig.</summary>
    public string DataDirectory => Path.Combine(_work.FullName, "data");

    /// <summary>The kubeconfig the embedded sandbox writes, for <c>kubectl --kubeconfig</c> or KubernetesClient.</summary>
    public string Kubeconfig => Path.Combine(DataDirectory, "sandbox.kubeconfig");

    private PortalProcess Portal => _portal ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>The portal's last lines of output, for failure messages.</summary>
    public string PortalOutput(int lines = 60) => _portal?.Tail(lines) ?? "(the portal is not running)";

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        try
        {
            _postgres = await ExternalPostgres.CreateAsync($"e2e_admin_{_suffix}");
            var token = PortalProcess.NewToken();
            _portal = await PortalProcess.StartAsync(
                new Dictionary<string, string>
                {
                    // The embedded default, whatever the machine's environment says.
                    ["ConnectionStrings__Portal"] = "",
                    ["Portal__EmbeddedSandbox"] = "true",
                    ["Portal__DataDirectory"] = DataDirectory,
                    ["Portal__BootstrapToken"] = token,
                },
                token,
                StartTimeout,
                ct);
            await WaitForSandboxAsync(ct);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Deploys the charmed-airbyte blueprint as stack <paramref name="name"/> (namespace of the same name) on the
    /// sandbox through <c>POST /api/v1/stacks</c>, with postgresql external on the local PostgreSQL, and waits until the
    /// deploy operation succeeded; fails with the operation's steps and the portal's output otherwise.</summary>
    public async Task<DeployedStack> DeployAirbyteAsync(string name, CancellationToken ct)
    {
        var body = new
        {
            name,
            blueprint = "charmed-airbyte",
            cluster = Cluster,
            @namespace = name,
            config = _postgres!.AirbyteConfig(name, $"{name}.example.com"),
        };
        using var created = await Api.PostAsJsonAsync("/api/v1/stacks", body, ct);
        var createdBody = await created.Content.ReadAsStringAsync(ct);
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /api/v1/stacks answered {(int)created.StatusCode}: {createdBody}");
        }

        var operationId = JsonDocument.Parse(createdBody).RootElement.GetProperty("operationId").GetGuid();
        var done = await OperationSnapshot.PollAsync(Api, operationId, o => o.IsFinished, DeployTimeout, ct);
        return done.State == "Succeeded"
            ? new DeployedStack(name, Cluster, name, operationId)
            : throw new InvalidOperationException($"The deploy of {name} ended {done}\nPortal output:\n{PortalOutput()}");
    }

    /// <summary>One charmed-airbyte stack deployed for the whole collection, on first use, for the tests that only need
    /// "a deployed stack".</summary>
    public Task<DeployedStack> AirbyteStackAsync()
    {
        lock (_gate)
        {
            // Not the caller's token: the stack outlives the test that asked first.
            return _airbyte ??= DeployAirbyteAsync($"e2e-{_suffix}", CancellationToken.None);
        }
    }

    /// <summary>Runs <c>kubectl --kubeconfig &lt;sandbox&gt; args</c> and returns its standard output; fails with its
    /// standard error if it exits non-zero.</summary>
    public async Task<string> KubectlAsync(IEnumerable<string> args, CancellationToken ct)
    {
        var (exit, stdout, stderr) = await Kubectl.RunAsync(Kubeconfig, args, KubectlTimeout, ct);
        return exit == 0 ? stdout : throw new InvalidOperationException($"kubectl {string.Join(' ', args)} exited with {exit}: {stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_portal is not null)
        {
            await _portal.DisposeAsync();
        }

        // After the portal: nothing holds the stacks' databases any more.
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        try
        {
            _work.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    // The sandbox starts with the portal, and is connected as a cluster by a hosted service: wait until the API lists it
    // as reachable, so that no test races it.
    private async Task WaitForSandboxAsync(CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(StartTimeout);
        var last = "";
        while (true)
        {
            using (var response = await Api.GetAsync("/api/v1/clusters", ct))
            {
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
                if (response.IsSuccessStatusCode
                    && JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.EnumerateArray()
                        .Any(c => c.GetProperty("name").GetString() == Cluster && c.GetProperty("reachable").GetBoolean()))
                {
                    return;
                }
            }

            try
            {
                await Task.Delay(200, deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"The portal did not list the sandbox as a reachable cluster within {StartTimeout}; GET /api/v1/clusters: {last}\n{PortalOutput()}");
            }
        }
    }
}

/// <summary>A stack <see cref="PortalFixture.DeployAirbyteAsync"/> deployed, and the operation that deployed it.</summary>
public sealed record DeployedStack(string Name, string Cluster, string Namespace, Guid DeployOperation);

/// <summary>All end-to-end test classes share one portal and one browser: starting them is the expensive part.</summary>
[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalFixture>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "Portal";
}
