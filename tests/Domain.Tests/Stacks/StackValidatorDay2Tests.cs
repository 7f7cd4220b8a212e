using Portal.Domain.Catalog;
using Portal.Domain.Stacks;
using Portal.Domain.Tests.TestData;
using Portal.Domain.Tests.Values;

namespace Portal.Domain.Tests.Stacks;

/// <summary>Validation of a change to a deployed stack (with the last applied spec).</summary>
public sealed class StackValidatorDay2Tests
{
    private static readonly StackSpec Deployed = StackSpecs.Minimal();

    [Fact]
    public void The_deployed_request_validates_again() =>
        ResultAssert.Success(StackRequests.Minimal().Validate(Deployed));

    [Fact]
    public void A_request_rebuilt_from_the_stored_spec_keeps_the_deployed_secrets()
    {
        var stored = Deployed.WithoutSecrets(ComponentCatalog.Default);
        var request = StackRequest.FromSpec(stored).With("airbyte", "replicas", "3");

        var spec = ResultAssert.Success(request.Validate(stored));

        Assert.Equal("3", spec.Component("airbyte").Config["replicas"]);
        Assert.False(spec.Component("oauth2-proxy").Config.ContainsKey("client-secret"));
    }

    [Fact]
    public void A_new_secret_value_on_day_2_is_taken()
    {
        var stored = Deployed.WithoutSecrets(ComponentCatalog.Default);
        var spec = ResultAssert.Success(StackRequest.FromSpec(stored).With("oauth2-proxy", "client-secret", "rotated-secret").Validate(stored));
        Assert.Equal("rotated-secret", spec.Component("oauth2-proxy").Config["client-secret"]);
    }

    [Fact]
    public void Without_a_deployed_spec_a_left_out_secret_is_required() =>
        ResultAssert.FailureAt(StackRequests.Minimal().Without("oauth2-proxy", "client-secret").Validate(), "oauth2-proxy.client-secret");

    [Theory]
    [InlineData("temporal", "num-history-shards", "1024", "num-history-shards cannot be changed after deployment; it is 512.")]
    [InlineData("postgresql", "mode", "in-cluster", "mode cannot be changed after deployment; it is external.")]
    [InlineData("minio", "storage-size", "20Gi", "storage-size cannot be changed after deployment; it is 10Gi.")]
    [InlineData("postgresql", "storage-size", "16Gi", "storage-size cannot be changed after deployment; it is 8Gi.")]
    public void Immutable_options_cannot_change_after_deployment(string component, string option, string value, string message)
    {
        var request = StackRequests.Minimal().With(component, option, value);
        ResultAssert.Success(request.Validate());
        Assert.Equal(message, ResultAssert.ErrorAt(request.Validate(Deployed), $"{component}.{option}").Message);
    }

    [Fact]
    public void The_deployed_explicit_value_is_the_one_that_counts()
    {
        var deployed = StackRequests.Minimal().With("temporal", "num-history-shards", "1024").Validate().Value;
        Assert.Equal("num-history-shards cannot be changed after deployment; it is 1024.",
            ResultAssert.ErrorAt(StackRequests.Minimal().Validate(deployed), "temporal.num-history-shards").Message);
    }

    [Theory]
    [InlineData("10Gi")]
    [InlineData("10240Mi")]
    public void An_unchanged_size_written_differently_is_not_a_change(string size) =>
        ResultAssert.Success(StackRequests.Minimal().With("minio", "storage-size", size).Validate(Deployed));

    [Fact]
    public void Mutable_options_may_change() =>
        ResultAssert.Success(StackRequests.Minimal()
            .With("temporal", "replicas", "3")
            .With("airbyte", "external-hostname", "data.example.com")
            .With("ingress", "whitelist-source-range", "10.0.0.0/8")
            .Validate(Deployed));

    [Fact]
    public void An_invalid_new_value_is_reported_as_invalid_not_as_a_change() =>
        Assert.Contains("power of two",
            ResultAssert.ErrorAt(StackRequests.Minimal().With("temporal", "num-history-shards", "500").Validate(Deployed), "temporal.num-history-shards").Message,
            StringComparison.Ordinal);

    [Theory]
    [InlineData("name", "A stack cannot be renamed after deployment; it is airbyte-prod.")]
    [InlineData("cluster", "A stack cannot move to another cluster after deployment; it is on sandbox.")]
    [InlineData("namespace", "A stack cannot move to another namespace after deployment; it is airbyte-prod.")]
    public void A_deployed_stack_cannot_be_renamed_or_moved(string field, string message)
    {
        var request = field switch
        {
            "name" => StackRequests.Minimal() with { Name = "airbyte-other", Namespace = "airbyte-prod" },
            "cluster" => StackRequests.Minimal() with { Cluster = "staging" },
            _ => StackRequests.Minimal() with { Namespace = "elsewhere" },
        };
        Assert.Equal(message, ResultAssert.ErrorAt(request.Validate(Deployed), field).Message);
    }

    [Fact]
    public void An_immutable_secret_is_refused_without_showing_either_value()
    {
        var catalog = new ComponentCatalog(ComponentCatalog.Default.Kinds.Select(kind => kind.Name != "oauth2-proxy"
            ? kind
            : kind with { Options = kind.Options.Select(o => o.Name == "client-secret" ? o with { ImmutableAfterDeploy = true } : o).ToList() }));
        var deployed = StackValidator.Validate(StackRequests.Minimal(), catalog, StackRequests.KnownClusters, StackRequests.Now).Value;
        var request = StackRequests.Minimal().With("oauth2-proxy", "client-secret", "brand-new-secret");

        var result = StackValidator.Validate(request, catalog, StackRequests.KnownClusters, StackRequests.Now, deployed);

        var error = ResultAssert.ErrorAt(result, "oauth2-proxy.client-secret");
        Assert.Equal("client-secret cannot be changed after deployment.", error.Message);
        ResultAssert.Success(StackValidator.Validate(StackRequests.Minimal(), catalog, StackRequests.KnownClusters, StackRequests.Now, deployed));
    }
}
