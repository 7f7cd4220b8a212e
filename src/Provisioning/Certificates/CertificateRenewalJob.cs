using System.ComponentModel;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Portal.Provisioning.Infrastructure;

namespace Portal.Provisioning.Certificates;

/// <summary>The recurring Hangfire job that renews certificates: every <see cref="Cron"/> it starts a rotation (actor
/// <c>auto-renew</c>) for each ACME or internal-CA certificate whose renewal is due (<see cref="Domain.Certificates.RenewalPolicy"/>:
/// lifetime fraction, maintenance window, back-off after failures) on a stack with no operation running.</summary>
/// <remarks>The type and method names are persisted by Hangfire: don't rename them. No argument: the job reads everything.
/// One run at a time; a run that fails is not retried (the next one comes in five minutes).</remarks>
[Queue("default")]
[AutomaticRetry(Attempts = 0)]
[DisableConcurrentExecution(timeoutInSeconds: 60)]
internal sealed class CertificateRenewalJob(CertificateService certificates)
{
    public const string Id = "certificate-renewal";
    public const string Cron = "*/5 * * * *";

    [DisplayName("Renew the certificates that are due")]
    public Task RunAsync(CancellationToken cancellationToken) => certificates.RenewDueAsync(cancellationToken);
}

/// <summary>Registers the certificate service and the renewal job (called from <c>AddProvisioning</c>). The served-certificate probe
/// (<see cref="IServedCertificateProbe"/>) and the issuers are registered by their own features.</summary>
internal static class CertificatesServiceCollectionExtensions
{
    public static IServiceCollection AddCertificates(this IServiceCollection services)
    {
        services.AddSingleton<CertificateService>();
        services.AddSingleton<ICertificateService>(sp => sp.GetRequiredService<CertificateService>());
        services.AddRecurringJob<CertificateRenewalJob>(jobs =>
            jobs.AddOrUpdate<CertificateRenewalJob>(CertificateRenewalJob.Id, job => job.RunAsync(CancellationToken.None), CertificateRenewalJob.Cron));
        return services;
    }
}
