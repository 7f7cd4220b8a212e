using Portal.Provisioning.Secrets;
using Portal.Provisioning.Stacks;

namespace Portal.Tests.Fakes;

/// <summary>The secrets of a stack as the secret service reports them, around the test clock's now: Airbyte's database password with
/// two pods of airbyte-server still on revision 3, the overdue proxy cookie secret, the operator-supplied client secret, and the
/// read-only external database admin credentials.</summary>
public static class SecretWorld
{
    public static readonly DateTimeOffset Now = StackWorld.Now + TimeSpan.FromMinutes(1);

    public const string Window = "02:00-04:00 UTC";
    public const string Database = "postgresql.airbyte-db";
    public const string Cookie = "oauth2-proxy.cookie-secret";
    public const string Client = "oauth2-proxy.client-secret";
    public const string External = "external-db.admin-credentials";
    public const string ExternalWhy = "The external database's admin credentials are managed outside the portal: it only reads them.";
    public const string SignedOut = "Everyone is signed out and signs in again.";

    public static readonly Guid OperationId = Guid.Parse("7a2e3d4c-5b6a-4f70-8b9c-0d1e2f3a4b5c");

    public static SecretView DatabaseSecret() => new(
        Database, "Airbyte database password", "The password Airbyte's server and workers use to reach its PostgreSQL database.", "postgresql",
        ["airbyte-server", "airbyte-worker"], "airbyte-db-relation/password", "relation", "database-password", null, 4, "9f86d081884c",
        Now - TimeSpan.FromDays(200), Now - TimeSpan.FromDays(3), "olga", RotationPolicy.Quarterly, Now + TimeSpan.FromDays(87), false,
        "A short reconnect to the database.", [3, 2, 1],
        [new StaleWorkload("airbyte-server", 3, ["airbyte-server-5d9c-abcde", "airbyte-server-5d9c-fghij"])]);

    public static SecretView CookieSecret() => new(
        Cookie, "Proxy cookie secret", "Signs the session cookies of the OAuth2 proxy.", "oauth2-proxy", ["oauth2-proxy"],
        "oauth2-proxy-cookie/cookie-secret", "generated", "replace", null, 2, "2c26b46b68ff", Now - TimeSpan.FromDays(120),
        Now - TimeSpan.FromDays(40), null, RotationPolicy.Monthly, Now - TimeSpan.FromDays(10), true, SignedOut, [1], []);

    public static SecretView ClientSecret() => new(
        Client, "OAuth2 client secret", "The client secret the identity provider issued to the portal's proxy.", "oauth2-proxy", ["oauth2-proxy"],
        "oauth2-proxy-client/client-secret", "operator-supplied", "operator-supplied", null, 1, "fcde2b2edba5", Now - TimeSpan.FromDays(120),
        null, null, RotationPolicy.Never, null, false, "Everyone is signed out and signs in again.", [], []);

    public static SecretView ExternalSecret() => new(
        External, "External database admin", "The admin credentials of the external PostgreSQL server.", "external-db", [],
        "external-db-admin/password", "external", "none", ExternalWhy, 1, "b5bb9d8014a0", null, null, null, RotationPolicy.Never, null,
        false, "Nothing: the portal does not rotate it.", [], []);

    public static StackSecretInventory Inventory(string name = "prod", params SecretView[] secrets) =>
        new(name, StackWorld.Cluster, $"airbyte-{name}", Window, secrets.Length > 0 ? secrets : [DatabaseSecret(), CookieSecret(), ClientSecret(), ExternalSecret()]);

    public static SecretRotationPreview DatabasePreview() => new(
        DatabaseSecret(),
        ["Change the airbyte role's password in PostgreSQL.", "Write revision 5 of airbyte-db-relation.", "Restart the consumers in order.", "Verify their health."],
        [new RestartingWorkload(2, "airbyte-worker", "loads airbyte-db-relation"), new RestartingWorkload(1, "airbyte-server", "loads airbyte-db-relation")],
        "A short reconnect to the database.",
        false);

    public static SecretRotationPreview ClientPreview() => new(
        ClientSecret(), ["Write revision 2 of oauth2-proxy-client with the value you give.", "Restart the proxy."],
        [new RestartingWorkload(1, "oauth2-proxy", "loads oauth2-proxy-client")], SignedOut, true);

    public static ServiceResult<StackChange> Started(string stack) =>
        ServiceResult<StackChange>.Ok(new StackChange(StoredStacks.View(StackWorld.Healthy(stack)), OperationId, "Rotation started."));
}
