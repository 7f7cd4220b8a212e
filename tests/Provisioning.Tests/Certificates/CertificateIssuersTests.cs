using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Certificates.Issuers;

namespace Portal.Provisioning.Tests.Certificates;

/// <summary>The issuer registration, its settings, and which issuer a lego component gets.</summary>
public sealed class CertificateIssuersTests
{
    [Theory]
    [InlineData("internal-ca", CertificateSource.InternalCa)]
    [InlineData("acme", CertificateSource.Acme)]
    [InlineData(null, CertificateSource.Acme)]
    public void The_issuer_option_picks_the_issuer(string? issuer, CertificateSource expected)
    {
        using var services = Services([]);
        var stack = TestStacks.Minimal(configure: config =>
        {
            config["lego"].Remove("issuer");
            if (issuer is not null)
            {
                config["lego"]["issuer"] = issuer;
            }
        });
        var issuers = services.GetRequiredService<CertificateIssuers>();

        var source = issuers.SourceOf(stack, "lego");

        Assert.Equal(expected, source);
        Assert.Equal(expected, issuers.IssuerFor(source).Source);
        Assert.Throws<InvalidOperationException>(() => issuers.IssuerFor(CertificateSource.Manual));
    }

    [Fact]
    public void Settings_come_from_configuration_with_defaults()
    {
        using var defaults = Services([]);
        using var configured = Services(new()
        {
            ["Portal:Certificates:LegoPath"] = "/opt/lego/lego",
            ["Portal:Certificates:Acme:Http01Address"] = "127.0.0.1:9000",
            ["Portal:Certificates:Acme:Timeout"] = "00:01:30",
        });

        var standard = defaults.GetRequiredService<IOptions<CertificateIssuerOptions>>().Value;
        var set = configured.GetRequiredService<IOptions<CertificateIssuerOptions>>().Value;

        Assert.Equal(("lego", ":8089", TimeSpan.FromMinutes(3)), (standard.LegoPath, standard.Acme.Http01Address, standard.Acme.Timeout));
        Assert.Equal(("/opt/lego/lego", "127.0.0.1:9000", TimeSpan.FromSeconds(90)), (set.LegoPath, set.Acme.Http01Address, set.Acme.Timeout));
    }

    [Fact]
    public void Bad_settings_are_reported_all_at_once()
    {
        using var services = Services(new()
        {
            ["Portal:Certificates:LegoPath"] = " ",
            ["Portal:Certificates:Acme:Http01Address"] = "8089",
            ["Portal:Certificates:Acme:Timeout"] = "00:00:00",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<CertificateIssuerOptions>>().Value);

        Assert.Equal(3, failure.Failures.Count());
        Assert.Contains(failure.Failures, f => f.Contains("LegoPath", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("Http01Address", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("Timeout", StringComparison.Ordinal));
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(Portal.Domain.Catalog.ComponentCatalog.Default);
        services.AddSingleton<CertificateIssuers>();
        services.AddCertificateIssuers();
        return services.BuildServiceProvider();
    }
}
