using Microsoft.Extensions.DependencyInjection;

namespace Portal.Provisioning.Secrets.Inventory;

/// <summary>Registers the secret inventory (<see cref="ISecretService"/>); called from <c>AddProvisioning</c>. Rotation and roll-back
/// come from the <see cref="ISecretRotations"/> registered elsewhere; without one they answer Conflict.</summary>
internal static class SecretInventoryServiceCollectionExtensions
{
    public static IServiceCollection AddSecretInventory(this IServiceCollection services)
    {
        services.AddSingleton<SecretService>();
        services.AddSingleton<ISecretService>(sp => sp.GetRequiredService<SecretService>());
        return services;
    }
}
