using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Domain.Catalog;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Stacks;

/// <summary>Adds and removes the optional relations of a stack: every change is checked by the Domain through a preview (its
/// sentence shown when it refuses), then applied as one Reconfigure.</summary>
public sealed partial class RelationsDialog
{
    private StackView? _view;
    private IReadOnlyList<RelationChoice> _original = [];
    private List<RelationChoice> _staged = [];
    private IReadOnlyList<RelationChoice> _addable = [];
    private UpdatePreview? _preview;
    private IReadOnlyList<string> _problems = [];
    private string? _notice;
    private string? _reason;
    private bool _checking;
    private bool _busy;

    [CascadingParameter]
    public required IMudDialogInstance Dialog { get; set; }

    [Inject]
    public required IStackService Stacks { get; init; }

    [Inject]
    public required ComponentCatalog Catalog { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Parameter, EditorRequired]
    public required string Stack { get; set; }

    private IEnumerable<RelationChoice> Removed => _original.Where(o => !_staged.Any(s => s.Key == o.Key));

    private bool HasChanges => Removed.Any() || _staged.Any(IsNew);

    private bool CanApply => HasChanges && !_busy && !_checking && _problems.Count == 0 && _preview is not null;

    protected override async Task OnInitializedAsync()
    {
        var view = await Stacks.GetAsync(Stack, CancellationToken.None);
        if (!view.IsSuccess)
        {
            _problems = StackEdits.Problems(view);
            return;
        }

        _view = view.Value;
        _original = StackEdits.Relations(_view, Catalog);
        _staged = [.. _original];
        _addable = Addable();
    }

    // A relation the stack has and the operator marked for removal comes back through "Keep", not as something to add.
    private List<RelationChoice> Addable() =>
        StackEdits.Addable(_view!, _staged, Catalog).Where(a => !_original.Any(o => o.Key == a.Key)).ToList();

    private bool IsNew(RelationChoice relation) => !_original.Any(o => o.Key == relation.Key);

    private Task RemoveAsync(RelationChoice relation)
    {
        _staged.RemoveAll(r => r.Key == relation.Key);
        return StagedChangedAsync();
    }

    private Task AddAsync(RelationChoice relation)
    {
        _staged.Add(relation);
        return StagedChangedAsync();
    }

    // Each change is previewed at once, so that the Domain's refusal (or the plan) shows next to what the operator just did.
    private async Task StagedChangedAsync()
    {
        _addable = Addable();
        _notice = null;
        _preview = null;
        _problems = [];
        if (!HasChanges)
        {
            return;
        }

        _checking = true;
        try
        {
            await Authorization.DemandAsync(PortalPolicies.Operator);
            var result = await Stacks.PreviewUpdateAsync(Stack, Command(), CancellationToken.None);
            if (result.IsSuccess)
            {
                _preview = result.Value;
            }
            else
            {
                _problems = StackEdits.Problems(result);
            }
        }
        catch (UnauthorizedAccessException e)
        {
            _problems = [e.Message];
        }
        finally
        {
            _checking = false;
        }
    }

    private UpdateStackCommand Command() => new(
        new Dictionary<string, IReadOnlyDictionary<string, string?>>(StringComparer.Ordinal),
        string.IsNullOrWhiteSpace(_reason) ? null : _reason.Trim(),
        StackEdits.Requests(_staged));

    private void Cancel() => Dialog.Cancel();

    private async Task ApplyAsync()
    {
        if (!CanApply)
        {
            return;
        }

        _busy = true;
        var outcome = await StackEdits.UpdateAsync(Authorization, Stacks, Stack, Command);
        _busy = false;
        _problems = outcome.Problems;
        _notice = outcome.Notice;
        if (outcome.OperationId is { } id)
        {
            Dialog.Close(DialogResult.Ok(id));
            Navigation.NavigateTo(StackEdits.OperationUrl(id));
        }
    }
}
