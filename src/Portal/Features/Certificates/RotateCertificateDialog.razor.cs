using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Features.Stacks;
using Portal.Provisioning.Certificates;
using Portal.Security;

namespace Portal.Features.Certificates;

/// <summary>Rotates a hostname's certificate after saying what happens and asking why; on success the operation's progress opens.</summary>
public sealed partial class RotateCertificateDialog
{
    private string? _reason;
    private WriteOutcome _outcome = WriteOutcome.None;
    private bool _busy;

    [CascadingParameter]
    public required IMudDialogInstance Dialog { get; set; }

    [Inject]
    public required ICertificateService Certificates { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Parameter, EditorRequired]
    public required string Stack { get; set; }

    [Parameter, EditorRequired]
    public required CertificateLane Lane { get; set; }

    private bool CanRotate => !_busy && !string.IsNullOrWhiteSpace(_reason);

    /// <summary>The problems not shown under the reason field (the service's on other fields too: this dialog has no other field).</summary>
    private List<string> OtherProblems => [.. _outcome.Problems, .. _outcome.FieldErrors.Where(f => f.Key != "reason").SelectMany(f => f.Value)];

    private void Cancel() => Dialog.Cancel();

    private async Task RotateAsync()
    {
        if (!CanRotate)
        {
            return;
        }

        _busy = true;
        _outcome = await CertificateWrites.SendAsync(Authorization, actor =>
            Certificates.RotateAsync(Stack, Lane.Host, _reason!.Trim(), actor, CancellationToken.None));
        _busy = false;
        if (_outcome.OperationId is { } id)
        {
            Dialog.Close(DialogResult.Ok(id));
            Navigation.NavigateTo(StackEdits.OperationUrl(id));
        }
    }
}
