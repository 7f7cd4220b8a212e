namespace Portal.Provisioning.Operations;

/// <summary>Delivers step ids to workers (Hangfire in the portal). Delivery is at least once; the runner copes with repeats.</summary>
internal interface IStepScheduler
{
    void Enqueue(Guid stepId);

    void Schedule(Guid stepId, DateTimeOffset at);

    /// <summary>The steps that have a job on its way: waiting in the queue, scheduled, or taken by a worker within
    /// <paramref name="recent"/> of <paramref name="now"/>. The dispatcher leaves these alone instead of delivering them again.</summary>
    /// <remarks>A scheduler that cannot tell answers an empty set, and the dispatcher delivers every overdue step (a repeat is
    /// harmless, only wasted work).</remarks>
    IReadOnlySet<Guid> Pending(DateTimeOffset now, TimeSpan recent) => new HashSet<Guid>();
}
