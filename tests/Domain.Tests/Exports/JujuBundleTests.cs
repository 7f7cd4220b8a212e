using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Exports;
using Portal.Domain.Tests.Plans;

namespace Portal.Domain.Tests.Exports;

public sealed class JujuBundleTests
{
    private static readonly ComponentCatalog Catalog = ComponentCatalog.Default;

    private static string[] Lines(string yaml) => yaml.Split('\n');

    /// <summary>The lines of one application's block (from its name to the next application).</summary>
    private static string[] Application(string yaml, string name) =>
        [.. Lines(yaml).SkipWhile(l => l != $"  {name}:").Skip(1).TakeWhile(l => l.StartsWith("    ", StringComparison.Ordinal) || l.StartsWith("  #", StringComparison.Ordinal))];

    [Fact]
    public void Every_component_but_an_external_database_is_an_application_with_its_charm_and_every_relation_is_listed()
    {
        var spec = TestStacks.CharmedAirbyte();
        var yaml = JujuBundle.Render(spec, Catalog);

        Assert.Contains("bundle: kubernetes", Lines(yaml));
        foreach (var component in spec.Components.Where(c => c.Name != "postgresql"))
        {
            var block = Application(yaml, component.Name);
            Assert.Contains($"    charm: \"{JujuCharms.For(component.Kind).Charm}\"", block);
        }

        foreach (var relation in BlueprintCatalog.CharmedAirbyte.Relations)
        {
            Assert.Contains($"  - [\"{relation.Requirer}\", \"{relation.Provider}\"]", Lines(yaml));
        }

        Assert.Equal(BlueprintCatalog.CharmedAirbyte.Relations.Count, Lines(yaml).Count(l => l.StartsWith("  - [", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_external_postgresql_is_a_consumed_offer_and_an_in_cluster_one_is_postgresql_k8s()
    {
        var external = JujuBundle.Render(TestStacks.CharmedAirbyte(), Catalog);
        Assert.Contains("saas:", Lines(external));
        Assert.Contains("  postgresql:", Lines(external).TakeWhile(l => l != "applications:"));
        Assert.DoesNotContain("  postgresql:", Lines(external).SkipWhile(l => l != "applications:"));
        Assert.Contains(Lines(external), l => l.Contains("db.example.com:5432", StringComparison.Ordinal));

        var inCluster = JujuBundle.Render(TestStacks.CharmedAirbyte().With("postgresql", "mode", "in-cluster"), Catalog);
        Assert.DoesNotContain("saas:", Lines(inCluster));
        Assert.Contains("    charm: \"postgresql-k8s\"", Application(inCluster, "postgresql"));
        Assert.Contains("    trust: true", Application(inCluster, "postgresql"));
    }

    [Fact]
    public void Only_the_operators_charm_options_are_written_never_a_secret_and_replicas_become_the_scale()
    {
        var spec = TestStacks.CharmedAirbyte()
            .With("oauth2-proxy", "cookie-secret", "0123456789abcdef0123456789abcdef")
            .With("airbyte", "replicas", "3")
            .With("airbyte", "log-level", "DEBUG")
            .With("lego", "maintenance-window", "02:00-04:00");
        var yaml = JujuBundle.Render(spec, Catalog);

        Assert.DoesNotContain("not-a-real-secret", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-real-password", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef", yaml, StringComparison.Ordinal);
        var proxy = Application(yaml, "oauth2-proxy");
        Assert.Contains("      client-id: \"portal\"", proxy);
        Assert.Contains(proxy, l => l.StartsWith("    # secret options to set: ", StringComparison.Ordinal) && l.Contains("client-secret", StringComparison.Ordinal));

        var airbyte = Application(yaml, "airbyte");
        Assert.Contains("    scale: 3", airbyte);
        Assert.Contains("      log-level: \"DEBUG\"", airbyte);
        Assert.DoesNotContain(airbyte, l => l.Contains("replicas", StringComparison.Ordinal));
        Assert.DoesNotContain(Application(yaml, "lego"), l => l.Contains("maintenance-window", StringComparison.Ordinal));
        Assert.Contains("    scale: 1", Application(yaml, "temporal"));
    }

    [Fact]
    public void The_webhooks_image_is_an_oci_resource_of_a_local_charm()
    {
        var block = Application(JujuBundle.Render(TestStacks.CharmedAirbyte(), Catalog), "airbyte-webhooks");

        Assert.Contains("      airbyte-webhooks-image: \"registry.example.com/airbyte-webhooks:1.0\"", block);
        Assert.DoesNotContain(block, l => l.StartsWith("    channel:", StringComparison.Ordinal));
        Assert.DoesNotContain(block, l => l.StartsWith("      image:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("line\nbreak: true", "\"line\\nbreak: true\"")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("back\\slash\u0001", "\"back\\\\slash\\u0001\"")]
    public void Values_stay_one_quoted_string_whatever_they_hold(string value, string written)
    {
        var yaml = JujuBundle.Render(TestStacks.CharmedAirbyte().With("temporal", "log-level", value), Catalog);

        Assert.Contains($"      log-level: {written}", Application(yaml, "temporal"));
    }

    [Fact]
    public void Every_kind_of_the_catalog_has_a_charm() =>
        Assert.All(Catalog.Kinds, kind => Assert.False(string.IsNullOrEmpty(JujuCharms.For(kind.Name).Charm)));
}
