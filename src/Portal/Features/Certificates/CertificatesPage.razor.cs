using MudBlazor;
using Portal.Features.Shared;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Stacks;

namespace Portal.Features.Certificates;

/// <summary>A stack's certificates, one lane per hostname: the live certificate and where it comes from, renewal, revisions and
/// what the ingress really serves; operators rotate, roll back or upload from here.</summary>
/// <remarks>Read as every <see cref="PolledStackPage{TData}"/> reads: on open, on Refresh and every few seconds, the last
/// lanes kept under a banner when the cluster does not answer.</remarks>
public sealed partial class CertificatesPage : PolledStackPage<StackCertificates>
{
    [Microsoft.AspNetCore.Components.Inject]
    public required ICertificateService Certificates { get; init; }

    protected override Task<ServiceResult<StackCertificates>> ReadAsync(string name, CancellationToken cancellationToken) =>
        Certificates.ListAsync(name, cancellationToken);

    private Task RotateAsync(CertificateLane lane) => WhenAllowedAsync(lane.Host, () =>
        Dialogs.ShowAsync<RotateCertificateDialog>($"Rotate the certificate of {lane.Host}", Parameters(lane), DialogOptions));

    private Task RollbackAsync(CertificateLane lane) => WhenAllowedAsync(lane.Host, () =>
        Dialogs.ShowAsync<RollbackCertificateDialog>($"Roll back the certificate of {lane.Host}", Parameters(lane), DialogOptions));

    private Task UploadAsync(CertificateLane lane) => WhenAllowedAsync(lane.Host, () =>
        Dialogs.ShowAsync<UploadCertificateDialog>($"Upload a certificate for {lane.Host}", Parameters(lane), DialogOptions));

    private DialogParameters Parameters(CertificateLane lane) => new() { { "Stack", Name }, { "Lane", lane } };
}
