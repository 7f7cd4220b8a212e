using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Features.Stacks;
using Portal.Provisioning.Certificates;
using Portal.Security;

namespace Portal.Features.Certificates;

/// <summary>Rolls a hostname's certificate back to a kept revision the operator chooses (its serial and expiry shown), with a reason;
/// on success the operation's progress opens.</summary>
public sealed partial class RollbackCertificateDialog
{
    private int _revision;
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

    private CertificateRevision? Chosen => Lane.Previous.FirstOrDefault(r => r.Revision == _revision);

    private bool CanRollBack => !_busy && Chosen?.Certificate is not null && !string.IsNullOrWhiteSpace(_reason);

    private string Hint => (Chosen?.Certificate is null, string.IsNullOrWhiteSpace(_reason)) switch
    {
        (true, true) => "Choose a revision and give a reason to enable the button.",
        (true, false) => "Choose a revision to enable the button.",
        (false, true) => "Give a reason to enable the button.",
        _ => $"Will serve revision {_revision} again.",
    };

    private List<string> OtherProblems => [.. _outcome.Problems, .. _outcome.FieldErrors.Where(f => f.Key != "reason").SelectMany(f => f.Value)];

    // The newest kept revision that can be restored is the usual choice.
    protected override void OnInitialized() => _revision = Lane.Previous.FirstOrDefault(r => r.Certificate is not null)?.Revision ?? 0;

    private void Cancel() => Dialog.Cancel();

    private async Task RollBackAsync()
    {
        if (!CanRollBack)
        {
            return;
        }

        _busy = true;
        var revision = _revision;
        _outcome = await CertificateWrites.SendAsync(Authorization, actor =>
            Certificates.RollbackAsync(Stack, Lane.Host, revision, _reason!.Trim(), actor, CancellationToken.None));
        _busy = false;
        if (_outcome.OperationId is { } id)
        {
            Dialog.Close(DialogResult.Ok(id));
            Navigation.NavigateTo(StackEdits.OperationUrl(id));
        }
    }
}
