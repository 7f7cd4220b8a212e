using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Stacks;
using Portal.Domain.Tests.TestData;
using Portal.Domain.Tests.Values;

namespace Portal.Domain.Tests.Stacks;

public sealed class StackValidatorTests
{
    [Fact]
    public void Minimal_request_validates()
    {
        var result = StackRequests.Minimal().Validate();

        Assert.True(result.IsSuccess, string.Join("\n", result.Errors));
    }

    [Fact]
    public void The_spec_has_the_blueprint_components_in_order_and_its_relations()
    {
        var spec = StackSpecs.Minimal();

        Assert.Equal("airbyte-prod", spec.Name);
        Assert.Equal("airbyte-prod", spec.Namespace);
        Assert.Equal("sandbox", spec.Cluster);
        Assert.Equal(BlueprintCatalog.CharmedAirbyteName, spec.Blueprint);
        Assert.Equal(BlueprintCatalog.CharmedAirbyte.Components.Select(c => (c.Name, c.Kind)), spec.Components.Select(c => (c.Name, c.Kind)));
        Assert.Equal(BlueprintCatalog.CharmedAirbyte.Relations, spec.Relations);
    }

    [Fact]
    public void The_spec_keeps_only_explicit_values_never_defaults()
    {
        var spec = StackSpecs.Minimal();

        Assert.Equal(["external-hostname"], spec.Component("airbyte").Config.Keys);
        Assert.Empty(spec.Component("temporal").Config);
        Assert.Empty(spec.Component("ingress").Config);
        Assert.Equal("512", spec.Component("temporal").Get(ComponentCatalog.Default.Get("temporal"), "num-history-shards"));
        Assert.Equal(StackRequests.ClientSecret, spec.Component("oauth2-proxy").Config["client-secret"]);
    }

    [Fact]
    public void The_spec_holds_normalised_values()
    {
        var request = StackRequests.Minimal()
            .With("airbyte", "external-hostname", " Airbyte.Bücher.Example. ")
            .With("airbyte", "log-level", "debug")
            .With("ingress", "proxy-read-timeout", "120")
            .With("ingress", "whitelist-source-range", "10.0.0.0/8, 2001:DB8::/32")
            .With("oauth2-proxy", "provider", "GitHub")
            .With("postgresql", "host", "[2001:db8::5]");

        var spec = ResultAssert.Success(request.Validate());

        Assert.Equal("airbyte.xn--bcher-kva.example", spec.Component("airbyte").Config["external-hostname"]);
        Assert.Equal("DEBUG", spec.Component("airbyte").Config["log-level"]);
        Assert.Equal("2m", spec.Component("ingress").Config["proxy-read-timeout"]);
        Assert.Equal("10.0.0.0/8,2001:db8::/32", spec.Component("ingress").Config["whitelist-source-range"]);
        Assert.Equal("github", spec.Component("oauth2-proxy").Config["provider"]);
        Assert.Equal("2001:db8::5", spec.Component("postgresql").Config["host"]);
    }

    [Fact]
    public void A_null_value_is_not_given_and_an_empty_list_is_kept()
    {
        var spec = ResultAssert.Success(StackRequests.Minimal()
            .With("airbyte", "replicas", null)
            .With("oauth2-proxy", "authenticated-emails-list", "ops@example.com")
            .With("oauth2-proxy", "email-domains", "")
            .Validate());

        Assert.False(spec.Component("airbyte").Config.ContainsKey("replicas"));
        Assert.Equal("", spec.Component("oauth2-proxy").Config["email-domains"]);
    }

    [Fact]
    public void The_namespace_may_differ_from_the_name() =>
        Assert.Equal("data", ResultAssert.Success((StackRequests.Minimal() with { Namespace = "data" }).Validate()).Namespace);

    [Theory]
    [InlineData(null, "stack name is needed")]
    [InlineData("", "stack name is needed")]
    [InlineData("Airbyte_Prod", "Try 'airbyte-prod'")]
    [InlineData("-prod", "start and end with a letter or digit")]
    [InlineData("airbyte.prod", "'.'")]
    public void Invalid_stack_names_are_reported(string? name, string fragment)
    {
        var result = (StackRequests.Minimal() with { Name = name, Namespace = "airbyte" }).Validate();
        var error = Assert.Single(ResultAssert.FailureAt(result, "name"));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_too_long_for_the_database_names_is_reported()
    {
        var ok = new string('a', 43);
        ResultAssert.Success((StackRequests.Minimal(ok) with { Namespace = "airbyte" }).Validate());

        var error = Assert.Single(ResultAssert.FailureAt((StackRequests.Minimal(ok + "b") with { Namespace = "airbyte" }).Validate(), "name"));
        Assert.Contains("would be 64 characters", error.Message, StringComparison.Ordinal);
        Assert.Contains("Use at most 43 characters", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Data", "'D'")]
    [InlineData("kube-system", "belongs to Kubernetes")]
    [InlineData("kube-public", "belongs to Kubernetes")]
    [InlineData("data_ns", "'_'")]
    public void Invalid_namespaces_are_reported(string @namespace, string fragment)
    {
        var error = Assert.Single(ResultAssert.FailureAt((StackRequests.Minimal() with { Namespace = @namespace }).Validate(), "namespace"));
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "A cluster is needed; the connected clusters are sandbox, staging.")]
    [InlineData("prod", "'prod' is not a known cluster; the connected clusters are sandbox, staging.")]
    [InlineData("sandbx", "'sandbx' is not a known cluster; did you mean sandbox?")]
    public void Unknown_clusters_are_reported(string? cluster, string message) =>
        Assert.Equal(message, Assert.Single(ResultAssert.FailureAt((StackRequests.Minimal() with { Cluster = cluster }).Validate(), "cluster")).Message);

    [Fact]
    public void Without_connected_clusters_the_message_says_so()
    {
        var result = StackValidator.Validate(StackRequests.Minimal(), ComponentCatalog.Default, [], StackRequests.Now);
        Assert.Contains("no cluster is connected", Assert.Single(ResultAssert.FailureAt(result, "cluster")).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "A blueprint is needed; the blueprints are charmed-airbyte.")]
    [InlineData("charmed-airbite", "'charmed-airbite' is not a blueprint; did you mean charmed-airbyte?")]
    [InlineData("kafka", "'kafka' is not a blueprint; the blueprints are charmed-airbyte.")]
    public void Unknown_blueprints_are_reported(string? blueprint, string message) =>
        Assert.Equal(message, Assert.Single(ResultAssert.FailureAt((StackRequests.Minimal() with { Blueprint = blueprint }).Validate(), "blueprint")).Message);

    [Fact]
    public void An_unknown_blueprint_still_reports_name_cluster_and_namespace_problems()
    {
        var request = StackRequests.Minimal() with { Blueprint = "kafka", Name = "Bad Name", Cluster = "nowhere", Namespace = "kube-system" };
        ResultAssert.FailureAt(request.Validate(), "blueprint", "name", "cluster", "namespace");
    }

    [Fact]
    public void An_unknown_component_is_reported_with_a_suggestion()
    {
        var result = StackRequests.Minimal().With("airbite", "replicas", "2").With("kafka", "x", "y").Validate();

        Assert.Equal("'airbite' is not a component of the charmed-airbyte blueprint; did you mean airbyte?",
            ResultAssert.ErrorAt(result, "airbite").Message);
        Assert.StartsWith("'kafka' is not a component of the charmed-airbyte blueprint; its components are airbyte, temporal,",
            result.Errors.Single(e => e.Path == "kafka").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_option_is_reported_with_a_suggestion()
    {
        var result = StackRequests.Minimal().With("airbyte", "externl-hostname", "x.example.com").With("airbyte", "colour", "blue").Validate();

        Assert.Equal("airbyte.externl-hostname is not an option of airbyte; did you mean external-hostname?",
            ResultAssert.ErrorAt(result, "airbyte.externl-hostname").Message);
        Assert.Equal("airbyte.colour is not an option of airbyte.", ResultAssert.ErrorAt(result, "airbyte.colour").Message);
    }

    [Theory]
    [InlineData("airbyte", "external-hostname", "airbyte")]
    [InlineData("airbyte", "replicas", "0")]
    [InlineData("airbyte", "log-level", "verbose")]
    [InlineData("airbyte", "job-main-container-cpu-limit", "2 cores")]
    [InlineData("temporal", "num-history-shards", "500")]
    [InlineData("temporal", "persistence-max-conn-time", "an hour")]
    [InlineData("airbyte-webhooks", "image", "Registry/App")]
    [InlineData("airbyte-webhooks", "path-prefix", "hooks")]
    [InlineData("airbyte-webhooks", "signature-header", "X Signature")]
    [InlineData("oauth2-proxy", "oidc-issuer-url", "http://issuer.example.com")]
    [InlineData("oauth2-proxy", "email-domains", "*, example.com")]
    [InlineData("oauth2-proxy", "authenticated-emails-list", "ops")]
    [InlineData("ingress", "whitelist-source-range", "10.0.0.5/8")]
    [InlineData("ingress", "ingress-class", "Nginx")]
    [InlineData("lego", "email", "ops@example")]
    [InlineData("lego", "server", "http://acme.example.com/dir")]
    [InlineData("lego", "acme-ca-certificates", "not pem")]
    [InlineData("minio", "storage-size", "10GB")]
    [InlineData("postgresql", "port", "70000")]
    [InlineData("postgresql", "host", "db host")]
    [InlineData("postgresql", "mode", "managed")]
    public void Every_option_is_parsed_by_its_type_and_reported_at_its_path(string component, string option, string value) =>
        ResultAssert.FailureAt(StackRequests.Minimal().With(component, option, value).Validate(), $"{component}.{option}");

    [Fact]
    public void The_ACME_server_message_names_the_ACME_server() =>
        Assert.StartsWith("The ACME server must use https",
            Assert.Single(ResultAssert.FailureAt(StackRequests.Minimal().With("lego", "server", "http://acme.example.com/dir").Validate(), "lego.server")).Message,
            StringComparison.Ordinal);

    [Theory]
    [InlineData("airbyte", "external-hostname")]
    [InlineData("airbyte-webhooks", "external-hostname")]
    [InlineData("airbyte-webhooks", "image")]
    [InlineData("oauth2-proxy", "provider")]
    [InlineData("oauth2-proxy", "client-id")]
    [InlineData("oauth2-proxy", "client-secret")]
    [InlineData("lego", "email")]
    [InlineData("postgresql", "mode")]
    [InlineData("postgresql", "host")]
    [InlineData("postgresql", "admin-username")]
    [InlineData("postgresql", "admin-password")]
    public void Each_option_of_the_minimal_config_is_required(string component, string option)
    {
        var error = Assert.Single(ResultAssert.FailureAt(StackRequests.Minimal().Without(component, option).Validate(), $"{component}.{option}"));
        Assert.Contains("is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_required_option_given_empty_is_required() =>
        Assert.Equal("client-id is required (OAuth client id registered at the identity provider).",
            Assert.Single(ResultAssert.FailureAt(StackRequests.Minimal().With("oauth2-proxy", "client-id", "  ").Validate(), "oauth2-proxy.client-id")).Message);

    [Fact]
    public void A_required_option_with_a_default_cannot_be_emptied() =>
        Assert.Equal("ingress-class cannot be empty; leave it out to use the default, nginx.",
            Assert.Single(ResultAssert.FailureAt(StackRequests.Minimal().With("ingress", "ingress-class", "").Validate(), "ingress.ingress-class")).Message);

    [Fact]
    public void The_external_database_options_are_required_only_in_external_mode()
    {
        var inCluster = StackRequests.Minimal()
            .With("postgresql", "mode", "in-cluster")
            .Without("postgresql", "host")
            .Without("postgresql", "admin-username")
            .Without("postgresql", "admin-password");
        ResultAssert.Success(inCluster.Validate());

        var external = StackRequests.Minimal().Without("postgresql", "host");
        Assert.Equal("host is required when 'mode' is 'external' (Hostname or IP address of the external server).",
            Assert.Single(ResultAssert.FailureAt(external.Validate(), "postgresql.host")).Message);
    }

    [Fact]
    public void The_OIDC_issuer_is_required_for_the_oidc_provider()
    {
        var oidc = StackRequests.Minimal().With("oauth2-proxy", "provider", "oidc");
        Assert.Contains("is required when 'provider' is 'oidc'",
            Assert.Single(ResultAssert.FailureAt(oidc.Validate(), "oauth2-proxy.oidc-issuer-url")).Message, StringComparison.Ordinal);

        ResultAssert.Success(oidc.With("oauth2-proxy", "oidc-issuer-url", "https://login.example.com/realms/main").Validate());
    }

    [Fact]
    public void A_condition_on_an_invalid_option_does_not_add_noise()
    {
        var result = StackRequests.Minimal().With("postgresql", "mode", "managed").Without("postgresql", "host").Validate();
        Assert.Equal(["postgresql.mode"], result.Errors.Select(e => e.Path));
    }

    [Fact]
    public void Every_problem_comes_back_at_once()
    {
        var request = (StackRequests.Minimal() with { Name = "Airbyte Prod", Cluster = "prod", Namespace = "kube-system" })
            .With("airbyte", "external-hostname", "airbyte")
            .With("airbyte", "externl-hostname", "x")
            .With("temporal", "num-history-shards", "500")
            .Without("lego", "email")
            .With("kafka", "brokers", "3")
            .WithRelations(StackRequests.BlueprintRelations().Where(r => r.Requirer != "airbyte:db").Append(new RelationRequest("airbyte", "postgresql:database")));

        var result = request.Validate();

        ResultAssert.FailureAt(result,
            "name", "cluster", "namespace", "airbyte.external-hostname", "airbyte.externl-hostname", "temporal.num-history-shards",
            "lego.email", "kafka", "relations[11]", "airbyte:db");
        Assert.Equal(result.Errors.Count, result.Errors.Distinct().Count());
    }

    [Fact]
    public void Secret_values_never_appear_in_any_message()
    {
        const string Secret = "Zx9-secret-VALUE-q7";
        var request = StackRequests.Minimal()
            .With("oauth2-proxy", "client-secret", Secret + "\u0007")
            .With("oauth2-proxy", "cookie-secret", Secret)
            .With("postgresql", "admin-password", Secret + "\n")
            .With("minio", "root-password", "Zx9")
            .With("lego", "eab-hmac", Secret)
            .With("lego", "plugin", "cloudflare")
            .With("lego", "plugin-credentials", Secret + "\nCF_DNS_API_TOKEN=" + Secret + "\u0001");

        var result = request.Validate();

        ResultAssert.FailureAt(result, "oauth2-proxy.client-secret", "oauth2-proxy.cookie-secret", "postgresql.admin-password",
            "minio.root-password", "lego.eab-kid", "lego.plugin-credentials");
        Assert.All(result.Errors, e =>
        {
            Assert.DoesNotContain("Zx9", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("VALUE", e.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Secret_values_in_a_valid_request_stay_out_of_a_stored_copy()
    {
        var stored = StackSpecs.Minimal().WithoutSecrets(ComponentCatalog.Default);
        Assert.False(stored.Component("oauth2-proxy").Config.ContainsKey("client-secret"));
        Assert.False(stored.Component("postgresql").Config.ContainsKey("admin-password"));
    }

    [Fact]
    public void Validation_is_fast_enough_to_run_on_every_keystroke()
    {
        var request = StackRequests.Minimal();
        request.Validate();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            Assert.True(request.Validate().IsSuccess);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"50 validations took {watch.Elapsed}.");
    }
}
