using Microsoft.AspNetCore.Components;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Common;
using Portal.Domain.Stacks;
using Portal.Domain.Topology;
using Portal.Domain.Values;
using Portal.Provisioning.Stacks;
using Portal.Security;
using Portal.Shared.Config;
using Portal.Shared.Topology;

namespace Portal.Features.Deploy;

/// <summary>The deploy wizard: target, blueprint, config, preflight, plan preview, deploy. Each step is checked before the next
/// opens; the step is in the URL and the draft (without secrets) in the tab's session, so a reload loses nothing but secrets.</summary>
public sealed partial class DeployPage : IDisposable
{
    public const int TargetStep = 0;
    public const int BlueprintStep = 1;
    public const int ConfigStep = 2;
    public const int PreflightStep = 3;
    public const int PreviewStep = 4;
    public const int DeployStep = 5;

    private static readonly string[] Titles = ["Cluster", "Blueprint", "Configure", "Preflight", "Plan", "Deploy"];
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoErrors = new Dictionary<string, IReadOnlyList<string>>();

    private readonly CancellationTokenSource _disposed = new();
    private IReadOnlyList<ClusterView>? _clusters;
    private int _active;
    private bool _busy;
    private bool _loaded;
    private string? _stepProblem;
    private string? _nameError;
    private string? _namespaceError;
    private string? _clusterError;
    private string? _reasonError;
    private string _configTab = "";
    private bool _showMissing;

    // Errors the stack service reported: by component and option, and those that belong to no field.
    private Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> _serverErrors = new(StringComparer.Ordinal);
    private IReadOnlyList<ValidationError> _otherErrors = [];
    private string? _planSummary;

    private PreflightReport? _preflight;
    private string? _preflightProblem;
    private StackPreview? _preview;
    private string? _previewProblem;
    private PreviewObject? _shownObject;

    private GraphLayout? _layout;
    private Dictionary<string, DiagramNode> _nodes = [];
    private Dictionary<string, DiagramEdge> _edges = [];

    [Inject]
    public required DeployDraft Draft { get; init; }

    [Inject]
    public required IDeployDraftStore Store { get; init; }

    [Inject]
    public required IClusterService Clusters { get; init; }

    [Inject]
    public required IStackDrafts Drafts { get; init; }

    [Inject]
    public required IStackService Stacks { get; init; }

    [Inject]
    public required ComponentCatalog Catalog { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    /// <summary>The step shown, 1-based as in the address (<c>/deploy?step=3</c>).</summary>
    [SupplyParameterFromQuery(Name = "step")]
    public int? Step { get; set; }

    private Blueprint? Blueprint => BlueprintCatalog.TryGet(Draft.Blueprint, out var blueprint) ? blueprint : null;

    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    protected override async Task OnInitializedAsync()
    {
        if (!Draft.Restored && Draft.Name.Length == 0 && Draft.Cluster is null && await Store.LoadAsync() is { } snapshot)
        {
            Draft.Restore(snapshot);
        }

        BuildDiagram();
        _clusters = await Clusters.ListAsync(_disposed.Token);
        if (Draft.Cluster is null && _clusters.Where(c => c.Reachable).ToList() is [var only])
        {
            Draft.Cluster = only.Name;
        }

        _loaded = true;
        await GoToAsync(Math.Clamp((Step ?? 1) - 1, 0, Math.Min(Draft.Reached, DeployStep)), updateUrl: false);
    }

    protected override async Task OnParametersSetAsync()
    {
        // The browser's back and forward buttons change the step in the address.
        if (_loaded && Step is { } step && step - 1 != _active)
        {
            await GoToAsync(Math.Clamp(step - 1, 0, Math.Min(Draft.Reached, DeployStep)), updateUrl: false);
        }
    }

    private async Task GoToAsync(int step, bool updateUrl = true)
    {
        _active = step;
        _stepProblem = null;
        if (updateUrl)
        {
            Navigation.NavigateTo($"/deploy?step={step + 1}");
        }

        await SaveAsync();
        switch (step)
        {
            case PreflightStep when _preflight is null:
                await RunPreflightAsync();
                break;
            case PreviewStep when _preview is null:
                await LoadPreviewAsync();
                break;
            case ConfigStep when _configTab.Length == 0:
                _configTab = Blueprint?.Components is [var first, ..] ? first.Name : "";
                break;
        }
    }

    private Task SaveAsync() => Store.SaveAsync(Draft.ToSnapshot());

    private async Task NextAsync()
    {
        _busy = true;
        try
        {
            if (!await CheckStepAsync(_active))
            {
                return;
            }

            Draft.Reached = Math.Max(Draft.Reached, _active + 1);
            await GoToAsync(_active + 1);
        }
        finally
        {
            _busy = false;
        }
    }

    private Task BackAsync() => _active > 0 ? GoToAsync(_active - 1) : Task.CompletedTask;

    private async Task StepClickedAsync(int step)
    {
        if (step <= Draft.Reached && step != _active)
        {
            await GoToAsync(step);
        }
    }

    /// <summary>Whether the step may be left forwards; says why not in <see cref="_stepProblem"/>.</summary>
    private async Task<bool> CheckStepAsync(int step)
    {
        switch (step)
        {
            case TargetStep:
                CheckName(Draft.Name);
                CheckNamespace(Draft.Namespaced);
                _clusterError = Draft.Cluster is null ? "Choose the cluster to deploy to." : null;
                if (_nameError is not null || _namespaceError is not null || _clusterError is not null)
                {
                    _stepProblem = "Fix the fields marked in red first.";
                    return false;
                }

                return true;
            case BlueprintStep:
                return Blueprint is not null;
            case ConfigStep:
                return await ValidateConfigAsync();
            case PreflightStep:
                if (_preflight is not { CanDeploy: true })
                {
                    _stepProblem = "Every preflight check must pass (warnings are fine) before the plan can be shown.";
                    return false;
                }

                return true;
            case PreviewStep:
                return _preview is not null;
            default:
                return true;
        }
    }

    private async Task<bool> ValidateConfigAsync()
    {
        var local = LocalErrorCount();
        if (local > 0)
        {
            _showMissing = true;
            _stepProblem = local == 1 ? "One option needs fixing first; its tab is marked." : $"{local} options need fixing first; their tabs are marked.";
            _configTab = Blueprint!.Components.FirstOrDefault(c => LocalErrors(c).Count > 0)?.Name ?? _configTab;
            return false;
        }

        var result = await Drafts.ValidateAsync(Draft.ToCommand(), _disposed.Token);
        ShowServerErrors(result.Status == ServiceStatus.Invalid ? result.Errors : []);
        if (result.IsSuccess)
        {
            _planSummary = result.Value;
            _preflight = null;
            _preview = null;
            return true;
        }

        _stepProblem = result.Status == ServiceStatus.Invalid
            ? (result.Errors.Count == 1 ? "The stack service found a problem; it is shown next to its field." : $"The stack service found {result.Errors.Count} problems; each is shown next to its field.")
            : result.Message;
        if (_serverErrors.Count > 0 && !_serverErrors.ContainsKey(_configTab))
        {
            _configTab = Blueprint!.Components.FirstOrDefault(c => _serverErrors.ContainsKey(c.Name))?.Name ?? _configTab;
        }

        return false;
    }

    /// <summary>Puts each error where the operator typed the value: a component's option, a target field, or the list of the rest.</summary>
    private void ShowServerErrors(IReadOnlyList<ValidationError> errors)
    {
        var byField = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        var other = new List<ValidationError>();
        var blueprint = Blueprint;
        _reasonError = null;
        foreach (var error in errors)
        {
            var path = error.Path.StartsWith("config.", StringComparison.Ordinal) ? error.Path["config.".Length..] : error.Path;
            switch (path)
            {
                case "name":
                    _nameError = error.Message;
                    other.Add(error);
                    continue;
                case "namespace":
                    _namespaceError = error.Message;
                    other.Add(error);
                    continue;
                case "cluster":
                    _clusterError = error.Message;
                    other.Add(error);
                    continue;
                case "reason":
                    // Under the reason field of the last step, where it was typed, and in the list of the step that was validated.
                    _reasonError = error.Message;
                    other.Add(error);
                    continue;
            }

            var dot = path.IndexOf('.', StringComparison.Ordinal);
            var component = dot > 0 ? path[..dot] : path;
            var option = dot > 0 ? path[(dot + 1)..] : "";
            if (blueprint?.FindComponent(component) is { } found && Catalog.TryGet(found.Kind, out var kind) && kind.FindOption(option) is not null)
            {
                if (!byField.TryGetValue(component, out var options))
                {
                    byField[component] = options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
                }

                if (!options.TryGetValue(option, out var messages))
                {
                    options[option] = messages = [];
                }

                messages.Add(error.Message);
            }
            else
            {
                other.Add(error);
            }
        }

        _serverErrors = byField.ToDictionary(
            p => p.Key,
            p => (IReadOnlyDictionary<string, IReadOnlyList<string>>)p.Value.ToDictionary(o => o.Key, o => (IReadOnlyList<string>)o.Value, StringComparer.Ordinal),
            StringComparer.Ordinal);
        _otherErrors = other;
    }

    private IReadOnlyDictionary<string, IReadOnlyList<string>> ServerErrorsOf(string component) =>
        _serverErrors.TryGetValue(component, out var errors) ? errors : NoErrors;

    private IReadOnlyDictionary<string, IReadOnlyList<string>> LocalErrors(BlueprintComponent component, bool withMissing = true) =>
        !Catalog.TryGet(component.Kind, out var kind) ? NoErrors
            : withMissing ? ConfigFormRules.Check(kind, Draft.ValuesOf(component.Name), Time.GetUtcNow())
            : ConfigFormRules.CheckValues(kind, Draft.ValuesOf(component.Name), Time.GetUtcNow());

    private int LocalErrorCount() => Blueprint?.Components.Sum(c => LocalErrors(c).Count) ?? 0;

    /// <summary>The badge on a component's tab: its options that are wrong now, or that the service reported and were not edited since.</summary>
    private int ErrorCount(BlueprintComponent component)
    {
        // Empty required options count once a step was left with them, as the forms then show them.
        var local = LocalErrors(component, _showMissing);
        var server = ServerErrorsOf(component.Name).Keys.Count(k => !local.ContainsKey(k));
        return local.Count + server;
    }

    private async Task ConfigChangedAsync(string component, IReadOnlyDictionary<string, string?> values)
    {
        var before = Draft.ValuesOf(component);
        Draft.Config[component] = values;
        if (_serverErrors.TryGetValue(component, out var errors))
        {
            // An edited option's reported error no longer applies until the service checks again.
            _serverErrors[component] = errors
                .Where(e => before.GetValueOrDefault(e.Key) == values.GetValueOrDefault(e.Key))
                .ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        }

        InvalidateFrom(ConfigStep);
        await SaveAsync();
    }

    /// <summary>A change at <paramref name="step"/> makes every check after it stale.</summary>
    private void InvalidateFrom(int step)
    {
        Draft.Reached = Math.Min(Draft.Reached, step);
        _preflight = null;
        _preview = null;
        _shownObject = null;
        _planSummary = null;
    }

    private async Task NameChangedAsync(string? name)
    {
        Draft.Name = name ?? "";
        CheckName(Draft.Name);
        if (Draft.Namespace is null)
        {
            CheckNamespace(Draft.Namespaced);
        }

        InvalidateFrom(TargetStep);
        await SaveAsync();
    }

    private async Task NamespaceChangedAsync(string? value)
    {
        // Emptied, the namespace follows the stack name again.
        Draft.Namespace = string.IsNullOrWhiteSpace(value) ? null : value;
        CheckNamespace(Draft.Namespaced);
        InvalidateFrom(TargetStep);
        await SaveAsync();
    }

    private async Task ClusterChangedAsync(string? cluster)
    {
        if (_clusters?.FirstOrDefault(c => c.Name == cluster) is not { Reachable: true })
        {
            return;
        }

        Draft.Cluster = cluster;
        _clusterError = null;
        InvalidateFrom(TargetStep);
        await SaveAsync();
    }

    private void CheckName(string name)
    {
        var label = DnsLabel.TryCreate(name);
        _nameError = name.Length == 0 ? "A stack name is needed, e.g. airbyte-prod."
            : label.IsSuccess ? null : string.Join(" ", label.Errors.Select(e => e.Message));
    }

    private void CheckNamespace(string value)
    {
        if (value.Length == 0)
        {
            _namespaceError = null;
            return;
        }

        var label = DnsLabel.TryCreate(value);
        _namespaceError = !label.IsSuccess ? string.Join(" ", label.Errors.Select(e => e.Message))
            : StackValidator.ReservedNamespaces.Contains(label.Value.Value) ? $"The namespace {label.Value.Value} belongs to Kubernetes itself; choose another."
            : null;
    }

    private async Task RunPreflightAsync()
    {
        _busy = true;
        _preflight = null;
        _preflightProblem = null;
        try
        {
            var result = await Drafts.PreflightAsync(Draft.ToCommand(), _disposed.Token);
            if (result.IsSuccess)
            {
                _preflight = result.Value;
            }
            else
            {
                _preflightProblem = result.Status == ServiceStatus.Invalid
                    ? $"The draft is not valid any more: {string.Join(" ", result.Errors.Select(e => e.ToString()))} Go back to fix it."
                    : result.Message;
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task LoadPreviewAsync()
    {
        _busy = true;
        _previewProblem = null;
        try
        {
            var result = await Drafts.PreviewAsync(Draft.ToCommand(), _disposed.Token);
            if (result.IsSuccess)
            {
                _preview = result.Value;
                _shownObject = null;
            }
            else
            {
                _previewProblem = result.Status == ServiceStatus.Invalid ? string.Join(" ", result.Errors.Select(e => e.ToString())) : result.Message;
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task DeployAsync()
    {
        _busy = true;
        _stepProblem = null;
        try
        {
            var actor = await Authorization.DemandAsync(PortalPolicies.Operator);
            var result = await Stacks.CreateAsync(Draft.ToCommand(), actor, _disposed.Token);
            if (!result.IsSuccess)
            {
                if (result.Status == ServiceStatus.Invalid)
                {
                    ShowServerErrors(result.Errors);
                }

                _stepProblem = result.Message;
                return;
            }

            Draft.Clear();
            await Store.ClearAsync();
            Navigation.NavigateTo(result.Value.OperationId is { } id ? $"/operations/{id}" : $"/stacks/{Uri.EscapeDataString(result.Value.Stack.Name)}");
        }
        catch (UnauthorizedAccessException e)
        {
            _stepProblem = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ReasonChangedAsync(string? reason)
    {
        Draft.Reason = reason ?? "";
        _reasonError = null;
        await SaveAsync();
    }

    private bool NextDisabled => _busy || _active switch
    {
        PreflightStep => _preflight is not { CanDeploy: true },
        PreviewStep => _preview is null,
        _ => false,
    };

    private void BuildDiagram()
    {
        if (Blueprint is not { } blueprint)
        {
            return;
        }

        _layout = TopologyLayout.ForBlueprint(blueprint, Catalog);
        _nodes = blueprint.Components.ToDictionary(c => c.Name, c => new DiagramNode(c.Kind, "kind")
        {
            Icon = KindIcons.Material(Catalog.TryGet(c.Kind, out var kind) ? kind.Icon : null),
        });
        _edges = blueprint.Relations.ToDictionary(r => r.Key, r => new DiagramEdge(r.Interface, ""));
    }

    private static string PreflightSummary(PreflightReport report)
    {
        var warnings = report.Checks.Count(c => c.Outcome == PreflightOutcome.Warn);
        var failed = report.Checks.Count(c => c.Outcome == PreflightOutcome.Fail);
        return $"{report.Checks.Count} checks: {report.Checks.Count - warnings - failed} passed, {warnings} with a warning, {failed} failed";
    }

    private static string OutcomeIcon(PreflightOutcome outcome) => outcome switch
    {
        PreflightOutcome.Pass => MudBlazor.Icons.Material.Filled.CheckCircle,
        PreflightOutcome.Warn => MudBlazor.Icons.Material.Filled.Warning,
        _ => MudBlazor.Icons.Material.Filled.Cancel,
    };

    private static MudBlazor.Color OutcomeColor(PreflightOutcome outcome) => outcome switch
    {
        PreflightOutcome.Pass => MudBlazor.Color.Success,
        PreflightOutcome.Warn => MudBlazor.Color.Warning,
        _ => MudBlazor.Color.Error,
    };

    // The plan says "waits for: …"; under a "Waits for" column the prefix only repeats the heading.
    private static string WithoutPrefix(string waitsFor) =>
        waitsFor.StartsWith("waits for: ", StringComparison.Ordinal) ? waitsFor["waits for: ".Length..] : waitsFor;
}
