using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Provisioning.Live;

namespace Portal.Provisioning.Tests.Live;

/// <summary><c>AddProvisioning</c> gives the portal one live state: the same singleton behind every interface, hosted once, and
/// options that refuse nonsense at start.</summary>
public sealed class LiveRegistrationTests
{
    [Fact]
    public void AddProvisioning_registers_one_hosted_live_state_behind_its_interfaces_and_pod_logs()
    {
        using var host = Build(_ => { });

        var live = host.Services.GetRequiredService<LiveStacks>();
        Assert.Same(live, host.Services.GetRequiredService<ILiveStacks>());
        Assert.Single(host.Services.GetServices<IHostedService>(), s => ReferenceEquals(s, live));
        Assert.Same(host.Services.GetRequiredService<WatchCaches>(), host.Services.GetRequiredService<ILiveClusters>());
        Assert.IsType<PodLogs>(host.Services.GetRequiredService<IPodLogs>());
    }

    [Fact]
    public void Live_options_come_from_configuration()
    {
        using var host = Build(c => c["Portal:Live:ResyncInterval"] = "00:03:00");

        Assert.Equal(TimeSpan.FromMinutes(3), host.Services.GetRequiredService<IOptions<LiveOptions>>().Value.ResyncInterval);
    }

    [Fact]
    public void Invalid_live_options_are_refused_all_at_once()
    {
        var result = new LiveOptionsValidator().Validate(null, new LiveOptions
        {
            BatchInterval = TimeSpan.Zero,
            MinBackoff = TimeSpan.FromSeconds(10),
            MaxBackoff = TimeSpan.FromSeconds(1),
            SubscriberCapacity = 0,
        });

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.Contains("BatchInterval", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("MaxBackoff", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("SubscriberCapacity", StringComparison.Ordinal));
    }

    private static IHost Build(Action<Microsoft.Extensions.Configuration.IConfiguration> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Configuration["Portal:DataDirectory"] = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        configure(builder.Configuration);
        builder.AddProvisioning();
        return builder.Build();
    }
}
