using Portal.Domain.Stacks;

namespace Portal.Provisioning.Secrets;

/// <summary>Puts the secret values an operator typed (OAuth client secret, database admin password…) where they belong: the
/// component Secrets in the target cluster. The portal keeps no copy.</summary>
/// <remarks>Called with the validated spec that still holds its secret options, before the spec without them is saved and the
/// operation starts. Keys the operator did not give are left as they are (generated values stay).</remarks>
internal interface IStackSecrets
{
    Task StoreInputsAsync(StackSpec specWithSecrets, CancellationToken cancellationToken);
}
