namespace Portal.Shared.Live;

/// <summary>Remembers when each node or edge last changed, so that a render can make it pulse for a moment.</summary>
/// <remarks>The CSS class alternates between two names with the same animation: a browser restarts an animation only when
/// the class changes, so a second change while the first pulse still shows pulses again. Past the window there is no class,
/// so an unchanged item never pulses.</remarks>
public sealed class PulseTracker(TimeSpan window)
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, (bool Second, DateTimeOffset At)> _changes = new(StringComparer.Ordinal);

    public PulseTracker()
        : this(DefaultWindow)
    {
    }

    public void Mark(IEnumerable<string> keys, DateTimeOffset now)
    {
        foreach (var key in keys)
        {
            _changes[key] = (_changes.TryGetValue(key, out var last) && !last.Second, now);
        }
    }

    /// <summary>The pulse class of an item at <paramref name="now"/>: <c>pulse-a</c> or <c>pulse-b</c>, or null when it did not
    /// change within the window.</summary>
    public string? ClassOf(string key, DateTimeOffset now) =>
        _changes.TryGetValue(key, out var change) && now - change.At < window ? (change.Second ? "pulse-b" : "pulse-a") : null;

    public void Clear() => _changes.Clear();
}
