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
}
