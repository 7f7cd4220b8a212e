using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Provisioning.Drafts;

namespace Portal.Provisioning.Stacks;

/// <summary>Registers the stack, cluster, audit log and API token services (called from <c>AddProvisioning</c>).</summary>
internal static class StacksServiceCollectionExtensions
{
    public static IServiceCollection AddStacks(this IServiceCollection services)
    {
        services.TryAddSingleton<IStackService, StackService>();
        services.AddDrafts();
        services.AddSingleton<ClusterService>();
        services.TryAddSingleton<IClusterService>(sp => sp.GetRequiredService<ClusterService>());
        services.AddHostedService<ClusterRestorer>();
        services.TryAddSingleton<IAuditLog, AuditService>();
        services.TryAddSingleton<Tokens.IApiTokenService, Tokens.ApiTokenService>();
        return services;
    }
}
