namespace Portal.Provisioning.Stacks;

/// <summary>The actions the audit log records, as the <c>action</c> of its entries (and its filter) reads them.</summary>
public static class AuditActions
{
    /// <summary>Every action, grouped by what it acts on: stacks and operations, clusters, certificates, secrets, API tokens.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "create", "reconfigure", "teardown", "retry", "cancel",
        "connect-cluster", "rename-cluster", "remove-cluster",
        "rotate-certificate", "rollback-certificate", "upload-certificate",
        "rotate-secret", "rollback-secret", "drop-previous-secret", "reveal-secret", "set-secret-policy",
        "create-token", "revoke-token",
    ];
}
