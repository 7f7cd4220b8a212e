namespace Portal.Testing;

/// <summary>The local OpenID Connect provider of <c>tests/Oidc</c> (npm <c>oidc-provider</c>, started with the machine's
/// Node.js) on a free loopback port, with one confidential client and the users of <c>tests/Oidc/users.json</c>: olivia
/// (group portal-operators), adam (portal-admins), vera (portal-viewers), nora (none). Any password signs in.</summary>
internal sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "portal-test";
    public const string ClientSecret = "portal-test-secret";
    private const string ListeningMarker = "listening on ";

    private readonly ChildProcess _process;

    private OidcProvider(ChildProcess process, string issuer)
    {
        _process = process;
        Issuer = issuer;
    }

    /// <summary>The issuer, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Issuer { get; }

    /// <summary>The <c>Portal:Auth</c> settings that make a portal sign in through this provider, with the users' groups
    /// mapped to the three roles.</summary>
    public IReadOnlyDictionary<string, string> PortalSettings(string separator = "__") => new Dictionary<string, string>
    {
        [$"Portal{separator}Auth{separator}OpenIdConnect{separator}Authority"] = Issuer,
        [$"Portal{separator}Auth{separator}OpenIdConnect{separator}ClientId"] = ClientId,
        [$"Portal{separator}Auth{separator}OpenIdConnect{separator}ClientSecret"] = ClientSecret,
        [$"Portal{separator}Auth{separator}OpenIdConnect{separator}RequireHttpsMetadata"] = "false",
        [$"Portal{separator}Auth{separator}OpenIdConnect{separator}DisplayName"] = "Test IdP",
        [$"Portal{separator}Auth{separator}OpenIdConnect{separator}Scopes{separator}0"] = "openid",
        [$"Portal{separator}Auth{separator}OpenIdConnect{separator}Scopes{separator}1"] = "profile",
        [$"Portal{separator}Auth{separator}OpenIdConnect{separator}Scopes{separator}2"] = "groups",
        [$"Portal{separator}Auth{separator}RoleClaims{separator}0"] = "groups",
        [$"Portal{separator}Auth{separator}Roles{separator}Viewer{separator}0"] = "portal-viewers",
        [$"Portal{separator}Auth{separator}Roles{separator}Operator{separator}0"] = "portal-operators",
        [$"Portal{separator}Auth{separator}Roles{separator}Admin{separator}0"] = "portal-admins",
    };

    /// <summary>Starts the provider for a portal at <paramref name="portal"/> (its <c>/signin-oidc</c> and
    /// <c>/signout-callback-oidc</c> are the registered redirects); installs the npm packages when they are missing.</summary>
    public static async Task<OidcProvider> StartAsync(Uri portal, TimeSpan timeout, CancellationToken ct)
    {
        var folder = Path.Combine(Builds.RepositoryRoot, "tests", "Oidc");
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "oidc-provider")))
        {
            await using var install = ChildProcess.StartProgram("npm ci", "npm", ["ci", "--no-audit", "--no-fund"], folder, new Dictionary<string, string>());
            await install.WaitForExitAsync(timeout, ct);
        }

        var process = ChildProcess.StartProgram(
            "oidc-provider",
            "node",
            ["server.mjs", "--redirect-uri", new Uri(portal, "/signin-oidc").ToString(), "--post-logout-redirect-uri", new Uri(portal, "/signout-callback-oidc").ToString()],
            folder,
            new Dictionary<string, string>());
        try
        {
            var line = await process.WaitForLineAsync(l => l.StartsWith(ListeningMarker, StringComparison.Ordinal), timeout, ct);
            return new OidcProvider(process, line[ListeningMarker.Length..].Trim());
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public string Output() => _process.Tail(100);

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
