using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.Domain.Status;

namespace Portal.Provisioning.Live;

/// <summary>Registers the watch caches, the live stack status and pod logs (called from <c>AddProvisioning</c>).</summary>
internal static class LiveServiceCollectionExtensions
{
    public static IServiceCollection AddLive(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LiveOptions>().Bind(configuration.GetSection(LiveOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LiveOptions>, LiveOptionsValidator>();
        services.TryAddSingleton(HealthDeadlines.Default);
        services.AddSingleton<WatchCaches>();
        services.TryAddSingleton<ILiveClusters>(sp => sp.GetRequiredService<WatchCaches>());
        services.AddSingleton<LiveStacks>();
        services.TryAddSingleton<ILiveStacks>(sp => sp.GetRequiredService<LiveStacks>());
        services.AddHostedService(sp => sp.GetRequiredService<LiveStacks>());
        services.TryAddSingleton<IPodLogs, PodLogs>();
        return services;
    }
}
