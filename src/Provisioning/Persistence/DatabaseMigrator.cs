using Microsoft.Extensions.Hosting;

namespace Portal.Provisioning.Persistence;

/// <summary>Brings the portal's database schema up to date before anything else starts (registered first).</summary>
internal sealed class DatabaseMigrator(PortalDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
