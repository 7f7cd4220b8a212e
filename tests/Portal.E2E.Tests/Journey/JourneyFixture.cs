using Portal.Testing;

namespace Portal.E2E.Tests.Journey;

/// <summary>The portal as a team runs it for real rather than the embedded default: sign-in through an OpenID Connect
/// provider (the local one of <c>tests/Oidc</c>), no cluster configured, and a cluster to add — the sandbox as its own
/// process, reached only through the kubeconfig it writes. SQLite and in-memory Hangfire keep it light; PostgreSQL is
/// there for the stacks' external databases.</summary>
public sealed class JourneyFixture : IAsyncLifetime
{
    // Generous: other test projects run at the same time on two cores.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("portal-journey-");
    private ExternalPostgres? _postgres;
    private SandboxProcess? _sandbox;
    private OidcProvider? _provider;
    private PortalProcess? _portal;

    /// <summary>Where the portal listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl => Portal.BaseAddress;

    /// <summary>An HttpClient for <c>/api/v1</c> that sends the bootstrap token.</summary>
    public HttpClient Api => Portal.Api;

    /// <summary>The sandbox's kubeconfig, as an operator would paste it.</summary>
    public string Kubeconfig => _sandbox?.Kubeconfig ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>The local PostgreSQL as the stack's external database server.</summary>
    internal ExternalPostgres Postgres => _postgres ?? throw new InvalidOperationException("The fixture is not initialized.");

    public string Suffix => _suffix;

    private PortalProcess Portal => _portal ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>The last lines of the portal's and the provider's output, for failure messages.</summary>
    public string Output(int lines = 60) =>
        $"portal:\n{_portal?.Tail(lines) ?? "(not running)"}\noidc-provider:\n{_provider?.Output() ?? "(not running)"}";

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        try
        {
            _postgres = await ExternalPostgres.CreateAsync($"journey_admin_{_suffix}");
            _sandbox = await SandboxProcess.StartAsync(_work.FullName, StartTimeout, ct);

            // The provider must know the portal's redirect address before the portal starts: pick the port first.
            var port = ChildProcess.FreePort();
            _provider = await OidcProvider.StartAsync(new Uri($"http://127.0.0.1:{port}/"), StartTimeout, ct);
            var token = PortalProcess.NewToken();
            var environment = new Dictionary<string, string>(_provider.PortalSettings())
            {
                ["ConnectionStrings__Portal"] = "",
                ["Portal__EmbeddedSandbox"] = "false",
                ["Portal__DataDirectory"] = Path.Combine(_work.FullName, "data"),
                ["Portal__BootstrapToken"] = token,
            };
            _portal = await PortalProcess.StartAsync(environment, token, StartTimeout, ct, port);
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
        TestParts.Delete(_work);
    }
}

/// <summary>The journey has a portal of its own (sign-in through a provider, no cluster yet) and shares the browser.</summary>
[CollectionDefinition(Name)]
public sealed class JourneyCollection : ICollectionFixture<JourneyFixture>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "journey";
}
