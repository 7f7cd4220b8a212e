using Portal.Domain.Blueprints;
using Portal.Domain.Naming;

namespace Portal.Domain.Tests.Catalog;

public class ObjectNamesTests
{
    [Theory]
    [InlineData("airbyte", "server", "airbyte-server")]
    [InlineData("temporal", "", "temporal")]
    public void Workload_names_derive_from_component_and_workload(string component, string workload, string expected)
    {
        Assert.Equal(expected, ObjectNames.Workload(component, workload));
    }

    [Theory]
    [InlineData("prod", "airbyte:db", "prod_airbyte")]
    [InlineData("prod", "temporal:db", "prod_temporal")]
    [InlineData("prod", "temporal:visibility", "prod_temporal_visibility")]
    [InlineData("team-a", "airbyte:db", "team_a_airbyte")]
    public void Database_names_follow_the_spec(string stack, string requirer, string expected)
    {
        var relation = new RelationSpec(EndpointRef.Parse(requirer), EndpointRef.Parse("postgresql:database"), "postgresql_client");

        Assert.Equal(expected, ObjectNames.Database(stack, relation));
        Assert.Equal(expected, ObjectNames.DatabaseRole(stack, relation));
    }

    [Fact]
    public void Relation_secret_is_named_after_the_requirer_endpoint()
    {
        var relation = RelationSpec.Of("airbyte:db", "postgresql:database", "postgresql_client");

        Assert.Equal("airbyte-db-relation", ObjectNames.RelationSecret(relation));
    }

    [Theory]
    [InlineData("airbyte.example.com", "tls-airbyte-example-com")]
    [InlineData("Hooks.Example.COM", "tls-hooks-example-com")]
    [InlineData("xn--bcher-kva.example", "tls-xn--bcher-kva-example")]
    public void Tls_secret_names_are_valid_kubernetes_names(string hostname, string expected)
    {
        Assert.Equal(expected, ObjectNames.TlsSecret(hostname));
    }

    [Fact]
    public void Stack_selector_matches_only_objects_the_portal_manages()
    {
        Assert.Equal("app.kubernetes.io/managed-by=airbyte-portal,portal.airbyte.io/stack=prod", PortalLabels.StackSelector("prod"));
    }
}
