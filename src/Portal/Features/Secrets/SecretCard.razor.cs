using Microsoft.AspNetCore.Components;
using Portal.Provisioning.Secrets;

namespace Portal.Features.Secrets;

/// <summary>One secret as an operator reads it: every fact but its value, the ledger's stale workloads, the rotation policy (a select
/// for operators), and the writes it allows with the reason when one is not offered.</summary>
public sealed partial class SecretCard
{
    [Parameter, EditorRequired]
    public required SecretView Secret { get; set; }

    /// <summary>Whether the signed-in user may change secrets (the Operator role).</summary>
    [Parameter]
    public bool Operates { get; set; }

    [Parameter, EditorRequired]
    public required DateTimeOffset Now { get; set; }

    /// <summary>Why the last action on the secret was refused, if it was.</summary>
    [Parameter]
    public string? Refusal { get; set; }

    /// <summary>Why the last policy change was refused, each problem a sentence.</summary>
    [Parameter]
    public IReadOnlyList<string> PolicyErrors { get; set; } = [];

    /// <summary>Whether a policy change is on its way.</summary>
    [Parameter]
    public bool SavingPolicy { get; set; }

    [Parameter]
    public EventCallback<RotationPolicy> OnPolicy { get; set; }

    [Parameter]
    public EventCallback OnRotate { get; set; }

    [Parameter]
    public EventCallback OnRollback { get; set; }

    /// <summary>Opens the one-time reveal (offered to operators right after a webhook signing secret's rotation).</summary>
    [Parameter]
    public EventCallback OnReveal { get; set; }

    private string? RotateRefusal => SecretStyles.RotateRefusal(Secret, Operates);

    private string? RollbackRefusal => SecretStyles.RollbackRefusal(Secret, Operates);
}
