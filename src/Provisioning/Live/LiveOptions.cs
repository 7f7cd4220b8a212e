using Microsoft.Extensions.Options;

namespace Portal.Provisioning.Live;

/// <summary>How the watch caches and the live stack status behave (configuration section <c>Portal:Live</c>).</summary>
public sealed class LiveOptions
{
    public const string SectionName = "Portal:Live";

    /// <summary>How often the connected clusters are compared with the running watch caches (a cluster connected at runtime is
    /// watched within this time).</summary>
    public TimeSpan ClusterPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the portal database is read for new, changed and removed stacks and for operation progress.</summary>
    public TimeSpan StackPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Every stack is evaluated again this often even without a change, because health has deadlines.</summary>
    public TimeSpan ReevaluateInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Change batches go out to subscribers at most this often.</summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Every kind is listed again this often (with jitter), even while its watch is healthy: what a lost event hid
    /// comes back.</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The server closes a watch after about this long (with jitter); the cache resumes it from its resourceVersion.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>First delay before a failed list or watch is tried again; it doubles per failure (with jitter).</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Objects a list asks for per page.</summary>
    public int ListPageSize { get; set; } = 500;

    /// <summary>The most recent events kept per object.</summary>
    public int MaxEventsPerObject { get; set; } = 20;

    /// <summary>Events older than this are dropped.</summary>
    public TimeSpan EventMaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Events about objects the cache has not seen yet (the event can arrive first) are held this long.</summary>
    public TimeSpan PendingEventMaxAge { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>At most this many such events are held.</summary>
    public int MaxPendingEvents { get; set; } = 2000;

    /// <summary>Updates a subscriber's channel holds; a slower reader gets the latest snapshot per stack instead of every one.</summary>
    public int SubscriberCapacity { get; set; } = 16;
}

/// <summary>Reports every invalid live option at once.</summary>
internal sealed class LiveOptionsValidator : IValidateOptions<LiveOptions>
{
    public ValidateOptionsResult Validate(string? name, LiveOptions options)
    {
        var errors = new List<string>();
        foreach (var (option, value) in new (string, TimeSpan)[]
        {
            (nameof(options.ClusterPollInterval), options.ClusterPollInterval), (nameof(options.StackPollInterval), options.StackPollInterval),
            (nameof(options.ReevaluateInterval), options.ReevaluateInterval), (nameof(options.BatchInterval), options.BatchInterval),
            (nameof(options.ResyncInterval), options.ResyncInterval), (nameof(options.WatchTimeout), options.WatchTimeout),
            (nameof(options.MinBackoff), options.MinBackoff), (nameof(options.MaxBackoff), options.MaxBackoff),
            (nameof(options.EventMaxAge), options.EventMaxAge), (nameof(options.PendingEventMaxAge), options.PendingEventMaxAge),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"{LiveOptions.SectionName}:{option} must be a positive duration, not {value}.");
            }
        }

        if (options.MaxBackoff < options.MinBackoff)
        {
            errors.Add($"{LiveOptions.SectionName}:{nameof(options.MaxBackoff)} ({options.MaxBackoff}) must not be shorter than {nameof(options.MinBackoff)} ({options.MinBackoff}).");
        }

        if (options.WatchTimeout < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{LiveOptions.SectionName}:{nameof(options.WatchTimeout)} must be at least one second (the server counts it in seconds).");
        }

        foreach (var (option, value) in new (string, int)[]
        {
            (nameof(options.ListPageSize), options.ListPageSize), (nameof(options.MaxEventsPerObject), options.MaxEventsPerObject),
            (nameof(options.MaxPendingEvents), options.MaxPendingEvents), (nameof(options.SubscriberCapacity), options.SubscriberCapacity),
        })
        {
            if (value < 1)
            {
                errors.Add($"{LiveOptions.SectionName}:{option} must be at least 1, not {value}.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
