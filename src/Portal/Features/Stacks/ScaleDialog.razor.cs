using System.Globalization;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Domain.Catalog;
using Portal.Provisioning.Live;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Stacks;

/// <summary>Scales the components whose kind allows it: one number per component, bounded by the catalog, with the pods the
/// cluster reports ready now; applying reconfigures only the components changed.</summary>
public sealed partial class ScaleDialog
{
    private readonly Dictionary<string, int?> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);
    private IReadOnlyList<ScaleTarget>? _targets;
    private IReadOnlyList<string> _problems = [];
    private string? _notice;
    private string? _reason;
    private bool _busy;

    [CascadingParameter]
    public required IMudDialogInstance Dialog { get; set; }

    [Inject]
    public required IStackService Stacks { get; init; }

    [Inject]
    public required ILiveStacks Live { get; init; }

    [Inject]
    public required ComponentCatalog Catalog { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Parameter, EditorRequired]
    public required string Stack { get; set; }

    private IEnumerable<ScaleTarget> ChangedTargets => (_targets ?? []).Where(t => _values[Key(t)] != t.Current);

    private bool CanApply => !_busy && _targets is not null && ChangedTargets.Any()
        && _targets.All(t => StackEdits.BoundsProblem(t, _values[Key(t)]) is null);

    private string Summary => ChangedTargets.ToList() switch
    {
        [] => "Nothing changed yet.",
        var changed => "Will scale " + string.Join(", ", changed.Select(t => $"{t.Component} {t.Current?.ToString(CultureInfo.InvariantCulture) ?? "—"} → {_values[Key(t)]}")),
    };

    protected override async Task OnInitializedAsync()
    {
        var view = await Stacks.GetAsync(Stack, CancellationToken.None);
        if (!view.IsSuccess)
        {
            _problems = StackEdits.Problems(view);
            return;
        }

        _targets = StackEdits.ScaleTargets(view.Value, Catalog, Live.Find(Stack));
        foreach (var target in _targets)
        {
            _values[Key(target)] = target.Current;
            _texts[Key(target)] = target.Current?.ToString(CultureInfo.InvariantCulture) ?? "";
        }
    }

    // Parsed here rather than by a numeric field, so that "0", "11" or "two" stay in the field and get a sentence instead of
    // being clamped or dropped silently.
    private void ValueChanged(string key, string? text)
    {
        _texts[key] = text ?? "";
        _values[key] = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        _notice = null;
        _problems = [];
    }

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

    // Only the replicas that change, as the operator typed them.
    private UpdateStackCommand Command()
    {
        var config = ChangedTargets
            .GroupBy(t => t.Component, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyDictionary<string, string?>)g.ToDictionary(t => t.Option, t => (string?)_values[Key(t)]!.Value.ToString(CultureInfo.InvariantCulture), StringComparer.Ordinal),
                StringComparer.Ordinal);
        return new UpdateStackCommand(config, string.IsNullOrWhiteSpace(_reason) ? null : _reason.Trim());
    }

    private string Text(string key) => _texts[key];

    private static string Key(ScaleTarget target) => $"{target.Component}.{target.Option}";

    // A component may run several workloads (airbyte has seven), each with the replicas asked for: say it per workload, not as
    // a sum that would not match the number in the "Now" column.
    private static string LiveText(ScaleTarget target) => target.Workloads switch
    {
        [] => "not observed",
        [var one] => $"{one.Ready}/{one.Desired} ready",
        var many when many.All(w => w.Ready == many[0].Ready && w.Desired == many[0].Desired) =>
            $"{many[0].Ready}/{many[0].Desired} ready in each of {many.Count} workloads",
        var many => $"{many.Count(w => w.Ready >= w.Desired)} of {many.Count} workloads ready",
    };

    private static string LiveTitle(ScaleTarget target) => target.Workloads.Count == 0
        ? "The cluster shows no workload of this component yet."
        : string.Join(", ", target.Workloads.Select(w => $"{w.Workload} {w.Ready}/{w.Desired}"));
}
