using Portal.Testing;

namespace Portal.Api.Tests.Security;

/// <summary>The local OpenID Connect provider (<see cref="OidcProvider"/>) as a class fixture, for a portal under test at
/// <c>https://localhost</c>.</summary>
public sealed class OidcProviderProcess : IAsyncLifetime
{
    public const string ClientId = OidcProvider.ClientId;
    public const string ClientSecret = OidcProvider.ClientSecret;

    private OidcProvider? _provider;

    /// <summary>The issuer, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Issuer => _provider?.Issuer ?? throw new InvalidOperationException("The provider is not started.");

    public async ValueTask InitializeAsync() =>
        _provider = await OidcProvider.StartAsync(new Uri("https://localhost"), TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

    public string Output() => _provider?.Output() ?? "";

    public async ValueTask DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }
}
