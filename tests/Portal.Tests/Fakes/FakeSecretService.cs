using Portal.Provisioning.Secrets;
using Portal.Provisioning.Stacks;

namespace Portal.Tests.Fakes;

/// <summary>The secret service as the pages use it: inventories and previews set by the test, every call counted, and the writes
/// recorded and answered by the handler a test sets (<see cref="OnRotate"/>, <see cref="OnRollback"/>, <see cref="OnPolicy"/>);
/// without one they throw, so a test notices if a page starts changing things.</summary>
public sealed class FakeSecretService : ISecretService
{
    /// <summary>What <see cref="ListAsync"/> answers per stack; an unknown stack is NotFound.</summary>
    public Dictionary<string, ServiceResult<StackSecretInventory>> Stacks { get; } = new(StringComparer.Ordinal);

    /// <summary>What <see cref="PreviewRotationAsync"/> answers per secret id; another secret is NotFound.</summary>
    public Dictionary<string, ServiceResult<SecretRotationPreview>> Previews { get; } = new(StringComparer.Ordinal);

    public int ListCalls { get; private set; }

    public List<(string Stack, string Secret)> PreviewCalls { get; } = [];

    public List<(string Stack, string Secret, SecretRotationRequest Request, string Actor)> Rotations { get; } = [];

    public List<(string Stack, string Secret, int? Revision, string? Reason, string Actor)> Rollbacks { get; } = [];

    public List<(string Stack, string Secret, string? Policy, string Actor)> Policies { get; } = [];

    public Func<string, string, ServiceResult<StackChange>>? OnRotate { get; set; }

    public Func<string, string, int?, ServiceResult<StackChange>>? OnRollback { get; set; }

    public Func<string, string, string?, ServiceResult<SecretView>>? OnPolicy { get; set; }

    public Func<string, string, ServiceResult<RevealedSecret>>? OnReveal { get; set; }

    public List<(string Stack, string Secret, string? Reason, string Actor)> Reveals { get; } = [];

    public Task<ServiceResult<StackSecretInventory>> ListAsync(string stack, CancellationToken cancellationToken)
    {
        ListCalls++;
        return Task.FromResult(Stacks.TryGetValue(stack, out var result)
            ? result
            : ServiceResult<StackSecretInventory>.NotFound($"There is no stack named {stack}."));
    }

    public Task<ServiceResult<SecretRotationPreview>> PreviewRotationAsync(string stack, string secret, CancellationToken cancellationToken)
    {
        PreviewCalls.Add((stack, secret));
        return Task.FromResult(Previews.TryGetValue(secret, out var result)
            ? result
            : ServiceResult<SecretRotationPreview>.NotFound($"Stack {stack} has no secret {secret}."));
    }

    public Task<ServiceResult<StackChange>> RotateAsync(string stack, string secret, SecretRotationRequest request, string actor, CancellationToken cancellationToken)
    {
        var handler = OnRotate ?? throw new InvalidOperationException("This test does not expect a page to rotate a secret.");
        Rotations.Add((stack, secret, request, actor));
        return Task.FromResult(handler(stack, secret));
    }

    public Task<ServiceResult<StackChange>> RollbackAsync(string stack, string secret, int? revision, string? reason, string actor, CancellationToken cancellationToken)
    {
        var handler = OnRollback ?? throw new InvalidOperationException("This test does not expect a page to roll a secret back.");
        Rollbacks.Add((stack, secret, revision, reason, actor));
        return Task.FromResult(handler(stack, secret, revision));
    }

    public Task<ServiceResult<SecretView>> SetPolicyAsync(string stack, string secret, string? policy, string actor, CancellationToken cancellationToken)
    {
        var handler = OnPolicy ?? throw new InvalidOperationException("This test does not expect a page to set a rotation policy.");
        Policies.Add((stack, secret, policy, actor));
        return Task.FromResult(handler(stack, secret, policy));
    }

    public Task<ServiceResult<RevealedSecret>> RevealAsync(string stack, string secret, string? reason, string actor, CancellationToken cancellationToken)
    {
        var handler = OnReveal ?? throw new InvalidOperationException("This test does not expect a page to reveal a secret.");
        Reveals.Add((stack, secret, reason, actor));
        return Task.FromResult(handler(stack, secret));
    }
}
