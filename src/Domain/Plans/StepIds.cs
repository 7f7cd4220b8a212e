using Portal.Domain.Blueprints;

namespace Portal.Domain.Plans;

/// <summary>The stable, URL-safe ids of plan steps, e.g. <c>apply:airbyte</c> or <c>relate:airbyte:db--postgresql:database</c>.</summary>
/// <remarks>Ids derive from names only, so the same stack always gives the same ids: provisioning keys its jobs and
/// persisted step rows on them, and the UI links to them. Component and endpoint names are DNS labels, so every id is
/// made of <c>a-z 0-9 - :</c> and needs no escaping in a URL path.</remarks>
public static class StepIds
{
    public static string EnsureNamespace(string @namespace) => $"namespace:{@namespace}";

    public static string Apply(string component) => $"apply:{component}";

    public static string Await(string component) => $"await:{component}";

    public static string Provision(RelationSpec relation) => $"relate:{relation.Key}";

    public static string Complete(RelationSpec relation) => $"complete:{relation.Key}";

    public static string RemoveRelation(RelationSpec relation) => $"unrelate:{relation.Key}";

    public static string RemoveComponent(string component) => $"remove:{component}";

    public static string RemoveNamespace(string @namespace) => $"remove-namespace:{@namespace}";

    public static string IssueCertificate(string host) => $"issue:{host}";

    public static string RestoreCertificate(string host) => $"restore:{host}";

    public static string InstallCertificate(string host) => $"install:{host}";

    public static string VerifyCertificate(string host) => $"verify:{host}";

    /// <summary>Secret steps, by secret id (<c>&lt;component&gt;.&lt;secret&gt;</c>, which adds only the dot to the id's alphabet).</summary>
    public static string RotateSecret(string secret) => $"rotate-secret:{secret}";

    public static string RestoreSecret(string secret) => $"restore-secret:{secret}";

    public static string VerifySecret(string secret) => $"verify-secret:{secret}";

    /// <summary>The verification of one consumer of a secret alone (the owner that must be healthy before the others restart).</summary>
    public static string VerifySecret(string secret, string component) => $"verify-secret:{secret}:{component}";

    /// <summary>The drop of the previous value of a dual-validity secret after its grace period.</summary>
    public static string DropPreviousSecret(string secret) => $"drop-previous:{secret}";
}
