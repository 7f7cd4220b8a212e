using Microsoft.AspNetCore.Components.Server.ProtectedBrowserStorage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.JSInterop;

namespace Portal.Features.Deploy;

/// <summary>Where the wizard keeps a draft (without secrets) so that reloading the page does not lose what was typed.</summary>
public interface IDeployDraftStore
{
    Task<DeployDraftSnapshot?> LoadAsync();

    Task SaveAsync(DeployDraftSnapshot snapshot);

    Task ClearAsync();
}

/// <summary>The browser tab's session storage, encrypted with the portal's data protection keys: it lives as long as the tab and
/// is never sent to another one.</summary>
internal sealed class BrowserDeployDraftStore(ProtectedSessionStorage storage) : IDeployDraftStore
{
    private const string Key = "portal.deploy-draft";

    public async Task<DeployDraftSnapshot?> LoadAsync()
    {
        try
        {
            var result = await storage.GetAsync<DeployDraftSnapshot>(Key);
            return result.Success ? result.Value : null;
        }
        catch (Exception e) when (e is JSException or JSDisconnectedException or System.Security.Cryptography.CryptographicException or InvalidOperationException or System.Text.Json.JsonException)
        {
            // A draft from an older portal, other keys or a browser without storage: start afresh.
            return null;
        }
    }

    public async Task SaveAsync(DeployDraftSnapshot snapshot)
    {
        try
        {
            await storage.SetAsync(Key, snapshot);
        }
        catch (Exception e) when (e is JSException or InvalidOperationException or JSDisconnectedException)
        {
            // Keeping the draft is a convenience; the wizard works without it.
        }
    }

    public async Task ClearAsync()
    {
        try
        {
            await storage.DeleteAsync(Key);
        }
        catch (Exception e) when (e is JSException or InvalidOperationException or JSDisconnectedException)
        {
            // Nothing to clear in a browser that kept nothing.
        }
    }
}

/// <summary>Registers the deploy wizard's per-circuit draft and its browser store.</summary>
public static class DeployServiceCollectionExtensions
{
    public static IServiceCollection AddDeployWizard(this IServiceCollection services)
    {
        services.TryAddScoped<DeployDraft>();
        services.TryAddScoped<IDeployDraftStore, BrowserDeployDraftStore>();
        return services;
    }
}
