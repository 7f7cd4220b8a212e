using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Portal.Provisioning.Telemetry;

/// <summary>Registers the portal's metrics and the readings behind them (called from <c>AddProvisioning</c>).</summary>
internal static class TelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddPortalTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryReadingsOptions>()
            .Bind(configuration.GetSection(TelemetryReadingsOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryReadingsOptions>, TelemetryReadingsOptionsValidator>();
        services.AddMetrics();
        services.AddSingleton<StackReadings>();
        services.AddSingleton<PortalMetrics>();
        // The gauges exist from the start, not from the first step run.
        services.AddHostedService<MetricsActivation>();
        return services;
    }

    private sealed class MetricsActivation(PortalMetrics metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(metrics);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
