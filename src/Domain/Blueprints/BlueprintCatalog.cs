using Portal.Domain.Catalog;

namespace Portal.Domain.Blueprints;

/// <summary>The blueprints the portal deploys; today one, <c>charmed-airbyte</c> (COMPONENTS.md §1).</summary>
public static class BlueprintCatalog
{
    public const string CharmedAirbyteName = "charmed-airbyte";

    public static Blueprint CharmedAirbyte { get; } = new(
        CharmedAirbyteName,
        "The Charmed Airbyte stack: Airbyte behind OAuth2 Proxy and an nginx ingress with ACME certificates, "
        + "Temporal with its admin tools, a webhook receiver on its own ingress, MinIO and PostgreSQL.",
        [
            new("airbyte", "airbyte"),
            new("temporal", "temporal"),
            new("temporal-admin", "temporal-admin"),
            new("airbyte-webhooks", "airbyte-webhooks"),
            new("oauth2-proxy", "oauth2-proxy"),
            new("ingress", "nginx-ingress"),
            new("ingress-webhooks", "nginx-ingress"),
            new("lego", "lego"),
            new("minio", "minio"),
            new("postgresql", "postgresql"),
        ],
        [
            RelationSpec.Of("airbyte:db", "postgresql:database", Interfaces.PostgresqlClient),
            RelationSpec.Of("airbyte:object-storage", "minio:object-storage", Interfaces.ObjectStorage),
            RelationSpec.Of("airbyte:temporal", "temporal:temporal-host-info", Interfaces.TemporalHostInfo),
            RelationSpec.Of("airbyte:nginx-route", "ingress:nginx-route", Interfaces.NginxRoute),
            RelationSpec.Of("oauth2-proxy:upstream", "airbyte:upstream", Interfaces.HttpUpstream),
            RelationSpec.Of("oauth2-proxy:nginx-route", "ingress:nginx-route", Interfaces.NginxRoute),
            RelationSpec.Of("ingress:certificates", "lego:certificates", Interfaces.TlsCertificates),
            RelationSpec.Of("temporal:db", "postgresql:database", Interfaces.PostgresqlClient),
            RelationSpec.Of("temporal:visibility", "postgresql:database", Interfaces.PostgresqlClient),
            RelationSpec.Of("temporal:admin", "temporal-admin:admin", Interfaces.Temporal),
            RelationSpec.Of("airbyte-webhooks:temporal", "temporal:temporal-host-info", Interfaces.TemporalHostInfo),
            RelationSpec.Of("airbyte-webhooks:nginx-route", "ingress-webhooks:nginx-route", Interfaces.NginxRoute),
        ]);

    public static IReadOnlyList<Blueprint> All { get; } = [CharmedAirbyte];

    public static bool TryGet(string name, out Blueprint blueprint)
    {
        blueprint = All.FirstOrDefault(b => b.Name == name)!;
        return blueprint is not null;
    }
}
