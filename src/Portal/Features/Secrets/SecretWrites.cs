using Portal.Features.Certificates;
using Portal.Provisioning.Stacks;
using Portal.Security;

namespace Portal.Features.Secrets;

/// <summary>What the secret dialogs share: the operator's role checked before a write, and its outcome sorted by field.</summary>
public static class SecretWrites
{
    /// <summary>The fields the secret service names in its validation errors.</summary>
    public static readonly IReadOnlyList<string> Fields = ["reason", "value", "revision", "secret", "policy"];

    /// <summary>Sends a write as the signed-in operator (the circuit's role checked first): the operation it started, every error on a
    /// field by field, and the rest as sentences.</summary>
    public static Task<WriteOutcome> SendAsync(CircuitAuthorization authorization, Func<string, Task<ServiceResult<StackChange>>> write) =>
        CertificateWrites.SendAsync(authorization, Fields, write);
}
