using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Domain.Catalog;
using Portal.Domain.Status.Observation;
using Portal.Domain.Values;
using Portal.Provisioning.Live;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Stacks;

/// <summary>Tears a stack down after the operator said what else to delete, why, and typed the stack's name: the button stays
/// disabled until the name matches exactly and a reason is given.</summary>
public sealed partial class TeardownDialog
{
    private StackView? _view;
    private LiveStack? _live;
    private bool _deleteVolumes;
    private bool _dropDatabases;
    private bool _deleteNamespace;
    private string? _reason;
    private string? _typed;
    private IReadOnlyList<string> _problems = [];
    private bool _busy;

    [CascadingParameter]
    public required IMudDialogInstance Dialog { get; set; }

    [Inject]
    public required IStackService Stacks { get; init; }

    [Inject]
    public required ILiveStacks Live { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Parameter, EditorRequired]
    public required string Stack { get; set; }

    private TeardownStackCommand Command => new(_deleteVolumes, _dropDatabases, _deleteNamespace, _reason?.Trim());

    /// <summary>The command's problems other than the reason's (which the reason field and the hint say).</summary>
    private List<string> OptionProblems => Command.Problems().Where(p => p.Path != ReasonText.Field).Select(p => p.Message).ToList();

    /// <summary>What is wrong with the reason given (a control character, too long), shown under the field; a missing reason is
    /// only hinted at.</summary>
    private List<string> ReasonProblems => string.IsNullOrWhiteSpace(_reason)
        ? []
        : Command.Problems().Where(p => p.Path == ReasonText.Field).Select(p => p.Message).ToList();

    private bool NameTyped => string.Equals(_typed, Stack, StringComparison.Ordinal);

    private bool CanTearDown =>
        _view is not null && !_busy && NameTyped && !string.IsNullOrWhiteSpace(_reason) && ReasonProblems.Count == 0 && OptionProblems.Count == 0;

    private bool DeletesData => _deleteVolumes || _dropDatabases || _deleteNamespace;

    private string Hint => (string.IsNullOrWhiteSpace(_reason), NameTyped) switch
    {
        (true, false) => $"Give a reason and type {Stack} to enable the button.",
        (true, true) => "Give a reason to enable the button.",
        _ when ReasonProblems.Count > 0 => "Correct the reason to enable the button.",
        (false, false) => $"Type {Stack} exactly to enable the button.",
        _ => "",
    };

    private IReadOnlyList<string> Volumes => _live?.Observation.All<ObservedPersistentVolumeClaim>()
        .Select(c => c.RequestedStorage is { } size ? $"{c.Name}, {size}" : c.Name)
        .Order(StringComparer.Ordinal)
        .ToList() ?? [];

    private IReadOnlyList<string> Databases => _view?.Relations
        .Where(r => r.Interface == Interfaces.PostgresqlClient)
        .Select(r => r.Requirer)
        .ToList() ?? [];

    private string? ExternalDatabase => _view?.Components
        .FirstOrDefault(c => c.Kind == "postgresql" && c.Config.GetValueOrDefault("mode") == "external")?.Config.GetValueOrDefault("host");

    /// <summary>What the cluster holds for the stack now, by kind (pods and events leave with their owners).</summary>
    private string? ObjectCounts => _live is null
        ? null
        : string.Join(", ", _live.Observation.Objects
            .Where(o => o is not (ObservedPod or ObservedEvent or ObservedReplicaSet))
            .GroupBy(o => o.Kind)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Count()} {Plural(g.Key, g.Count())}"));

    private static string Plural(string kind, int count) => count == 1 ? kind : kind.EndsWith('s') ? $"{kind}es" : $"{kind}s";

    protected override async Task OnInitializedAsync()
    {
        var view = await Stacks.GetAsync(Stack, CancellationToken.None);
        if (!view.IsSuccess)
        {
            _problems = StackEdits.Problems(view);
            return;
        }

        _view = view.Value;
        _live = Live.Find(Stack);
    }

    private void Set(ref bool option, bool value)
    {
        option = value;
        _problems = [];
    }

    private void Cancel() => Dialog.Cancel();

    private async Task TearDownAsync()
    {
        if (!CanTearDown)
        {
            return;
        }

        _busy = true;
        _problems = [];
        try
        {
            var actor = await Authorization.DemandAsync(PortalPolicies.Operator);
            var result = await Stacks.DeleteAsync(Stack, Command, actor, CancellationToken.None);
            if (!result.IsSuccess)
            {
                _problems = StackEdits.Problems(result);
            }
            else if (result.Value.OperationId is { } id)
            {
                Dialog.Close(DialogResult.Ok(id));
                Navigation.NavigateTo(StackEdits.OperationUrl(id));
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
}
