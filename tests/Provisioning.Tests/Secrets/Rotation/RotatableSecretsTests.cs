using Portal.Domain.Catalog;
using Portal.Domain.Secrets;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Rendering.Kinds;
using Portal.Provisioning.Secrets.Rotation;

namespace Portal.Provisioning.Tests.Secrets.Rotation;

/// <summary>What the rotations resolve a secret id to, against what the inventory offers to rotate.</summary>
public sealed class RotatableSecretsTests
{
    private static readonly RotatableSecrets Secrets = new(
        ComponentCatalog.Default,
        new StackRenderer(
            [new AirbyteRenderer(), new TemporalRenderer(), new TemporalAdminRenderer(), new WebhooksRenderer(), new OAuth2ProxyRenderer(),
             new NginxIngressRenderer(), new LegoRenderer(), new MinioRenderer(), new PostgresqlRenderer()],
            ComponentCatalog.Default));

    [Theory]
    [InlineData("external")]
    [InlineData("in-cluster")]
    public void The_inventory_offers_to_rotate_exactly_the_minio_and_postgresql_secrets_the_rotations_accept(string mode)
    {
        var spec = TestStacks.Minimal(configure: c => c["postgresql"] = mode == "external" ? c["postgresql"] : new() { ["mode"] = "in-cluster" });
        var mine = SecretInventory.Of(spec, ComponentCatalog.Default).Where(s => s.Owner is "minio" or "postgresql").ToList();
        Assert.Contains(mine, s => s.Id.ToString() == "minio.root-credentials");
        Assert.Equal(mode == "in-cluster", mine.Any(s => s.Id.ToString() == "postgresql.superuser-password"));
        Assert.All(mine, s =>
        {
            var found = Secrets.Find(spec, s.Id.ToString());
            Assert.True((s.NotRotatable is null) == (found.Secret is not null), $"{s.Id}: inventory says '{s.NotRotatable}', rotations say '{found.Problem}'");
        });
    }

    [Fact]
    public void Minio_restarts_first_then_the_consumers_of_its_copies_and_in_cluster_passwords_go_through_a_job()
    {
        var spec = TestStacks.Minimal(configure: c => c["postgresql"] = new() { ["mode"] = "in-cluster" });
        var minio = Secrets.Find(spec, "minio.root-credentials").Secret!;
        Assert.Equal("minio", minio.First);
        Assert.Equal("minio", minio.Consumers[0]);
        Assert.Contains("airbyte", minio.Consumers);
        Assert.Equal([new SecretCopy("airbyte-object-storage-relation", "secret-key")], minio.Copies);
        Assert.Equal(("minio-secrets", "root-password"), (minio.SecretName, minio.Key));

        var relation = Secrets.Find(spec, "postgresql.airbyte-db").Secret!;
        Assert.Equal(RotationMethod.InClusterDatabasePassword, relation.Method);
        Assert.Equal("prod_airbyte", relation.Role(spec));
        var superuser = Secrets.Find(spec, "postgresql.superuser-password").Secret!;
        Assert.Equal(RotationMethod.InClusterDatabasePassword, superuser.Method);
        Assert.Equal("postgres", superuser.Role(spec));
        Assert.Equal(["postgresql"], superuser.Consumers);
        Assert.Equal(
            "airbyte-db-relation-rollback-0123abcd",
            InClusterPasswordJobs.JobName(relation, InClusterPasswordJobs.Rollback, "0123abcd-0000-0000-0000-000000000000"));
    }
}
