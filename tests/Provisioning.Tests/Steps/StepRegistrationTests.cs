using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Domain.Catalog;
using Portal.Domain.Plans;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Steps.Relations;

namespace Portal.Provisioning.Tests.Steps;

/// <summary>The portal's own registration gives the runner a handler for every step and a wiring for every interface.</summary>
public sealed class StepRegistrationTests
{
    [Fact]
    public void AddProvisioning_registers_one_handler_per_step_kind_one_wiring_per_interface_and_the_stack_secrets()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Configuration["Portal:DataDirectory"] = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        builder.AddProvisioning();

        // Development validates every registration on build: a handler with a dependency nobody registered fails here.
        using var host = builder.Build();

        var handlers = host.Services.GetServices<IStepHandler>().Select(h => h.Kind).Order().ToList();
        Assert.Equal(Enum.GetValues<StepKind>().Order(), handlers);
        var wirings = host.Services.GetServices<IRelationWiring>().Select(w => w.Interface).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            new[] { Interfaces.PostgresqlClient, Interfaces.ObjectStorage, Interfaces.TemporalHostInfo, Interfaces.Temporal, Interfaces.NginxRoute, Interfaces.HttpUpstream, Interfaces.TlsCertificates }
                .Order(StringComparer.Ordinal),
            wirings);
        Assert.IsType<StackSecrets>(host.Services.GetRequiredService<IStackSecrets>());
    }
}
