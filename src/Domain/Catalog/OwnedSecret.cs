namespace Portal.Domain.Catalog;

/// <summary>Where the value of a secret comes from.</summary>
public enum SecretSource
{
    /// <summary>The portal generates it.</summary>
    Generated,
    /// <summary>The operator supplies it (e.g. an OAuth client secret from the identity provider).</summary>
    OperatorSupplied,
    /// <summary>Created by a relation (e.g. database credentials from <c>postgresql_client</c>).</summary>
    Relation,
    /// <summary>Created by the workload itself (Airbyte's bootloader writes <c>airbyte-auth-secrets</c>).</summary>
    Workload,
    /// <summary>Read-only to the portal (the external database's admin credentials).</summary>
    External,
}

/// <summary>How a secret is rotated.</summary>
public enum RotationStrategy
{
    /// <summary>The portal cannot rotate it; it is shown read-only.</summary>
    None,
    /// <summary>New value, new Secret revision, roll the owner then the consumers.</summary>
    Replace,
    /// <summary>New value valid together with the old one for a grace period (webhook signing secret).</summary>
    DualValidity,
    /// <summary>The operator supplies the new value.</summary>
    OperatorSupplied,
    /// <summary><c>ALTER ROLE … PASSWORD</c> on the database, then a new Secret revision.</summary>
    DatabasePassword,
}

/// <summary>A secret a component kind owns: name, how it is made and how it is rotated.</summary>
/// <param name="Name">Logical secret name, unique within the component (e.g. <c>cookie-secret</c>).</param>
/// <param name="GeneratedLength">For generated secrets: length in characters (or bytes where noted in the description).</param>
/// <param name="UserImpact">What users notice when it is rotated ("everyone is signed out").</param>
public sealed record SecretDefinition(
    string Name,
    string Description,
    SecretSource Source,
    RotationStrategy Rotation,
    string UserImpact,
    int? GeneratedLength = null);
