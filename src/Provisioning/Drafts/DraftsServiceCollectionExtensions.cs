using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Drafts;

/// <summary>Registers the deploy wizard's server side (called from <c>AddStacks</c>).</summary>
internal static class DraftsServiceCollectionExtensions
{
    public static IServiceCollection AddDrafts(this IServiceCollection services)
    {
        services.TryAddSingleton<NewStackChecks>();
        services.TryAddSingleton<IStackDrafts, StackDrafts>();
        return services;
    }
}
