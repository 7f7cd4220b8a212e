using Microsoft.Extensions.DependencyInjection;
using Portal.Provisioning.Rendering.Kinds;

namespace Portal.Provisioning.Rendering;

/// <summary>Registers one renderer per component kind and the stack renderer that composes them.</summary>
internal static class RenderingServiceCollectionExtensions
{
    public static IServiceCollection AddRendering(this IServiceCollection services)
    {
        services.AddSingleton<IComponentRenderer, AirbyteRenderer>();
        services.AddSingleton<IComponentRenderer, TemporalRenderer>();
        services.AddSingleton<IComponentRenderer, TemporalAdminRenderer>();
        services.AddSingleton<IComponentRenderer, WebhooksRenderer>();
        services.AddSingleton<IComponentRenderer, OAuth2ProxyRenderer>();
        services.AddSingleton<IComponentRenderer, NginxIngressRenderer>();
        services.AddSingleton<IComponentRenderer, LegoRenderer>();
        services.AddSingleton<IComponentRenderer, MinioRenderer>();
        services.AddSingleton<IComponentRenderer, PostgresqlRenderer>();
        services.AddSingleton<StackRenderer>();
        return services;
    }
}
