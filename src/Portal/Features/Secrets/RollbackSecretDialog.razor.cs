using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Features.Certificates;
using Portal.Features.Stacks;

namespace Portal.Features.Secrets;

/// <summary>Rolls a secret back to a kept revision the operator chooses, with a reason; on success the operation's progress opens.</summary>
public sealed partial class RollbackSecretDialog
{
    private int _revision;
    private string? _reason;
    private WriteOutcome _outcome = WriteOutcome.None;
    private bool _busy;

    [Inject]
    public required NavigationManager Navigation { get; init; }

    private bool Chosen => Secret.KeptRevisions.Contains(_revision);

    private bool CanRollBack => !_busy && Chosen && !string.IsNullOrWhiteSpace(_reason);

    private string Hint => (Chosen, string.IsNullOrWhiteSpace(_reason)) switch
    {
        (false, true) => "Choose a revision and give a reason to enable the button.",
        (false, false) => "Choose a revision to enable the button.",
        (true, true) => "Give a reason to enable the button.",
        _ => $"Will put revision {_revision} back.",
    };

    private List<string> OtherProblems =>
        [.. _outcome.Problems, .. _outcome.FieldErrors.Where(f => f.Key is not ("reason" or "revision")).SelectMany(f => f.Value)];

    // The newest kept revision is the usual choice.
    protected override void OnInitialized() => _revision = Secret.KeptRevisions.Count > 0 ? Secret.KeptRevisions.Max() : 0;

    private void ReasonChanged(string? reason)
    {
        _reason = reason;
        _outcome = _outcome.Without("reason");
    }

    private void Cancel() => Dialog.Cancel();

    private async Task RollBackAsync()
    {
        if (!CanRollBack)
        {
            return;
        }

        _busy = true;
        var revision = _revision;
        _outcome = await SecretWrites.SendAsync(Authorization, actor =>
            Secrets.RollbackAsync(Stack, Secret.Id, revision, _reason!.Trim(), actor, CancellationToken.None));
        _busy = false;
        if (_outcome.OperationId is { } id)
        {
            Dialog.Close(DialogResult.Ok(id));
            Navigation.NavigateTo(StackEdits.OperationUrl(id));
        }
    }
}
