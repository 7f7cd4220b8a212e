namespace Portal.Domain.Operations;

/// <summary>What an operation does to a stack.</summary>
public enum OperationKind
{
    Deploy,
    Reconfigure,
    Teardown,
    /// <summary>A new key and certificate for one hostname, from its issuer (ACME or the internal CA).</summary>
    RotateCertificate,
    /// <summary>A kept revision of a hostname's TLS Secret restored as a new revision.</summary>
    RollbackCertificate,
    /// <summary>An operator's certificate installed for one hostname.</summary>
    UploadCertificate,
    /// <summary>A new value for one secret (generated, or supplied by the operator), its consumers rolled and verified; put back on failure.</summary>
    RotateSecret,
    /// <summary>A kept revision of a secret restored as a new revision (for a database password, set on the role too).</summary>
    RollbackSecret,
}

/// <summary>Where an operation is in its life.</summary>
public enum OperationState
{
    /// <summary>Steps are queued or running.</summary>
    Running,
    /// <summary>A step failed for good and what depends on it is cancelled; steps that do not depend on it run to their end.</summary>
    Failing,
    /// <summary>Cancel was asked; running steps finish, nothing new starts.</summary>
    Cancelling,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>Where a step is in its life.</summary>
public enum StepState
{
    /// <summary>Waits for the steps it depends on.</summary>
    Blocked,
    /// <summary>Ready to run; a job is (or is about to be) enqueued for it.</summary>
    Queued,
    /// <summary>A worker holds it (see <see cref="Step.LeaseUntil"/>).</summary>
    Running,
    /// <summary>Ran, is not done yet (a workload not healthy, a transient error) and runs again at <see cref="Step.NotBefore"/>.</summary>
    Waiting,
    Succeeded,
    Failed,
    /// <summary>Will not run: the operation was cancelled or a step it depends on failed.</summary>
    Cancelled,
}

/// <summary>Helpers on the state enums.</summary>
public static class OperationStates
{
    public static bool IsFinished(this OperationState state) =>
        state is OperationState.Succeeded or OperationState.Failed or OperationState.Cancelled;

    public static bool IsFinished(this StepState state) =>
        state is StepState.Succeeded or StepState.Failed or StepState.Cancelled;

    /// <summary>A step that still holds the operation open: queued, running or waiting to run again.</summary>
    public static bool IsInFlight(this StepState state) =>
        state is StepState.Queued or StepState.Running or StepState.Waiting;
}
