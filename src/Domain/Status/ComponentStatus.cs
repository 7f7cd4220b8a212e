namespace Portal.Domain.Status;

/// <summary>The status vocabulary of a component (Juju's), ordered from best to worst for aggregation.</summary>
public enum ComponentStatus
{
    /// <summary>Running and healthy.</summary>
    Active,
    /// <summary>The portal is working on it (rolling, applying).</summary>
    Maintenance,
    /// <summary>Waiting on something else; no human action needed.</summary>
    Waiting,
    /// <summary>Nothing is known yet (no observation).</summary>
    Unknown,
    /// <summary>A human must act; the message says what.</summary>
    Blocked,
    /// <summary>Failed; message and logs say why.</summary>
    Error,
}
