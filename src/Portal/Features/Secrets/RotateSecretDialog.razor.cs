using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Features.Certificates;
using Portal.Features.Stacks;
using Portal.Provisioning.Secrets;

namespace Portal.Features.Secrets;

/// <summary>Rotates a secret after showing its blast radius (the steps, the workloads that restart in order and why, what users
/// notice) and asking why, and for an operator-supplied secret the new value; on success the operation's progress opens.</summary>
/// <remarks>The value is held in the circuit only until the dialog closes and is never rendered: its input is not bound (the browser
/// keeps what was typed, the server never sends it back) and is a password field.</remarks>
public sealed partial class RotateSecretDialog
{
    private readonly string _valueId = $"rotate-value-{Guid.NewGuid():N}";
    private SecretRotationPreview? _preview;
    private IReadOnlyList<string> _previewProblems = [];
    private string? _reason;
    private string? _value;
    private int _valueVersion;
    private WriteOutcome _outcome = WriteOutcome.None;
    private bool _busy;

    [Inject]
    public required NavigationManager Navigation { get; init; }

    private bool NeedsValue => _preview?.NeedsValue == true;

    private bool CanRotate => !_busy && _preview is not null && !string.IsNullOrWhiteSpace(_reason) && (!NeedsValue || !string.IsNullOrEmpty(_value));

    private string Hint => (_preview is null, NeedsValue && string.IsNullOrEmpty(_value), string.IsNullOrWhiteSpace(_reason)) switch
    {
        (true, _, _) => "",
        (false, true, true) => "Give the new value and a reason to enable the button.",
        (false, true, false) => "Give the new value to enable the button.",
        (false, false, true) => "Give a reason to enable the button.",
        _ => "Nothing has run yet: Rotate starts the operation.",
    };

    /// <summary>The problems not shown under the value or reason fields.</summary>
    private List<string> OtherProblems =>
        [.. _outcome.Problems, .. _outcome.FieldErrors.Where(f => f.Key is not ("reason" or "value")).SelectMany(f => f.Value)];

    protected override async Task OnInitializedAsync()
    {
        try
        {
            var result = await Secrets.PreviewRotationAsync(Stack, Secret.Id, CancellationToken.None);
            if (result.IsSuccess)
            {
                _preview = result.Value;
            }
            else
            {
                _previewProblems = result.Errors.Count > 0 ? [.. result.Errors.Select(e => e.Message)] : [result.Message];
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _previewProblems = [$"What a rotation would do could not be worked out: {e.Message}"];
        }
    }

    private void ReasonChanged(string? reason)
    {
        _reason = reason;
        _outcome = _outcome.Without("reason");
    }

    private void ValueInput(ChangeEventArgs e)
    {
        _value = e.Value as string;
        _outcome = _outcome.Without("value");
    }

    private void Cancel()
    {
        _value = null;
        Dialog.Cancel();
    }

    private async Task RotateAsync()
    {
        if (!CanRotate)
        {
            return;
        }

        _busy = true;
        var request = new SecretRotationRequest(_reason!.Trim(), NeedsValue ? _value : null);
        _outcome = await SecretWrites.SendAsync(Authorization, actor => Secrets.RotateAsync(Stack, Secret.Id, request, actor, CancellationToken.None));
        _busy = false;
        if (_outcome.OperationId is { } id)
        {
            _value = null;
            _valueVersion++;
            Dialog.Close(DialogResult.Ok(id));
            Navigation.NavigateTo(StackEdits.OperationUrl(id));
        }
    }
}
