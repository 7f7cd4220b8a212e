namespace Portal.Domain.Plans;

/// <summary>What a plan does to a stack.</summary>
public enum PlanKind
{
    /// <summary>First deployment: every component and relation, from the namespace up.</summary>
    Deploy,
    /// <summary>Day-2 change: only what differs from the last applied spec, and what depends on it.</summary>
    Reconfigure,
    /// <summary>Removal of the whole stack, in the reverse order of a deploy.</summary>
    Teardown,
    /// <summary>A certificate change on one hostname: rotation, roll-back or manual upload, then verification.</summary>
    Certificate,
    /// <summary>A secret change: rotation or roll-back of one secret, the re-apply of its consumers, then verification.</summary>
    Secret,
}
