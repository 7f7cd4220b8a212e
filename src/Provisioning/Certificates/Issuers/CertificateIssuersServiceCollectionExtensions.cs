using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Portal.Provisioning.Certificates.Issuers;

/// <summary>Registers the certificate issuers (ACME through lego, internal CA) and the resolver that picks one; called from
/// <c>AddProvisioning()</c>.</summary>
internal static class CertificateIssuersServiceCollectionExtensions
{
    public static IServiceCollection AddCertificateIssuers(this IServiceCollection services)
    {
        services.AddOptions<CertificateIssuerOptions>().BindConfiguration(CertificateIssuerOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CertificateIssuerOptions>, CertificateIssuerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LegoAcmeIssuer>();
        services.TryAddSingleton<InternalCaIssuer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICertificateIssuer, LegoAcmeIssuer>(sp => sp.GetRequiredService<LegoAcmeIssuer>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICertificateIssuer, InternalCaIssuer>(sp => sp.GetRequiredService<InternalCaIssuer>()));
        return services;
    }
}
