namespace Portal.Provisioning.Operations;

/// <summary>Delivers step ids to workers (Hangfire in the portal). Delivery is at least once; the runner copes with repeats.</summary>
internal interface IStepScheduler
{
    void Enqueue(Guid stepId);

    void Schedule(Guid stepId, DateTimeOffset at);
}
