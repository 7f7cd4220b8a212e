using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Simulation;

/// <summary>A unit of controller work: which controller, and the object it should look at.</summary>
internal readonly record struct WorkItem(string Controller, string TypeKey, string Namespace, string Name);

/// <summary>A controller: reconciles one object towards its desired state.</summary>
internal interface IController
{
    string Name { get; }

    /// <summary>Work items a committed change calls for (this object, its owner, related objects…).</summary>
    IEnumerable<WorkItem> Interested(StoreEvent change);

    /// <summary>Brings the object named by <paramref name="item"/> one step closer to its desired state.</summary>
    void Reconcile(WorkItem item);
}

/// <summary>
/// The simulated control plane's engine: one loop draining a de-duplicated work queue, and a timer wheel of
/// "look again at time T" requests driven by the injected <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// Determinism: controllers read the clock only through <see cref="Now"/> and schedule follow-ups with
/// <see cref="After"/>. With a manual clock nothing happens until the test advances it, and
/// <see cref="WaitForIdleAsync"/> tells when the consequences of a change or of a clock step have settled.
/// </remarks>
internal sealed class Simulator : IStoreListener, IAsyncDisposable
{
    private readonly Dictionary<string, IController> _controllers = new(StringComparer.Ordinal);
    private readonly List<IController> _ordered = [];
    private readonly Queue<WorkItem> _queue = new();
    private readonly HashSet<WorkItem> _queued = [];
    private readonly PriorityQueue<WorkItem, (DateTimeOffset Due, long Seq)> _timers = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly TimeProvider _clock;
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<Exception> _onError;
    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _timer;
    private DateTimeOffset? _timerDue;
    private long _seq;
    private bool _busy;
    private Task? _loop;

    public Simulator(TimeProvider clock, Action<Exception> onError)
    {
        _clock = clock;
        _onError = onError;
        _idle.SetResult();
    }

    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>The earliest time something is scheduled to happen (null when nothing is).</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            lock (_gate)
            {
                return _timers.TryPeek(out _, out var due) ? due.Due : null;
            }
        }
    }

    public void Add(IController controller)
    {
        _controllers[controller.Name] = controller;
        _ordered.Add(controller);
    }

    public void Start() => _loop = Task.Run(RunAsync);

    public void OnChange(StoreEvent change)
    {
        foreach (var controller in _ordered)
        {
            foreach (var item in controller.Interested(change))
            {
                Enqueue(item);
            }
        }
    }

    public void Enqueue(WorkItem item)
    {
        lock (_gate)
        {
            if (!_queued.Add(item))
            {
                return;
            }

            _queue.Enqueue(item);
            MarkBusy();
        }

        _signal.Release();
    }

    /// <summary>Look at <paramref name="item"/> again after <paramref name="delay"/> of simulated time.</summary>
    public void After(TimeSpan delay, WorkItem item) => At(Now + delay, item);

    public void At(DateTimeOffset due, WorkItem item)
    {
        if (due <= Now)
        {
            Enqueue(item);
            return;
        }

        lock (_gate)
        {
            _timers.Enqueue(item, (due, _seq++));
            ArmTimer();
        }
    }

    /// <summary>Completes when no work is queued or running and nothing is due at the current time.</summary>
    public async Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task idle;
            lock (_gate)
            {
                MoveDueTimers();
                idle = _idle.Task;
                if (idle.IsCompleted && _queue.Count == 0 && !_busy)
                {
                    return;
                }
            }

            await idle.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _signal.Release();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _timer?.Dispose();
        _stop.Dispose();
        _signal.Dispose();
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            WorkItem item;
            lock (_gate)
            {
                MoveDueTimers();
                if (!_queue.TryDequeue(out item))
                {
                    _busy = false;
                    _idle.TrySetResult();
                    item = default;
                }
                else
                {
                    _queued.Remove(item);
                    _busy = true;
                }
            }

            if (item == default)
            {
                try
                {
                    await _signal.WaitAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            try
            {
                _controllers[item.Controller].Reconcile(item);
            }
            catch (Api.ApiException ex) when (ex.Code is 409 or 404)
            {
                // Lost a race with a client write or a deletion: look again with fresh state, as controllers do.
                Enqueue(item);
            }
            catch (Exception ex)
            {
                _onError(ex);
            }
        }
    }

    private void MarkBusy()
    {
        if (_idle.Task.IsCompleted)
        {
            _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    // Caller holds _gate.
    private void MoveDueTimers()
    {
        var now = Now;
        var moved = false;
        while (_timers.TryPeek(out var item, out var due) && due.Due <= now)
        {
            _timers.Dequeue();
            if (_queued.Add(item))
            {
                _queue.Enqueue(item);
                moved = true;
            }
        }

        if (moved)
        {
            MarkBusy();
            _signal.Release();
        }

        ArmTimer();
    }

    // Caller holds _gate. One timer, always set for the earliest due item.
    private void ArmTimer()
    {
        if (!_timers.TryPeek(out _, out var next))
        {
            return;
        }

        if (_timerDue == next.Due && _timer is not null)
        {
            return;
        }

        _timer?.Dispose();
        _timerDue = next.Due;
        var delay = next.Due - Now;
        _timer = _clock.CreateTimer(_ => OnTimer(), null, delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            _timerDue = null;
            _timer?.Dispose();
            _timer = null;
            MoveDueTimers();
        }
    }
}
