using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Secrets;

/// <summary>Starts secret rotations and roll-backs as operations; <see cref="ISecretService"/> delegates its two writes here.</summary>
/// <remarks>Same contract as <see cref="ISecretService.RotateAsync"/> and <see cref="ISecretService.RollbackAsync"/>: every problem at once
/// with its field (<c>reason</c>, <c>value</c>, <c>revision</c>, <c>secret</c>), NotFound, Conflict when the stack is busy or not
/// deployed, the audit entry written, the operation's id in the answer.</remarks>
internal interface ISecretRotations
{
    Task<ServiceResult<StackChange>> RotateAsync(string stack, string secret, SecretRotationRequest request, string actor, CancellationToken cancellationToken);

    Task<ServiceResult<StackChange>> RollbackAsync(string stack, string secret, int? revision, string? reason, string actor, CancellationToken cancellationToken);

    /// <summary>Ends the grace period of a dual-validity secret (the webhook signing secret) whose grace period is over: an operation
    /// drops the previous value, rolls the consumers and verifies them. Conflict while the grace period runs or when there is no
    /// previous value; Invalid (<c>secret</c>) for a secret without one.</summary>
    Task<ServiceResult<StackChange>> DropPreviousAsync(string stack, string secret, string actor, CancellationToken cancellationToken);
}
