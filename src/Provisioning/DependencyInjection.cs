using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Portal.Domain.Catalog;
using Portal.Domain.Operations;
using Portal.Provisioning.Certificates.Issuers;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Infrastructure;
using Portal.Provisioning.Live;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Relations.Postgresql;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning;

/// <summary>The provisioning layer's one entry point.</summary>
public static class DependencyInjection
{
    /// <summary>The connection string name: PostgreSQL for the portal's database and Hangfire; empty means the embedded default.</summary>
    public const string ConnectionStringName = "Portal";

    /// <summary>Registers persistence (PostgreSQL or the embedded SQLite file), Hangfire (on PostgreSQL or in memory) with the
    /// step jobs, the renderers and the step runner.</summary>
    public static IHostApplicationBuilder AddProvisioning(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var postgres = builder.Configuration.GetConnectionString(ConnectionStringName);
        var dataDirectory = DataDirectory.Resolve(builder.Configuration["Portal:DataDirectory"]);
        var database = new PortalDatabase(new PortalDatabaseOptions(
            string.IsNullOrWhiteSpace(postgres) ? null : postgres,
            Path.Combine(dataDirectory, "portal.db")));

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(StepPolicy.Default);
        services.AddSingleton(database);
        services.AddSingleton(new ProvisioningInfo(
            database.Describe(),
            database.Options.IsPostgres ? "Hangfire on PostgreSQL" : "Hangfire in memory",
            IsEmbedded: !database.Options.IsPostgres));
        services.AddSingleton<OperationStore>();
        services.AddSingleton<ClusterRegistry>();
        services.AddSingleton<IClusterRegistry>(sp => sp.GetRequiredService<ClusterRegistry>());
        services.AddSingleton<IOperationObserver, StackOperationObserver>();

        // The schema first: everything after it reads or writes the database (Data Protection loads its keys at start).
        services.AddHostedService<DatabaseMigrator>();

        // Data Protection keys live in the portal database, so kubeconfigs encrypted with them survive restarts and replicas.
        var dataProtection = services.AddDataProtection().SetApplicationName("airbyte-portal");
        if (database.Options.IsPostgres)
        {
            services.AddScoped(_ => (PostgresPortalDbContext)database.CreateContext());
            dataProtection.PersistKeysToDbContext<PostgresPortalDbContext>();
        }
        else
        {
            services.AddScoped(_ => (SqlitePortalDbContext)database.CreateContext());
            dataProtection.PersistKeysToDbContext<SqlitePortalDbContext>();
        }

        services.AddSingleton(ComponentCatalog.Default);
        services.AddRendering();

        services.AddExternalPostgresql();
        services.AddCertificateIssuers();
        Steps.StepHandlersServiceCollectionExtensions.AddStepHandlers(services);

        services.AddSingleton<StepRunner>();
        services.AddTransient<StepJob>();
        services.TryAddSingleton<IStepScheduler, HangfireStepScheduler>();
        services.AddSingleton<StepJobFailureFilter>();

        services.AddHangfire((provider, configuration) =>
        {
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseFilter(provider.GetRequiredService<StepJobFailureFilter>());
            if (database.Options.IsPostgres)
            {
                configuration.UsePostgreSqlStorage(
                    o => o.UseNpgsqlConnection(database.Options.PostgresConnectionString),
                    new PostgreSqlStorageOptions
                    {
                        SchemaName = "hangfire",
                        PrepareSchemaIfNecessary = true,
                        QueuePollInterval = TimeSpan.FromSeconds(1),
                        InvisibilityTimeout = TimeSpan.FromMinutes(5),
                    });
            }
            else
            {
                configuration.UseInMemoryStorage();
            }
        });
        services.AddHangfireServer(options =>
        {
            options.Queues = [StepJob.QueueName, "default"];
            options.SchedulePollingInterval = TimeSpan.FromSeconds(1);
            options.WorkerCount = Math.Max(4, Environment.ProcessorCount * 4);
        });
        services.AddHostedService<StepDispatcher>();
        services.AddStacks();
        Certificates.CertificatesServiceCollectionExtensions.AddCertificates(services);
        Secrets.Inventory.SecretInventoryServiceCollectionExtensions.AddSecretInventory(services);
        Secrets.Schedule.SecretRotationScheduleServiceCollectionExtensions.AddSecretRotationSchedule(services);
        services.AddLive(builder.Configuration);
        Telemetry.TelemetryServiceCollectionExtensions.AddPortalTelemetry(services, builder.Configuration);
        return builder;
    }
}
