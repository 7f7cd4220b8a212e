using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Domain.Status;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Secrets.Rotation;
using Portal.Provisioning.Steps.Relations;

namespace Portal.Provisioning.Steps;

/// <summary>Registers the step handlers, the relation wirings and the stack secrets; called from <c>AddProvisioning()</c>.</summary>
internal static class StepHandlersServiceCollectionExtensions
{
    public static IServiceCollection AddStepHandlers(this IServiceCollection services)
    {
        services.TryAddSingleton(new ResourceHealthEvaluator());
        services.AddSingleton<ComponentSecrets>();
        services.AddSingleton<IStackSecrets, StackSecrets>();
        services.AddSingleton<StepTools>();
        services.AddSingleton<RelationWirings>();
        services.AddSingleton<Certificates.CertificateIssuers>();
        services.AddSingleton<CertificateSteps>();
        services.TryAddSingleton<Certificates.IServedCertificateProbe, Certificates.ServedCertificateProbe>();

        services.AddSingleton<IRelationWiring, PostgresqlClientWiring>();
        services.AddSingleton<IRelationWiring, ObjectStorageWiring>();
        services.AddSingleton<IRelationWiring, TemporalHostInfoWiring>();
        services.AddSingleton<IRelationWiring, TemporalWiring>();
        services.AddSingleton<IRelationWiring, HttpUpstreamWiring>();
        services.AddSingleton<IRelationWiring, NginxRouteWiring>();
        services.AddSingleton<IRelationWiring, TlsCertificatesWiring>();

        services.AddSingleton<IStepHandler, EnsureNamespaceHandler>();
        services.AddSingleton<IStepHandler, ApplyComponentHandler>();
        services.AddSingleton<IStepHandler, ProvisionRelationHandler>();
        services.AddSingleton<IStepHandler, CompleteRelationHandler>();
        services.AddSingleton<AwaitHealthyHandler>();
        services.AddSingleton<IStepHandler>(sp => sp.GetRequiredService<AwaitHealthyHandler>());
        services.AddSingleton<IStepHandler, RemoveRelationHandler>();
        services.AddSingleton<IStepHandler, RemoveComponentHandler>();
        services.AddSingleton<IStepHandler, RemoveNamespaceHandler>();
        services.AddSingleton<IStepHandler, IssueCertificateHandler>();
        services.AddSingleton<IStepHandler, RestoreCertificateHandler>();
        services.AddSingleton<IStepHandler, InstallCertificateHandler>();
        services.AddSingleton<IStepHandler, VerifyCertificateHandler>();
        services.AddSecretRotations();
        return services;
    }
}
