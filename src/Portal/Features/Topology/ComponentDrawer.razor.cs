using Microsoft.AspNetCore.Components;
using Portal.Domain.Catalog;
using Portal.Domain.Plans;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;
using Portal.Provisioning.Live;
using Portal.Provisioning.Stacks;
using Portal.Shared.Topology;

namespace Portal.Features.Topology;

/// <summary>Everything about one component of a live stack: status and message, why it is not green and what to do, its objects
/// with their health, logs, events, relations, config (secrets masked) and the recent operations that touched it.</summary>
public sealed partial class ComponentDrawer
{
    private const int MaxEvents = 30;
    private const int MaxOperations = 5;
    private const int EventsShown = 8;

    private ComponentState? _state;
    private StatusDiagnosis? _diagnosis;
    private IReadOnlyList<ObjectNode> _tree = [];
    private int _objectCount;
    private IReadOnlyList<ObservedPod> _pods = [];
    private IReadOnlyList<ObservedEvent> _events = [];
    private IReadOnlyList<RelationState> _relations = [];
    private IReadOnlyList<ConfigRow>? _config;
    private IReadOnlyList<(OperationView Operation, IReadOnlyList<StepView> Steps)> _operations = [];
    private string _icon = KindIcons.Fallback;
    private string? _kindSummary;
    private string? _logPod;
    private bool _allEvents;
    private string? _shownComponent;
    private DateTimeOffset _now;

    [Inject]
    public required ComponentCatalog Catalog { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Parameter, EditorRequired]
    public required LiveStack Stack { get; set; }

    [Parameter, EditorRequired]
    public required string Component { get; set; }

    /// <summary>The stored stack with masked config; null while loading or when the portal's database does not know the stack.</summary>
    [Parameter]
    public StackView? View { get; set; }

    /// <summary>The stack's recent operations; null while loading.</summary>
    [Parameter]
    public IReadOnlyList<OperationView>? Operations { get; set; }

    [Parameter]
    public EventCallback OnClose { get; set; }

    protected override void OnParametersSet()
    {
        _now = Time.GetUtcNow();
        if (_shownComponent != Component)
        {
            // Another component: its logs start from its own worst pod.
            _shownComponent = Component;
            _logPod = null;
            _allEvents = false;
        }

        _state = Stack.Status.FindComponent(Component);
        var kind = _state is not null && Catalog.TryGet(_state.Kind, out var k) ? k : null;
        _icon = kind is null ? KindIcons.Fallback : KindIcons.Material(kind.Icon);
        _kindSummary = kind?.Summary;
        if (_state is null)
        {
            return;
        }

        _diagnosis = WhyNotGreen.Explain(Stack.Status, Component);
        _tree = ObjectTree.Build(_state, Stack.Observation);
        _objectCount = _tree.Sum(n => n.SelfAndDescendants().Count());
        _pods = ObjectTree.Pods(_tree);
        _logPod ??= WorstPod(_pods)?.Name;
        _events = ObjectTree.Events(_tree, Stack.Observation, MaxEvents);
        _relations = Stack.Status.Relations.Where(r => r.Relation.Involves(Component)).ToList();
        _config = View?.Components.FirstOrDefault(c => c.Name == Component) is { } view ? ConfigRows(view, kind) : null;
        _operations = Operations is null ? [] : TouchingOperations(Operations, Stack, Component);
    }

    private void ShowLogs(string pod) => _logPod = pod;

    /// <summary>The pod to read first: one that is not ready (crashing, waiting), most restarts first, as an operator would.</summary>
    private static ObservedPod? WorstPod(IReadOnlyList<ObservedPod> pods) =>
        pods.OrderBy(p => p.Ready && p.Phase == PodPhase.Running ? 1 : 0)
            .ThenByDescending(p => p.RestartCount)
            .ThenBy(p => p.Phase == PodPhase.Succeeded ? 1 : 0)
            .FirstOrDefault();

    /// <summary>The options the operator set (secrets already masked by the stack service), then the kind's defaults for the rest.
    /// A secret option is shown only as the mask the service gives; a default is never shown for a secret.</summary>
    private static List<ConfigRow> ConfigRows(ComponentView view, ComponentKind? kind)
    {
        var rows = view.Config
            .Select(pair => new ConfigRow(pair.Key, pair.Value, pair.Value == StackViews.SecretMask || kind?.FindOption(pair.Key) is { Secret: true }, Default: false))
            .Select(row => row.Secret ? row with { Value = StackViews.SecretMask } : row)
            .ToList();
        if (kind is not null)
        {
            rows.AddRange(kind.Options
                .Where(o => !o.Secret && o.Default is not null && !view.Config.ContainsKey(o.Name))
                .Select(o => new ConfigRow(o.Name, o.Default!, Secret: false, Default: true)));
        }

        return rows.OrderBy(r => r.Default).ThenBy(r => r.Option, StringComparer.Ordinal).ToList();
    }

    /// <summary>The recent operations with a step about this component or one of its relations, with those steps.</summary>
    private static List<(OperationView, IReadOnlyList<StepView>)> TouchingOperations(IReadOnlyList<OperationView> operations, LiveStack stack, string component)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal) { StepIds.Apply(component), StepIds.Await(component), StepIds.RemoveComponent(component) };
        foreach (var relation in stack.Spec.RelationsOf(component))
        {
            keys.Add(StepIds.Provision(relation));
            keys.Add(StepIds.Complete(relation));
            keys.Add(StepIds.RemoveRelation(relation));
        }

        return operations
            .Select(o => (o, (IReadOnlyList<StepView>)o.Steps.Where(s => keys.Contains(s.Key)).ToList()))
            .Where(x => x.Item2.Count > 0)
            .Take(MaxOperations)
            .ToList();
    }

    private static string? StepNote(StepView step) => step.Error ?? step.Message;

    private string? StepLink(DiagnosisStep step) => step.Subject switch
    {
        DiagnosisSubject.Component when step.Name != Component => TopologyLinks.Component(Stack.Stack, step.Name),
        DiagnosisSubject.Relation => RelationKeyOf(step.Name) is { } key ? TopologyLinks.Relation(Stack.Stack, key) : null,
        _ => null,
    };

    // A relation step is named "requirer:endpoint → provider:endpoint"; the relation's key joins the two with "--".
    private string? RelationKeyOf(string name) =>
        Stack.Spec.Relations.FirstOrDefault(r => $"{r.Requirer} → {r.Provider}" == name)?.Key;

    private static string SubjectWord(DiagnosisSubject subject) => subject switch
    {
        DiagnosisSubject.Component => "component",
        DiagnosisSubject.Relation => "relation",
        _ => "object",
    };


    private sealed record ConfigRow(string Option, string Value, bool Secret, bool Default);
}
