using System.Globalization;
using Microsoft.AspNetCore.Components;
using Portal.Domain.Status.Observation;
using Portal.Features.Topology;
using Portal.Provisioning.Live;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Operations;

/// <summary>One operation as it runs: its steps with state, attempts, live durations and a progress bar; a failed step's error with
/// the events and pod logs of its component; cancel and retry.</summary>
/// <remarks>While the operation runs the page asks the stack service again every second (the operation's state lives in the
/// portal database, which no stream offers); the loop ends with the operation or when the circuit goes.</remarks>
public sealed partial class OperationPage : IAsyncDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private const int MaxEvents = 20;

    private readonly CancellationTokenSource _disposed = new();
    private Task _poll = Task.CompletedTask;
    private OperationView? _operation;
    private string? _problem;
    private string? _actionProblem;
    private string? _notice;
    private Confirm _confirming;
    private bool _busy;
    private bool _operates;
    private DateTimeOffset _now;
    private Guid _loadedId;

    private enum Confirm
    {
        None,
        Cancel,
        Retry,
    }

    [Inject]
    public required IStackService Stacks { get; init; }

    [Inject]
    public required ILiveStacks Live { get; init; }

    [Inject]
    public required CircuitAuthorization Authorization { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Parameter]
    public Guid Id { get; set; }

    private bool Running => _operation?.State is "Running" or "Failing" or "Cancelling";

    private bool CanCancel => _operation?.State is "Running" or "Failing";

    private bool CanRetry => _operation?.State is "Failed" or "Cancelled";

    private int Done => _operation?.Steps.Count(s => s.State == "Succeeded") ?? 0;

    private int Total => _operation?.Steps.Count ?? 0;

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        try
        {
            await _poll;
        }
        catch (OperationCanceledException)
        {
            // The circuit went while a refresh was on its way.
        }

        _disposed.Dispose();
    }

    protected override async Task OnInitializedAsync() => _operates = await Authorization.AllowsAsync(PortalPolicies.Operator);

    protected override async Task OnParametersSetAsync()
    {
        if (_loadedId == Id)
        {
            return;
        }

        _loadedId = Id;
        _operation = null;
        _confirming = Confirm.None;
        await LoadAsync();
        StartPolling();
    }

    private async Task LoadAsync()
    {
        _now = Time.GetUtcNow();
        var result = await Stacks.GetOperationAsync(Id, _disposed.Token);
        if (result.IsSuccess)
        {
            _operation = result.Value;
            _problem = null;
        }
        else
        {
            _problem = result.Message;
        }
    }

    private void StartPolling()
    {
        if (Running && _poll.IsCompleted)
        {
            _poll = PollAsync(_disposed.Token);
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && (Running || _operation is null))
        {
            await Task.Delay(PollInterval, Time, cancellationToken);
            await InvokeAsync(async () =>
            {
                await LoadAsync();
                StateHasChanged();
            });
        }
    }

    private void Ask(Confirm what)
    {
        _confirming = what;
        _actionProblem = null;
        _notice = null;
    }

    private async Task CancelOperationAsync()
    {
        await ActAsync(actor => Stacks.CancelAsync(Id, actor, _disposed.Token), "Cancel asked: nothing new starts; running steps finish.");
    }

    private async Task RetryOperationAsync()
    {
        await ActAsync(actor => Stacks.RetryAsync(Id, actor, _disposed.Token), "Retrying from the failed steps.");
    }

    private async Task ActAsync(Func<string, Task<ServiceResult<OperationView>>> action, string notice)
    {
        _busy = true;
        try
        {
            var actor = await Authorization.DemandAsync(PortalPolicies.Operator);
            var result = await action(actor);
            if (!result.IsSuccess)
            {
                _actionProblem = result.Message;
                return;
            }

            _confirming = Confirm.None;
            _operation = result.Value;
            _now = Time.GetUtcNow();
            _notice = notice;
            StartPolling();
        }
        catch (UnauthorizedAccessException e)
        {
            _actionProblem = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>The component a step is about: <c>apply:airbyte</c> → airbyte; a relation step → its requirer.</summary>
    public static string? ComponentOf(string stepKey)
    {
        var colon = stepKey.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var kind = stepKey[..colon];
        var rest = stepKey[(colon + 1)..];
        return kind switch
        {
            "apply" or "await" or "remove" => rest,
            "relate" or "complete" or "unrelate" => rest.Split(':')[0],
            _ => null,
        };
    }

    /// <summary>What the live view knows about a failed step's component: its events and pods.</summary>
    private FailureContext? ContextOf(StepView step)
    {
        if (_operation is null || ComponentOf(step.Key) is not { } component || Live.Find(_operation.Stack) is not { } live)
        {
            return null;
        }

        if (live.Status.FindComponent(component) is not { } state)
        {
            return new FailureContext(component, live, [], []);
        }

        var tree = ObjectTree.Build(state, live.Observation);
        return new FailureContext(component, live, ObjectTree.Events(tree, live.Observation, MaxEvents), ObjectTree.Pods(tree));
    }

    private string Duration(StepView step)
    {
        if (step.StartedAt is not { } started)
        {
            return "—";
        }

        var span = (step.FinishedAt ?? _now) - started;
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        return span.TotalSeconds < 60 ? $"{(int)span.TotalSeconds}s"
            : span.TotalHours < 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMinutes}m {span.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h {span.Minutes:00}m");
    }

    private string OperationDuration() =>
        _operation is null ? "" : Duration(new StepView("", "", "", "", [], "", 0, 0, _operation.CreatedAt, _operation.FinishedAt, null, null));

    /// <summary>Pods in the order an operator reads them: one that is not ready first, most restarts first.</summary>
    private static List<ObservedPod> WorstFirst(IReadOnlyList<ObservedPod> pods) =>
        pods.OrderBy(p => p.Ready && p.Phase == PodPhase.Running ? 1 : 0).ThenByDescending(p => p.RestartCount).ToList();

    private static string StepIcon(string state) => state switch
    {
        "Succeeded" => MudBlazor.Icons.Material.Filled.CheckCircle,
        "Failed" => MudBlazor.Icons.Material.Filled.Cancel,
        "Cancelled" => MudBlazor.Icons.Material.Outlined.Block,
        "Waiting" => MudBlazor.Icons.Material.Outlined.HourglassTop,
        "Queued" => MudBlazor.Icons.Material.Outlined.Schedule,
        _ => MudBlazor.Icons.Material.Outlined.RadioButtonUnchecked,
    };

    private static MudBlazor.Color StepColor(string state) => state switch
    {
        "Succeeded" => MudBlazor.Color.Success,
        "Failed" => MudBlazor.Color.Error,
        "Waiting" or "Running" => MudBlazor.Color.Info,
        _ => MudBlazor.Color.Default,
    };

    private MudBlazor.Color ProgressColor => _operation?.State switch
    {
        "Succeeded" => MudBlazor.Color.Success,
        "Failed" or "Failing" => MudBlazor.Color.Error,
        "Cancelled" or "Cancelling" => MudBlazor.Color.Default,
        _ => MudBlazor.Color.Primary,
    };

    private sealed record FailureContext(string Component, LiveStack Stack, IReadOnlyList<ObservedEvent> Events, IReadOnlyList<ObservedPod> Pods);
}
