using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Portal.Provisioning.Relations.Postgresql;

/// <summary>Registers the external PostgreSQL administration; called from the project's <c>AddProvisioning()</c>.</summary>
internal static class PostgresqlServiceCollectionExtensions
{
    public static IServiceCollection AddExternalPostgresql(this IServiceCollection services)
    {
        services.AddOptions<PostgresqlAdminOptions>().BindConfiguration(PostgresqlAdminOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresqlAdminOptions>, PostgresqlAdminOptionsValidator>());
        services.TryAddSingleton<IDatabaseAdmin, ExternalDatabaseAdmin>();
        return services;
    }
}
