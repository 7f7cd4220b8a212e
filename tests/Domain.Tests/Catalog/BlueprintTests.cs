using System.Text.RegularExpressions;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;

namespace Portal.Domain.Tests.Catalog;

public partial class BlueprintTests
{
    private static readonly Blueprint Blueprint = BlueprintCatalog.CharmedAirbyte;
    private static readonly ComponentCatalog Catalog = ComponentCatalog.Default;

    [Fact]
    public void Charmed_airbyte_has_exactly_the_ten_components_of_the_spec()
    {
        var expected = new[]
        {
            ("airbyte", "airbyte"), ("temporal", "temporal"), ("temporal-admin", "temporal-admin"),
            ("airbyte-webhooks", "airbyte-webhooks"), ("oauth2-proxy", "oauth2-proxy"), ("ingress", "nginx-ingress"),
            ("ingress-webhooks", "nginx-ingress"), ("lego", "lego"), ("minio", "minio"), ("postgresql", "postgresql"),
        };

        Assert.Equal(expected, Blueprint.Components.Select(c => (c.Name, c.Kind)));
    }

    [Fact]
    public void Charmed_airbyte_relations_are_those_of_the_components_document()
    {
        var specified = ReadRelationTableOfComponentsDocument();

        var actual = Blueprint.Relations.Select(r => (r.Requirer.ToString(), r.Provider.ToString(), r.Interface)).ToList();

        Assert.Equal(12, specified.Count);
        Assert.Equal(specified, actual);
    }

    [Fact]
    public void Every_relation_joins_a_requires_endpoint_to_a_provides_endpoint_of_the_same_interface()
    {
        foreach (var relation in Blueprint.Relations)
        {
            var requirer = EndpointOf(relation.Requirer);
            var provider = EndpointOf(relation.Provider);

            Assert.True(requirer.Role == EndpointRole.Requires, $"{relation.Requirer} should be a requires endpoint");
            Assert.True(provider.Role == EndpointRole.Provides, $"{relation.Provider} should be a provides endpoint");
            Assert.Equal(relation.Interface, requirer.Interface);
            Assert.Equal(relation.Interface, provider.Interface);
        }
    }

    [Fact]
    public void Every_required_endpoint_of_every_component_is_related()
    {
        var missing = from component in Blueprint.Components
                      from endpoint in Catalog.Get(component.Kind).Endpoints
                      where endpoint is { Required: true, Role: EndpointRole.Requires }
                      let reference = new EndpointRef(component.Name, endpoint.Name)
                      where Blueprint.Relations.All(r => r.Requirer != reference)
                      select reference.ToString();

        Assert.Empty(missing);
    }

    [Fact]
    public void No_endpoint_exceeds_its_limit_in_the_blueprint()
    {
        var uses = Blueprint.Relations
            .SelectMany(r => new[] { r.Requirer, r.Provider })
            .GroupBy(e => e)
            .Select(g => (Endpoint: g.Key, Count: g.Count(), Limit: EndpointOf(g.Key).Limit));

        Assert.All(uses, use => Assert.True(use.Limit is null || use.Count <= use.Limit, $"{use.Endpoint} used {use.Count} times, limit {use.Limit}"));
    }

    [Fact]
    public void Relation_keys_are_unique_and_url_safe()
    {
        var keys = Blueprint.Relations.Select(r => r.Key).ToList();

        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.All(keys, key => Assert.Matches("^[a-z0-9:-]+$", key));
    }

    [Fact]
    public void Relation_label_values_are_valid_kubernetes_label_values()
    {
        var long1 = new RelationSpec(new EndpointRef(new string('a', 40), "nginx-route"), new EndpointRef(new string('b', 40), "nginx-route"), "nginx-route");
        var long2 = new RelationSpec(new EndpointRef(new string('a', 40), "nginx-route"), new EndpointRef(new string('c', 40), "nginx-route"), "nginx-route");

        foreach (var relation in Blueprint.Relations.Append(long1).Append(long2))
        {
            Assert.Matches("^[a-z0-9]([-a-z0-9_.]{0,61}[a-z0-9])?$", relation.LabelValue);
        }

        Assert.Equal("airbyte.db--postgresql.database", RelationSpec.Of("airbyte:db", "postgresql:database", "postgresql_client").LabelValue);
        Assert.NotEqual(long1.LabelValue, long2.LabelValue);
        Assert.Equal(Blueprint.Relations.Count, Blueprint.Relations.Select(r => r.LabelValue).Distinct().Count());
    }

    [Theory]
    [InlineData("airbyte:db", "airbyte", "db")]
    [InlineData("ingress-webhooks:nginx-route", "ingress-webhooks", "nginx-route")]
    public void EndpointRef_parses_component_and_endpoint(string text, string component, string endpoint)
    {
        Assert.True(EndpointRef.TryParse(text, out var parsed));
        Assert.Equal(new EndpointRef(component, endpoint), parsed);
        Assert.Equal(text, parsed.Value.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("airbyte")]
    [InlineData(":db")]
    [InlineData("airbyte:")]
    [InlineData("a:b:c")]
    [InlineData(null)]
    public void EndpointRef_refuses_text_that_is_not_component_colon_endpoint(string? text)
    {
        Assert.False(EndpointRef.TryParse(text, out _));
    }

    private static EndpointDefinition EndpointOf(EndpointRef reference)
    {
        var component = Blueprint.FindComponent(reference.Component) ?? throw new InvalidOperationException($"no component {reference.Component}");
        return Catalog.Get(component.Kind).FindEndpoint(reference.Endpoint)
            ?? throw new InvalidOperationException($"kind {component.Kind} has no endpoint {reference.Endpoint}");
    }

    /// <summary>Reads the relation table of COMPONENTS.md §1 (the spec) from the shared folder beside the repository.</summary>
    private static List<(string Requirer, string Provider, string Interface)> ReadRelationTableOfComponentsDocument()
    {
        var path = Path.Combine(DomainDependencyTests.RepositoryRoot(), "..", "shared", "design", "COMPONENTS.md");
        Assert.True(File.Exists(path), $"The spec {path} is expected beside the repository (shared/ is laid next to every clone).");

        return File.ReadLines(path)
            .Select(line => RelationRow().Match(line))
            .Where(match => match.Success)
            .Select(match => (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value))
            .ToList();
    }

    [GeneratedRegex(@"^\| `([a-z0-9-]+:[a-z0-9-]+)` \| `([a-z0-9-]+:[a-z0-9-]+)` \| `([a-z0-9_-]+)` \|$")]
    private static partial Regex RelationRow();
}
