using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;
using Portal.Security;

namespace Portal.Features.Secrets;

/// <summary>The one-time reveal of a webhook signing secret just rotated: a confirmation first, then the value in a copyable field.
/// The value lives only in this dialog's field while it is open; closing it forgets it, and the portal will not show it again.</summary>
public sealed partial class RevealSecretDialog : IDisposable
{
    private string? _reason;
    private string? _value;
    private int _revision;
    private bool _busy;
    private bool _copied;
    private List<string> _problems = [];

    [Inject]
    public required IJSRuntime JS { get; init; }

    private async Task RevealAsync()
    {
        if (_busy)
        {
            return;
        }

        _busy = true;
        try
        {
            var actor = await Authorization.DemandAsync(PortalPolicies.Operator);
            var reason = string.IsNullOrWhiteSpace(_reason) ? null : _reason.Trim();
            var result = await Secrets.RevealAsync(Stack, Secret.Id, reason, actor, CancellationToken.None);
            if (result.IsSuccess)
            {
                _value = result.Value.Value;
                _revision = result.Value.Revision;
                _problems = [];
            }
            else
            {
                _problems = result.Errors.Count > 0 ? [.. result.Errors.Select(e => e.Message)] : [result.Message];
            }
        }
        catch (UnauthorizedAccessException e)
        {
            _problems = [e.Message];
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task CopyAsync()
    {
        if (_value is not null)
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", _value);
            _copied = true;
        }
    }

    private void Cancel() => Dialog.Cancel();

    private void Done()
    {
        _value = null;
        Dialog.Close(DialogResult.Ok(true));
    }

    public void Dispose() => _value = null;
}
