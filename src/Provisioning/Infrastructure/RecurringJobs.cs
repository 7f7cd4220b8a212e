using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Portal.Provisioning.Infrastructure;

/// <summary>Recurring Hangfire jobs (certificate renewal, secret rotation by policy), registered with Hangfire when the portal
/// starts; <c>AddOrUpdate</c> makes a restart or a second replica change nothing.</summary>
internal static class RecurringJobs
{
    /// <summary>Adds <typeparamref name="TJob"/> to the container and <paramref name="register"/> to run at start.</summary>
    public static IServiceCollection AddRecurringJob<TJob>(this IServiceCollection services, Action<IRecurringJobManager> register)
        where TJob : class
    {
        services.AddTransient<TJob>();
        services.AddSingleton<IHostedService>(sp => new Registration(sp.GetRequiredService<IRecurringJobManager>(), register));
        return services;
    }

    private sealed class Registration(IRecurringJobManager jobs, Action<IRecurringJobManager> register) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            register(jobs);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
