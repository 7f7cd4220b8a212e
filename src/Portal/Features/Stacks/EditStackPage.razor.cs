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
    private readonly Dictionary<string, IReadOnlyList<OptionEdit>> _edits = new(StringComparer.Ordinal);
    private Dictionary<string, string> _errors = new(StringComparer.Ordinal);
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

    private IEnumerable<OptionEdit> AllEdits => _edits.Values.SelectMany(e => e);

    private int ChangedCount => AllEdits.Count(e => e.Changed);

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
        _edits.Clear();
        foreach (var component in _view.Components)
        {
            _edits[component.Name] = ConfigEdits.From(component, Catalog);
        }
    }

    private void OptionChanged(OptionEdit edit)
    {
        _errors.Remove(edit.Path);
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
            var command = ConfigEdits.Command(AllEdits, null);
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
        if (_reviewed is null)
        {
            return;
        }

        _busy = true;
        _problems = [];
        try
        {
            var actor = await Authorization.DemandAsync(PortalPolicies.Operator);
            var command = _reviewed with { Reason = string.IsNullOrWhiteSpace(_reason) ? null : _reason.Trim() };
            var result = await Stacks.UpdateAsync(Name, command, actor, CancellationToken.None);
            if (!result.IsSuccess)
            {
                _problems = StackEdits.Problems(result);
            }
            else if (result.Value.OperationId is { } id)
            {
                Navigation.NavigateTo(StackEdits.OperationUrl(id));
            }
            else
            {
                _notice = result.Value.Message;
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

    // A problem that names an option shows on its field; the rest (relations, the stack as a whole) above the buttons.
    private void ShowProblems<T>(ServiceResult<T> result)
    {
        var paths = AllEdits.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        _errors = result.Errors.Where(e => paths.Contains(e.Path))
            .GroupBy(e => e.Path, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => string.Join(" ", g.Select(e => e.Message)), StringComparer.Ordinal);
        _problems = result.Status == ServiceStatus.Invalid
            ? result.Errors.Select(e => paths.Contains(e.Path) ? $"{e.Path}: {e.Message}" : e.Message).ToList()
            : [result.Message];
    }

    private static string Shown(string? value) => value switch
    {
        null => "(default)",
        "" => "(empty)",
        _ => value,
    };
}
