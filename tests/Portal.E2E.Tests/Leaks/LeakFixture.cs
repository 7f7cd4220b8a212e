using Npgsql;
using Portal.Testing;

namespace Portal.E2E.Tests.Leaks;

/// <summary>The portal as production runs it, for the secret-leak test: its own PostgreSQL database (EF Core and Hangfire's
/// schema), sign-in through the local OpenID Connect provider, and the sandbox as its own process configured as cluster
/// <see cref="Cluster"/>. Every line the portal writes is kept (<see cref="PortalOutput"/>).</summary>
public sealed class LeakFixture : IAsyncLifetime
{
    public const string Cluster = "leaks";

    // Generous: other test projects run at the same time on two cores.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("portal-leaks-");
    private string? _portalDatabase;
    private ExternalPostgres? _postgres;
    private SandboxProcess? _sandbox;
    private OidcProvider? _provider;
    private PortalProcess? _portal;

    public Uri BaseUrl => Portal.BaseAddress;

    /// <summary>The bootstrap token; an API client of the test's own sends it.</summary>
    public string Token { get; private set; } = "";

    /// <summary>The path of the sandbox's kubeconfig.</summary>
    public string Kubeconfig => _sandbox?.Kubeconfig ?? throw new InvalidOperationException("The fixture is not initialized.");

    internal ExternalPostgres Postgres => _postgres ?? throw new InvalidOperationException("The fixture is not initialized.");

    public string Suffix => _suffix;

    /// <summary>The portal's own database (with Hangfire's schema in it).</summary>
    public string PortalConnectionString =>
        new NpgsqlConnectionStringBuilder(ExternalPostgres.AdminConnectionString) { Database = _portalDatabase, Pooling = false }.ConnectionString;

    /// <summary>Every line the portal wrote to standard output and error so far: its whole log.</summary>
    public IReadOnlyCollection<string> PortalOutput => Portal.Process.Lines;

    private PortalProcess Portal => _portal ?? throw new InvalidOperationException("The fixture is not initialized.");

    public string Output(int lines = 60) =>
        $"portal:\n{_portal?.Tail(lines) ?? "(not running)"}\noidc-provider:\n{_provider?.Output() ?? "(not running)"}";

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        try
        {
            _portalDatabase = $"portal_leaks_{_suffix}";
            await ExternalPostgres.ExecuteAsync($"CREATE DATABASE \"{_portalDatabase}\"");
            _postgres = await ExternalPostgres.CreateAsync($"leaks_admin_{_suffix}");
            _sandbox = await SandboxProcess.StartAsync(_work.FullName, StartTimeout, ct);
            var port = ChildProcess.FreePort();
            _provider = await OidcProvider.StartAsync(new Uri($"http://127.0.0.1:{port}/"), StartTimeout, ct);
            Token = PortalProcess.NewToken();
            var environment = new Dictionary<string, string>(_provider.PortalSettings())
            {
                ["ConnectionStrings__Portal"] = PortalConnectionString,
                ["Portal__EmbeddedSandbox"] = "false",
                ["Portal__Clusters__0__Name"] = Cluster,
                ["Portal__Clusters__0__Kubeconfig"] = _sandbox.Kubeconfig,
                ["Portal__DataDirectory"] = Path.Combine(_work.FullName, "data"),
                ["Portal__BootstrapToken"] = Token,
                // Everything the portal logs, its own categories at Debug: a leak in a debug line is a leak too.
                ["Logging__LogLevel__Portal"] = "Debug",
            };
            _portal = await PortalProcess.StartAsync(environment, Token, StartTimeout, ct, port);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await TestParts.DisposeAsync(_portal, _provider, _sandbox, _postgres);
        if (_portalDatabase is not null)
        {
            await ExternalPostgres.ExecuteAsync($"DROP DATABASE IF EXISTS \"{_portalDatabase}\" WITH (FORCE)");
        }

        TestParts.Delete(_work);
    }
}

/// <summary>The leak test has a portal of its own (PostgreSQL, a sign-in provider) and shares the browser.</summary>
[CollectionDefinition(Name)]
public sealed class LeakCollection : ICollectionFixture<LeakFixture>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "leaks";
}
