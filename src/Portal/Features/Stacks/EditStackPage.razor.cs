using Microsoft.AspNetCore.Components;
using Portal.Domain.Catalog;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Stacks;

/// <summary>Edits a deployed stack's configuration: one form per component with the current values (secrets never shown), a
/// review of exactly what changes and what the Reconfigure will roll and why, then the Reconfigure itself.</summary>
/// <remarks>The review is the service's preview of the same command that Reconfigure sends, so what is shown is what runs.
/// The Domain's problems come back from the review, each on its field when it names one.</remarks>
public sealed partial class EditStackPage
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoErrors = new Dictionary<string, IReadOnlyList<string>>();

    private ConfigEdits? _edits;
    private Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> _errors = new(StringComparer.Ordinal);
    private StackView? _view;
    private string? _loadProblem;
    private bool _reviewing;
    private UpdatePreview? _preview;
    private UpdateStackCommand? _reviewed;
    private IReadOnlyList<string> _problems = [];
    private string? _notice;
    private string? _reason;
    private bool _busy;

    [Inject]
    public required IStackService Stacks { get; init; }

    [Inject]
    public required ComponentCatalog Catalog { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Parameter, EditorRequired]
    public required string Name { get; set; }

    public static string Url(string stack) => $"/stacks/{Uri.EscapeDataString(stack)}/edit";

    private int ChangedCount => _edits?.ChangedCount ?? 0;

    private string ChangedText => ChangedCount switch
    {
        0 => "No option changed yet.",
        1 => "1 option changed.",
        var n => $"{n} options changed.",
    };

    protected override async Task OnParametersSetAsync()
    {
        var view = await Stacks.GetAsync(Name, CancellationToken.None);
        if (!view.IsSuccess)
        {
            _loadProblem = view.Message;
            return;
        }

        _view = view.Value;
        _edits = new ConfigEdits(_view, Catalog);
    }

    private void ValuesChanged(string component, IReadOnlyDictionary<string, string?> values)
    {
        _edits!.Set(component, values);
        _problems = [];
    }

    private async Task ReviewAsync()
    {
        _busy = true;
        _problems = [];
        _notice = null;
        try
        {
            await Authorization.DemandAsync(PortalPolicies.Operator);
            var command = _edits!.Command(null);
            var result = await Stacks.PreviewUpdateAsync(Name, command, CancellationToken.None);
            if (!result.IsSuccess)
            {
                ShowProblems(result);
                return;
            }

            _preview = result.Value;
            _reviewed = command;
            _reviewing = true;
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

    private void BackToEditing()
    {
        _reviewing = false;
        _preview = null;
        _problems = [];
        _notice = null;
    }

    private async Task ReconfigureAsync()
    {
        if (_reviewed is not { } reviewed)
        {
            return;
        }

        _busy = true;
        var outcome = await StackEdits.UpdateAsync(
            Authorization, Stacks, Name, () => reviewed with { Reason = string.IsNullOrWhiteSpace(_reason) ? null : _reason.Trim() });
        _busy = false;
        _problems = outcome.Problems;
        _notice = outcome.Notice;
        if (outcome.OperationId is { } id)
        {
            Navigation.NavigateTo(StackEdits.OperationUrl(id));
        }
    }

    // A problem that names an option shows on its field (the form keeps it until that option is edited); every problem is also
    // listed above the buttons, so that none hides in a collapsed panel.
    private void ShowProblems<T>(ServiceResult<T> result)
    {
        var components = _view!.Components.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        _errors = result.Errors
            .Select(e => (Error: e, Dot: e.Path.IndexOf('.', StringComparison.Ordinal)))
            .Where(x => x.Dot > 0 && components.Contains(x.Error.Path[..x.Dot]))
            .GroupBy(x => x.Error.Path[..x.Dot], StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyDictionary<string, IReadOnlyList<string>>)g
                    .GroupBy(x => x.Error.Path[(x.Dot + 1)..], StringComparer.Ordinal)
                    .ToDictionary(o => o.Key, o => (IReadOnlyList<string>)o.Select(x => x.Error.Message).ToList(), StringComparer.Ordinal),
                StringComparer.Ordinal);
        _problems = result.Status == ServiceStatus.Invalid
            ? result.Errors.Select(e => e.Path.Contains('.', StringComparison.Ordinal) ? $"{e.Path}: {e.Message}" : e.Message).ToList()
            : [result.Message];
    }

    private static string Shown(string? value) => value switch
    {
        null => "(default)",
        "" => "(empty)",
        _ => value,
    };
}
