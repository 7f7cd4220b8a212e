using Portal.Domain.Catalog;
using Portal.Domain.Stacks;
using Portal.Domain.Tests.TestData;
using Portal.Domain.Tests.Values;

namespace Portal.Domain.Tests.Stacks;

public sealed class StackValidatorRelationTests
{
    private static List<RelationRequest> Relations() => StackRequests.BlueprintRelations();

    private static Common.Result<StackSpec> ValidateWith(IEnumerable<RelationRequest> relations, StackRequest? request = null) =>
        (request ?? StackRequests.Minimal()).WithRelations(relations).Validate();

    private static List<RelationRequest> Replace(string requirer, RelationRequest? replacement)
    {
        var relations = Relations().Where(r => r.Requirer != requirer).ToList();
        if (replacement is not null)
        {
            relations.Add(replacement);
        }

        return relations;
    }

    [Fact]
    public void The_blueprint_relations_given_explicitly_validate_like_the_default()
    {
        var spec = ResultAssert.Success(ValidateWith(Relations()));
        Assert.Equal(StackSpecs.Minimal().Relations, spec.Relations);
    }

    [Fact]
    public void Relations_are_resolved_with_their_interface()
    {
        var relation = StackSpecs.Minimal().Relations.Single(r => r.Requirer.ToString() == "temporal:visibility");
        Assert.Equal("postgresql:database", relation.Provider.ToString());
        Assert.Equal(Interfaces.PostgresqlClient, relation.Interface);
    }

    [Theory]
    [InlineData("airbyte", "postgresql:database", "The requirer 'airbyte' is not of the form component:endpoint (e.g. airbyte:db).")]
    [InlineData("airbyte:db", "postgresql:database:x", "The provider 'postgresql:database:x' is not of the form component:endpoint (e.g. airbyte:db).")]
    [InlineData(null, "postgresql:database", "The requirer is missing; write it as component:endpoint (e.g. airbyte:db).")]
    [InlineData("airbyte:db", "postgres:database", "The provider postgres:database names no component of this stack; did you mean postgresql:database?")]
    [InlineData("airbyte:db", "redis:database", "The provider redis:database names no component of this stack.")]
    [InlineData("airbyte:database", "postgresql:database", "airbyte has no endpoint 'database'; its endpoints are db, object-storage, temporal, nginx-route, upstream.")]
    [InlineData("airbyte:dbs", "postgresql:database", "airbyte has no endpoint 'dbs'; did you mean airbyte:db?")]
    public void Malformed_and_unknown_endpoints_are_reported_on_the_relation(string? requirer, string provider, string message)
    {
        var result = ValidateWith(Replace("airbyte:db", new RelationRequest(requirer, provider)));
        Assert.Equal(message, ResultAssert.ErrorAt(result, "relations[11]").Message);
    }

    [Fact]
    public void Swapped_sides_are_recognised()
    {
        var result = ValidateWith(Replace("airbyte:db", new RelationRequest("postgresql:database", "airbyte:db")));
        Assert.Equal("The sides are swapped: airbyte:db requires and postgresql:database provides; write airbyte:db as the requirer and postgresql:database as the provider.",
            ResultAssert.ErrorAt(result, "relations[11]").Message);
    }

    [Fact]
    public void A_provider_endpoint_cannot_require_and_a_requirer_cannot_provide()
    {
        var result = ValidateWith(Relations().Append(new RelationRequest("airbyte:upstream", "ingress:nginx-route")));
        var messages = result.Errors.Where(e => e.Path == "relations[12]").Select(e => e.Message).ToList();
        Assert.Contains("airbyte:upstream provides http-upstream, so it cannot be the requirer of a relation.", messages);
        Assert.Contains("airbyte:upstream speaks http-upstream but ingress:nginx-route speaks nginx-route; both ends of a relation must use the same interface.", messages);

        var both = ValidateWith(Relations().Append(new RelationRequest("airbyte:db", "temporal:db")));
        Assert.Contains(both.Errors, e => e.Path == "relations[12]" && e.Message == "temporal:db requires postgresql_client, so it cannot be the provider of a relation.");
    }

    [Fact]
    public void An_interface_mismatch_is_reported()
    {
        var result = ValidateWith(Replace("airbyte:db", new RelationRequest("airbyte:db", "minio:object-storage")));
        Assert.Equal("airbyte:db speaks postgresql_client but minio:object-storage speaks object-storage; both ends of a relation must use the same interface.",
            ResultAssert.ErrorAt(result, "relations[11]").Message);
    }

    [Fact]
    public void A_component_cannot_be_related_to_itself()
    {
        var result = ValidateWith(Relations().Append(new RelationRequest("oauth2-proxy:upstream", "oauth2-proxy:upstream")));
        Assert.Contains(result.Errors, e => e.Path == "relations[12]" && e.Message.Contains("cannot be related to itself", StringComparison.Ordinal));
    }

    [Fact]
    public void A_duplicate_relation_is_reported_once_with_the_first_position()
    {
        var result = ValidateWith(Relations().Append(new RelationRequest(" airbyte:db", "postgresql:database ")));
        Assert.Equal("This relation repeats relations[0] (airbyte:db → postgresql:database).", ResultAssert.ErrorAt(result, "relations[12]").Message);
        Assert.Single(result.Errors);
    }

    [Fact]
    public void An_endpoint_limit_is_enforced()
    {
        var result = ValidateWith(Relations().Append(new RelationRequest("airbyte:nginx-route", "ingress-webhooks:nginx-route")));
        Assert.Equal("airbyte:nginx-route accepts one relation but has 2: with ingress:nginx-route and ingress-webhooks:nginx-route.",
            ResultAssert.ErrorAt(result, "airbyte:nginx-route").Message);
    }

    [Theory]
    [InlineData("airbyte:db", "airbyte:db is required but not related. Relate it to postgresql:database.")]
    [InlineData("temporal:visibility", "temporal:visibility is required but not related. Relate it to postgresql:database.")]
    [InlineData("temporal:admin", "temporal:admin is required but not related. Relate it to temporal-admin:admin.")]
    [InlineData("airbyte-webhooks:nginx-route", "airbyte-webhooks:nginx-route is required but not related. Relate it to ingress:nginx-route or ingress-webhooks:nginx-route.")]
    [InlineData("oauth2-proxy:upstream", "oauth2-proxy:upstream is required but not related. Relate it to airbyte:upstream.")]
    public void A_missing_required_relation_is_reported_on_the_endpoint(string requirer, string message)
    {
        var result = ValidateWith(Replace(requirer, null));
        Assert.Equal(message, ResultAssert.ErrorAt(result, requirer).Message);
    }

    [Fact]
    public void An_optional_relation_may_be_left_out()
    {
        // Without certificates the ingress serves what tls-secret-name names.
        var result = ValidateWith(Replace("ingress:certificates", null), StackRequests.Minimal().With("ingress", "tls-secret-name", "airbyte-tls"));
        ResultAssert.Success(result);
    }

    [Fact]
    public void The_routes_of_the_stack_are_computed_from_relations_and_options()
    {
        var routes = StackValidator.RoutesOf(StackSpecs.Minimal(), ComponentCatalog.Default);
        Assert.Equal(
            [
                ("airbyte", "ingress", "airbyte.example.com", "/"),
                ("oauth2-proxy", "ingress", "airbyte.example.com", "/oauth2"),
                ("airbyte-webhooks", "ingress-webhooks", "hooks.example.com", "/hooks"),
            ],
            routes.Select(r => (r.Component, r.Ingress, r.Host, r.Path)));
    }

    [Fact]
    public void Two_ingresses_may_not_claim_the_same_host_and_path()
    {
        var request = StackRequests.Minimal()
            .With("airbyte-webhooks", "external-hostname", "airbyte.example.com")
            .With("airbyte-webhooks", "path-prefix", "/");
        var error = ResultAssert.ErrorAt(request.Validate(), "airbyte-webhooks.external-hostname");
        Assert.Equal("airbyte-webhooks and airbyte both claim airbyte.example.com/ (on ingress-webhooks and ingress); two routes may not share a host and path.", error.Message);
    }

    [Fact]
    public void Two_routes_on_one_ingress_may_not_claim_the_same_host_and_path()
    {
        var relations = Replace("airbyte-webhooks:nginx-route", new RelationRequest("airbyte-webhooks:nginx-route", "ingress:nginx-route"));
        var request = StackRequests.Minimal()
            .With("airbyte-webhooks", "external-hostname", "Airbyte.Example.com")
            .With("airbyte-webhooks", "path-prefix", "/oauth2/");
        var error = ResultAssert.ErrorAt(ValidateWith(relations, request), "airbyte-webhooks.external-hostname");
        Assert.Equal("airbyte-webhooks and oauth2-proxy both claim airbyte.example.com/oauth2 (on ingress); two routes may not share a host and path.", error.Message);
    }

    [Fact]
    public void The_same_host_with_different_paths_is_fine()
    {
        var request = StackRequests.Minimal().With("airbyte-webhooks", "external-hostname", "airbyte.example.com");
        ResultAssert.Success(request.Validate());
    }

    [Fact]
    public void Airbyte_published_without_a_proxy_bypasses_sign_in()
    {
        var relations = Relations().Where(r => r.Requirer is not ("oauth2-proxy:upstream" or "oauth2-proxy:nginx-route")).ToList();
        var result = ValidateWith(relations);
        Assert.Equal("airbyte would be public on ingress without sign-in: relate an oauth2-proxy to airbyte:upstream, or remove the airbyte:nginx-route relation.",
            ResultAssert.ErrorAt(result, "airbyte:nginx-route").Message);
    }

    [Fact]
    public void Airbyte_without_a_public_route_needs_no_proxy_rule()
    {
        var relations = Relations().Where(r => r.Requirer != "airbyte:nginx-route").ToList();
        Assert.DoesNotContain(ValidateWith(relations).Errors, e => e.Path == "airbyte:nginx-route");
    }

    [Fact]
    public void The_proxy_must_share_the_ingress_of_what_it_protects()
    {
        var relations = Replace("oauth2-proxy:nginx-route", new RelationRequest("oauth2-proxy:nginx-route", "ingress-webhooks:nginx-route"));
        var result = ValidateWith(relations);
        Assert.Equal("oauth2-proxy is routed through ingress-webhooks but airbyte through ingress; both must use the same ingress, so that every route to airbyte goes through the sign-in.",
            ResultAssert.ErrorAt(result, "oauth2-proxy:nginx-route").Message);
    }
}
