using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Status;

namespace Portal.Domain.Tests.Catalog;

public class ComponentCatalogTests
{
    private static readonly ComponentCatalog Catalog = ComponentCatalog.Default;

    [Fact]
    public void Catalog_has_the_nine_kinds_of_the_spec()
    {
        Assert.Equal(
            ["airbyte", "airbyte-webhooks", "lego", "minio", "nginx-ingress", "oauth2-proxy", "postgresql", "temporal", "temporal-admin"],
            Catalog.Kinds.Select(k => k.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("airbyte", "db", EndpointRole.Requires, "postgresql_client", true)]
    [InlineData("airbyte", "object-storage", EndpointRole.Requires, "object-storage", true)]
    [InlineData("airbyte", "temporal", EndpointRole.Requires, "temporal-host-info", true)]
    [InlineData("airbyte", "nginx-route", EndpointRole.Requires, "nginx-route", false)]
    [InlineData("airbyte", "upstream", EndpointRole.Provides, "http-upstream", false)]
    [InlineData("temporal", "db", EndpointRole.Requires, "postgresql_client", true)]
    [InlineData("temporal", "visibility", EndpointRole.Requires, "postgresql_client", true)]
    [InlineData("temporal", "admin", EndpointRole.Requires, "temporal", true)]
    [InlineData("temporal", "temporal-host-info", EndpointRole.Provides, "temporal-host-info", false)]
    [InlineData("temporal-admin", "admin", EndpointRole.Provides, "temporal", false)]
    [InlineData("airbyte-webhooks", "temporal", EndpointRole.Requires, "temporal-host-info", true)]
    [InlineData("airbyte-webhooks", "nginx-route", EndpointRole.Requires, "nginx-route", true)]
    [InlineData("oauth2-proxy", "upstream", EndpointRole.Requires, "http-upstream", true)]
    [InlineData("oauth2-proxy", "nginx-route", EndpointRole.Requires, "nginx-route", true)]
    [InlineData("nginx-ingress", "nginx-route", EndpointRole.Provides, "nginx-route", false)]
    [InlineData("nginx-ingress", "certificates", EndpointRole.Requires, "tls-certificates", false)]
    [InlineData("lego", "certificates", EndpointRole.Provides, "tls-certificates", false)]
    [InlineData("minio", "object-storage", EndpointRole.Provides, "object-storage", false)]
    [InlineData("postgresql", "database", EndpointRole.Provides, "postgresql_client", false)]
    public void Endpoints_match_the_spec(string kind, string endpoint, EndpointRole role, string @interface, bool required)
    {
        var definition = Catalog.Get(kind).FindEndpoint(endpoint);

        Assert.NotNull(definition);
        Assert.Equal(role, definition.Role);
        Assert.Equal(@interface, definition.Interface);
        Assert.Equal(required, definition.Required);
    }

    [Fact]
    public void Nginx_ingress_carries_several_routes()
    {
        Assert.Null(Catalog.Get("nginx-ingress").FindEndpoint("nginx-route")!.Limit);
    }

    [Fact]
    public void Every_required_endpoint_says_what_it_shows_while_missing()
    {
        var silent = Catalog.Kinds
            .SelectMany(k => k.Endpoints.Where(e => e.Required && string.IsNullOrWhiteSpace(e.MissingMessage)).Select(e => $"{k.Name}:{e.Name}"));

        Assert.Empty(silent);
    }

    [Theory]
    [InlineData("airbyte", "server", "airbyte/server", 8001, "/api/v1/health")]
    [InlineData("airbyte", "worker", "airbyte/worker", 9000, "/")]
    [InlineData("airbyte", "workload-api-server", "airbyte/workload-api-server", 8007, "/health/liveness")]
    [InlineData("airbyte", "workload-launcher", "airbyte/workload-launcher", 8016, "/health/readiness")]
    [InlineData("airbyte", "connector-builder-server", "airbyte/connector-builder-server", 8080, "/v1/health")]
    [InlineData("airbyte", "webapp", "airbyte/webapp", 8080, "/index.html")]
    [InlineData("oauth2-proxy", "", "quay.io/oauth2-proxy/oauth2-proxy", 4180, "/ready")]
    [InlineData("minio", "", "minio/minio", 9000, "/minio/health/ready")]
    public void Workloads_run_the_spec_images_with_their_readiness_probe(string kind, string workload, string image, int port, string readinessPath)
    {
        var container = Catalog.Get(kind).Workloads.Single(w => w.Name == workload).Containers[0];

        Assert.Equal(image, container.Image);
        var readiness = container.Probes.Single(p => p.Kind == ProbeKind.Readiness);
        Assert.Equal(port, readiness.Port);
        Assert.Equal(readinessPath, readiness.Path);
        Assert.Contains(container.Ports, p => p.ContainerPort == port);
    }

    [Fact]
    public void Airbyte_web_app_and_connector_builder_are_served_on_port_80()
    {
        var airbyte = Catalog.Get("airbyte");

        foreach (var name in new[] { "webapp", "connector-builder-server" })
        {
            var port = airbyte.Workloads.Single(w => w.Name == name).Containers[0].Ports.Single();
            Assert.Equal(8080, port.ContainerPort);
            Assert.Equal(80, port.EffectiveServicePort);
        }
    }

    [Fact]
    public void Airbyte_bootloader_is_a_job()
    {
        Assert.Equal(WorkloadType.Job, Catalog.Get("airbyte").Workloads.Single(w => w.Name == "bootloader").Type);
    }

    [Fact]
    public void Temporal_exposes_all_its_service_ports()
    {
        var ports = Catalog.Get("temporal").Workloads.Single().Containers.Single().Ports.Select(p => p.ContainerPort);

        Assert.Equal([7233, 7236, 7234, 7235, 7239, 9090], ports);
    }

    [Fact]
    public void Minio_is_a_stateful_set_with_a_data_volume()
    {
        var minio = Catalog.Get("minio").Workloads.Single(w => w.Name.Length == 0);

        Assert.Equal(WorkloadType.StatefulSet, minio.Type);
        Assert.Equal("/data", minio.Volume!.MountPath);
    }

    [Fact]
    public void Kinds_without_a_workload_are_the_ingress_and_lego()
    {
        Assert.Equal(["lego", "nginx-ingress"], Catalog.Kinds.Where(k => k.Workloads.Count == 0).Select(k => k.Name).Order(StringComparer.Ordinal));
    }

    // COMPONENTS.md §1: "The least configuration an operator must give". Everything else has a default or is generated.
    [Theory]
    [InlineData("airbyte", "external-hostname")]
    [InlineData("airbyte-webhooks", "external-hostname,image")]
    [InlineData("oauth2-proxy", "provider,client-id,client-secret")]
    [InlineData("lego", "email")]
    [InlineData("postgresql", "mode")]
    [InlineData("temporal", "")]
    [InlineData("temporal-admin", "")]
    [InlineData("minio", "")]
    [InlineData("nginx-ingress", "")]
    public void Only_the_least_configuration_of_the_spec_is_required_without_a_default(string kind, string options)
    {
        var mustGive = Catalog.Get(kind).Options
            .Where(o => o.Required && o.Default is null && !o.Generated)
            .Select(o => o.Name)
            .Order(StringComparer.Ordinal);

        Assert.Equal(options.Split(',', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal), mustGive);
    }

    [Fact]
    public void External_postgresql_needs_host_and_admin_credentials()
    {
        var postgresql = Catalog.Get("postgresql");

        foreach (var name in new[] { "host", "admin-username", "admin-password" })
        {
            var condition = postgresql.FindOption(name)!.RequiredWhen;
            Assert.NotNull(condition);
            Assert.Equal("mode", condition.Option);
            Assert.Equal(["external"], condition.Values);
        }
    }

    [Fact]
    public void Num_history_shards_is_a_power_of_two_fixed_after_the_first_deploy()
    {
        var option = Catalog.Get("temporal").FindOption("num-history-shards")!;

        Assert.True(option.PowerOfTwo);
        Assert.True(option.ImmutableAfterDeploy);
        Assert.Equal(OptionType.Integer, option.Type);
    }

    [Fact]
    public void Acme_server_must_be_https_and_defaults_to_lets_encrypt()
    {
        var option = Catalog.Get("lego").FindOption("server")!;

        Assert.True(option.HttpsOnly);
        Assert.StartsWith("https://acme-v02.api.letsencrypt.org/", option.Default, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("oauth2-proxy", "client-secret")]
    [InlineData("oauth2-proxy", "cookie-secret")]
    [InlineData("postgresql", "admin-password")]
    [InlineData("minio", "root-password")]
    [InlineData("lego", "eab-hmac")]
    [InlineData("lego", "plugin-credentials")]
    public void Credentials_are_secret_options(string kind, string option)
    {
        Assert.True(Catalog.Get(kind).FindOption(option)!.Secret);
    }

    [Fact]
    public void Secret_options_have_no_default_value()
    {
        var withDefault = Catalog.Kinds.SelectMany(k => k.Options.Where(o => o.Secret && !string.IsNullOrEmpty(o.Default)).Select(o => $"{k.Name}.{o.Name}"));

        Assert.Empty(withDefault);
    }

    [Fact]
    public void Cookie_secret_is_generated_with_16_24_or_32_bytes_and_signs_everyone_out_on_rotation()
    {
        var proxy = Catalog.Get("oauth2-proxy");

        Assert.True(proxy.FindOption("cookie-secret")!.Generated);
        Assert.Equal([16, 24, 32], proxy.FindOption("cookie-secret")!.AllowedByteLengths);
        Assert.Contains("signed out", proxy.FindSecret("cookie-secret")!.UserImpact, StringComparison.Ordinal);
    }

    [Fact]
    public void Webhook_signing_secret_stays_valid_during_a_grace_period()
    {
        Assert.Equal(RotationStrategy.DualValidity, Catalog.Get("airbyte-webhooks").FindSecret("signing-secret")!.Rotation);
    }

    [Fact]
    public void Database_relation_passwords_rotate_through_the_database()
    {
        var secret = Catalog.Get("postgresql").FindSecret("relation-password")!;

        Assert.Equal(SecretSource.Relation, secret.Source);
        Assert.Equal(RotationStrategy.DatabasePassword, secret.Rotation);
        Assert.Equal(RotationStrategy.None, Catalog.Get("postgresql").FindSecret("admin-credentials")!.Rotation);
    }

    [Theory]
    [InlineData("airbyte", ComponentStatus.Blocked, "database relation not ready")]
    [InlineData("airbyte", ComponentStatus.Blocked, "minio relation not ready")]
    [InlineData("airbyte", ComponentStatus.Waiting, "waiting for airbyte-auth-secrets")]
    [InlineData("temporal", ComponentStatus.Blocked, "admin:temporal relation: schema is not ready")]
    [InlineData("temporal-admin", ComponentStatus.Blocked, "admin:temporal relation: database connections info not available")]
    [InlineData("airbyte-webhooks", ComponentStatus.Blocked, "image not set")]
    [InlineData("oauth2-proxy", ComponentStatus.Blocked, "missing upstream")]
    [InlineData("nginx-ingress", ComponentStatus.Waiting, "waiting for ingress address")]
    [InlineData("lego", ComponentStatus.Blocked, "email address was not provided")]
    public void Kinds_list_the_status_messages_of_the_spec(string kind, ComponentStatus status, string message)
    {
        Assert.Contains(Catalog.Get(kind).StatusMessages, m => m.Status == status && m.Message == message);
    }

    [Fact]
    public void Option_names_are_kebab_case_and_unique_per_kind()
    {
        foreach (var kind in Catalog.Kinds)
        {
            var names = kind.Options.Select(o => o.Name).ToList();
            Assert.Equal(names.Count, names.Distinct().Count());
            Assert.All(names, name => Assert.Matches("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", name));
        }
    }

    [Fact]
    public void Enum_options_have_their_default_among_the_allowed_values()
    {
        foreach (var option in Catalog.Kinds.SelectMany(k => k.Options).Where(o => o.Type == OptionType.Enum))
        {
            Assert.NotEmpty(option.AllowedValues);
            Assert.True(option.Default is null || option.AllowedValues.Contains(option.Default), $"{option.Name} default {option.Default}");
        }
    }

    [Fact]
    public void Unknown_kind_is_not_found()
    {
        Assert.False(Catalog.TryGet("airbyte-k8s", out _));
        Assert.Throws<KeyNotFoundException>(() => Catalog.Get("airbyte-k8s"));
    }

    [Fact]
    public void Blueprint_catalog_finds_charmed_airbyte_by_name()
    {
        Assert.True(BlueprintCatalog.TryGet("charmed-airbyte", out var blueprint));
        Assert.Same(BlueprintCatalog.CharmedAirbyte, blueprint);
        Assert.False(BlueprintCatalog.TryGet("kubeflow", out _));
    }
}
