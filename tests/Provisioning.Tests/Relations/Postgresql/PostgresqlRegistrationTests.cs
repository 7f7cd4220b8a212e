using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Provisioning.Relations.Postgresql;

namespace Portal.Provisioning.Tests.Relations.Postgresql;

public sealed class PostgresqlRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddLogging()
            .AddExternalPostgresql()
            .BuildServiceProvider();

    [Fact]
    public void The_admin_is_registered_with_timeouts_from_configuration()
    {
        using var services = Build(new() { ["Provisioning:Postgresql:ConnectTimeout"] = "00:00:05" });

        Assert.IsType<ExternalDatabaseAdmin>(services.GetRequiredService<IDatabaseAdmin>());
        Assert.Equal(TimeSpan.FromSeconds(5), services.GetRequiredService<IOptions<PostgresqlAdminOptions>>().Value.ConnectTimeout);
    }

    [Fact]
    public void Invalid_timeouts_are_all_reported_at_once()
    {
        using var services = Build(new()
        {
            ["Provisioning:Postgresql:ConnectTimeout"] = "00:00:00",
            ["Provisioning:Postgresql:CommandTimeout"] = "01:00:00",
        });

        var thrown = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PostgresqlAdminOptions>>().Value);

        Assert.Equal(2, thrown.Failures.Count());
    }

    [Fact]
    public void The_relation_secret_gets_exactly_the_keys_of_the_postgresql_client_interface()
    {
        var server = PostgresServer.Create("db.example.com", 6432, PostgresSslMode.VerifyFull).Value;

        var data = PostgresRelationData.For(server, "prod_airbyte", "prod_airbyte", "pw");

        Assert.Equal(Portal.Domain.Status.RelationContracts.SecretKeys(Interfaces.PostgresqlClient).Order(StringComparer.Ordinal), data.Keys);
        Assert.Equal("6432", data[RelationData.Port]);
        Assert.Equal("verify-full", data[RelationData.SslMode]);
    }
}
