using Portal.Domain.Status;

namespace Portal.Shared.Status;

/// <summary>The words and colour tones of every status scale, so that a node, a chip and a tree row say the same thing.</summary>
/// <remarks>A tone is one of the component words (<c>active</c> … <c>error</c>); portal.css maps each to a colour of the
/// theme, so light and dark mode both work and a relation or object reads in the same colours as the components.</remarks>
public static class StatusStyles
{
    public static string Word(ComponentStatus status) => status switch
    {
        ComponentStatus.Active => "active",
        ComponentStatus.Maintenance => "maintenance",
        ComponentStatus.Waiting => "waiting",
        ComponentStatus.Unknown => "unknown",
        ComponentStatus.Blocked => "blocked",
        _ => "error",
    };

    public static string Word(RelationStatus status) => status switch
    {
        RelationStatus.Healthy => "healthy",
        RelationStatus.Pending => "pending",
        RelationStatus.Broken => "broken",
        _ => "unknown",
    };

    public static string Word(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Suspended => "suspended",
        HealthStatus.Progressing => "progressing",
        HealthStatus.Missing => "missing",
        HealthStatus.Degraded => "degraded",
        _ => "unknown",
    };

    public static string Word(CheckResult result) => result switch
    {
        CheckResult.Passed => "passed",
        CheckResult.Pending => "pending",
        _ => "failed",
    };

    public static string Tone(ComponentStatus status) => Word(status);

    public static string Tone(RelationStatus status) => status switch
    {
        RelationStatus.Healthy => "active",
        RelationStatus.Pending => "waiting",
        RelationStatus.Broken => "error",
        _ => "unknown",
    };

    public static string Tone(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "active",
        HealthStatus.Suspended => "unknown",
        HealthStatus.Progressing => "maintenance",
        HealthStatus.Missing => "blocked",
        HealthStatus.Degraded => "error",
        _ => "unknown",
    };

    public static string Tone(CheckResult result) => result switch
    {
        CheckResult.Passed => "active",
        CheckResult.Pending => "waiting",
        _ => "error",
    };

    /// <summary>The tone of an operation state (<c>Running</c>, <c>Succeeded</c>, <c>Failed</c>…).</summary>
    public static string OperationTone(string state) => state switch
    {
        "Succeeded" => "active",
        "Failed" => "error",
        "Cancelled" => "unknown",
        _ => "maintenance",
    };

    /// <summary>An operation kind as a person reads it: "Deploy", "Certificate rotation"…</summary>
    public static string OperationName(string kind) => kind switch
    {
        "RotateCertificate" => "Certificate rotation",
        "RollbackCertificate" => "Certificate roll-back",
        "UploadCertificate" => "Certificate upload",
        "RotateSecret" => "Secret rotation",
        "RollbackSecret" => "Secret roll-back",
        _ => kind,
    };

    /// <summary>The tone of a "why not green" step (its severity is on the component scale).</summary>
    public static string Tone(DiagnosisStep step) => Tone(step.Severity);

    /// <summary>A short help text for a component status word, as Juju defines it.</summary>
    public static string Meaning(ComponentStatus status) => status switch
    {
        ComponentStatus.Active => "running and healthy",
        ComponentStatus.Maintenance => "the portal is working on it",
        ComponentStatus.Waiting => "waiting on something else; no action needed",
        ComponentStatus.Unknown => "nothing is known yet",
        ComponentStatus.Blocked => "a person must act; the message says what",
        _ => "failed; the message, events and logs say why",
    };
}
