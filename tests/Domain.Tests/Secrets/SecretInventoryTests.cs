using System.Globalization;
using Portal.Domain.Catalog;
using Portal.Domain.Certificates;
using Portal.Domain.Secrets;
using Portal.Domain.Stacks;
using Portal.Domain.Tests.TestData;

namespace Portal.Domain.Tests.Secrets;

public sealed class SecretIdTests
{
    [Theory]
    [InlineData("oauth2-proxy.cookie-secret", "oauth2-proxy", "cookie-secret")]
    [InlineData("postgresql.airbyte-db", "postgresql", "airbyte-db")]
    [InlineData("minio.root-credentials", "minio", "root-credentials")]
    public void An_id_is_component_dot_secret_and_formats_back(string text, string component, string secret)
    {
        var id = SecretId.Parse(text).Value;
        Assert.Equal(new SecretId(component, secret), id);
        Assert.Equal(text, id.ToString());
    }

    [Theory]
    [InlineData("", "is not a secret id")]
    [InlineData("cookie-secret", "is not a secret id")]
    [InlineData("a.b.c", "is not a secret id")]
    [InlineData("OAuth.cookie", "is not a component name")]
    [InlineData("oauth2-proxy.Cookie_Secret", "is not a secret name")]
    [InlineData(" minio.root-credentials", "is not a component name")]
    public void A_bad_id_is_refused_on_the_secret_path(string text, string message)
    {
        var result = SecretId.Parse(text);
        Assert.False(result.IsSuccess);
        Assert.All(result.Errors, e => Assert.Equal("secret", e.Path));
        Assert.Contains(result.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Both_bad_halves_are_reported_at_once() =>
        Assert.Equal(2, SecretId.Parse("A.B").Errors.Count);
}

public sealed class RotationScheduleTests
{
    private static readonly DateTimeOffset Last = At("2026-01-31T10:00:00Z");

    [Theory]
    [InlineData("never", RotationPeriod.Never)]
    [InlineData("daily", RotationPeriod.Daily)]
    [InlineData(" Weekly ", RotationPeriod.Weekly)]
    [InlineData("MONTHLY", RotationPeriod.Monthly)]
    [InlineData("quarterly", RotationPeriod.Quarterly)]
    [InlineData("yearly", RotationPeriod.Yearly)]
    public void Policy_words_parse(string word, RotationPeriod period)
    {
        Assert.Equal(period, RotationSchedule.Parse(word).Value);
        Assert.Equal(word.Trim().ToLowerInvariant(), RotationSchedule.Word(period));
    }

    [Theory]
    [InlineData("hourly")]
    [InlineData("")]
    [InlineData(null)]
    public void Another_word_is_refused_on_the_policy_path_listing_the_allowed_ones(string? word)
    {
        var error = Assert.Single(RotationSchedule.Parse(word).Errors);
        Assert.Equal("policy", error.Path);
        Assert.Contains("never, daily, weekly, monthly, quarterly, yearly", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RotationPeriod.Daily, "", "2026-02-01T10:00:00Z")]
    [InlineData(RotationPeriod.Weekly, "", "2026-02-07T10:00:00Z")]
    [InlineData(RotationPeriod.Monthly, "", "2026-02-28T10:00:00Z")]
    [InlineData(RotationPeriod.Quarterly, "", "2026-04-30T10:00:00Z")]
    [InlineData(RotationPeriod.Yearly, "", "2027-01-31T10:00:00Z")]
    [InlineData(RotationPeriod.Daily, "02:00-04:00", "2026-02-02T02:00:00Z")]
    [InlineData(RotationPeriod.Daily, "09:00-11:00", "2026-02-01T10:00:00Z")]
    [InlineData(RotationPeriod.Weekly, "22:00-02:00", "2026-02-07T22:00:00Z")]
    public void The_next_rotation_is_the_period_after_the_last_moved_into_the_window(RotationPeriod period, string window, string next) =>
        Assert.Equal(At(next), RotationSchedule.Next(period, Last, Window(window)));

    [Fact]
    public void Never_has_no_next_rotation_and_is_never_overdue()
    {
        Assert.Null(RotationSchedule.Next(RotationPeriod.Never, Last, null));
        Assert.False(RotationSchedule.Overdue(RotationPeriod.Never, Last, null, Last.AddYears(10)));
    }

    [Theory]
    [InlineData("", "2026-02-01T10:59:00Z", false)]
    [InlineData("", "2026-02-01T11:00:00Z", true)]
    [InlineData("02:00-04:00", "2026-02-02T03:59:00Z", false)]
    [InlineData("02:00-04:00", "2026-02-02T04:00:00Z", true)]
    [InlineData("22:00-02:00", "2026-02-02T01:59:00Z", false)]
    [InlineData("22:00-02:00", "2026-02-02T02:00:00Z", true)]
    public void A_daily_rotation_is_overdue_once_its_window_closed_without_it(string window, string now, bool overdue) =>
        Assert.Equal(overdue, RotationSchedule.Overdue(RotationPeriod.Daily, Last, Window(window), At(now)));

    private static MaintenanceWindow? Window(string text) => text.Length == 0 ? null : MaintenanceWindow.Parse(text).Value;

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
}

public sealed class SecretInventoryTests
{
    [Fact]
    public void The_blueprint_with_an_external_database_owns_these_secrets()
    {
        var inventory = SecretInventory.Of(StackSpecs.Minimal(), ComponentCatalog.Default);
        Assert.Equal(
            [
                "airbyte-webhooks.signing-secret -> airbyte-webhooks-secrets/signing-secret",
                "airbyte.airbyte-auth-secrets -> airbyte-auth-secrets",
                "lego.acme-account-key -> lego-acme-account/account.key",
                "minio.root-credentials -> minio-secrets",
                "oauth2-proxy.client-secret -> oauth2-proxy-secrets/client-secret",
                "oauth2-proxy.cookie-secret -> oauth2-proxy-secrets/cookie-secret",
                "postgresql.admin-credentials -> postgresql-secrets/admin-password",
                "postgresql.airbyte-db -> airbyte-db-relation/password",
                "postgresql.temporal-db -> temporal-db-relation/password",
                "postgresql.temporal-visibility -> temporal-visibility-relation/password",
            ],
            inventory.Select(s => $"{s.Id} -> {s.Location}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("postgresql.admin-credentials", "Read-only")]
    [InlineData("postgresql.airbyte-db", null)]
    [InlineData("oauth2-proxy.client-secret", null)]
    public void Only_what_the_portal_cannot_change_is_not_rotatable(string id, string? reason)
    {
        var secret = SecretInventory.Of(StackSpecs.Minimal(), ComponentCatalog.Default).Single(s => s.Id.ToString() == id);
        if (reason is null)
        {
            Assert.Null(secret.NotRotatable);
        }
        else
        {
            Assert.StartsWith(reason, secret.NotRotatable, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_in_cluster_database_has_a_superuser_password_and_no_admin_credentials_and_minio_copies_go_to_its_relation()
    {
        var spec = Spec(c => c["postgresql"] = new() { ["mode"] = "in-cluster" });
        var ids = SecretInventory.Of(spec, ComponentCatalog.Default).ToDictionary(s => s.Id.ToString());
        Assert.Contains("postgresql.superuser-password", ids.Keys);
        Assert.DoesNotContain("postgresql.admin-credentials", ids.Keys);
        Assert.Equal(["airbyte-object-storage-relation"], ids["minio.root-credentials"].Copies);
    }

    [Theory]
    [InlineData("internal-ca", "http-01", "", new string[0])]
    [InlineData("acme", "http-01", "", new[] { "acme-account-key" })]
    [InlineData("acme", "cloudflare", "kid-1", new[] { "acme-account-key", "eab-hmac", "plugin-credentials" })]
    public void Lego_owns_account_key_dns_credentials_and_eab_key_only_when_it_uses_them(string issuer, string plugin, string kid, string[] expected)
    {
        var spec = Spec(c => c["lego"] = new() { ["email"] = "ops@example.com", ["issuer"] = issuer, ["plugin"] = plugin, ["eab-kid"] = kid });
        Assert.Equal(expected, SecretInventory.Of(spec, ComponentCatalog.Default).Where(s => s.Owner == "lego").Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("02:00-04:00", "02:00-04:00 UTC")]
    [InlineData("", "any time")]
    public void The_stack_window_is_legos_maintenance_window(string option, string text)
    {
        var spec = Spec(c => c["lego"] = new() { ["email"] = "ops@example.com", ["maintenance-window"] = option });
        Assert.Equal(text, SecretInventory.WindowText(SecretInventory.WindowOf(spec, ComponentCatalog.Default)));
    }

    private static StackSpec Spec(Action<Dictionary<string, Dictionary<string, string>>> configure)
    {
        var spec = StackSpecs.Minimal();
        var config = spec.Components.ToDictionary(c => c.Name, c => c.Config.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        configure(config);
        return spec with { Components = spec.Components.Select(c => c with { Config = config[c.Name] }).ToList() };
    }
}

public sealed class BlastRadiusTests
{
    private static readonly IReadOnlyList<StackSecret> Inventory = SecretInventory.Of(StackSpecs.Minimal(), ComponentCatalog.Default);

    // What the renderer wires (the ledger annotations of a deployed blueprint).
    private static readonly WorkloadSecretUse[] Uses =
    [
        new("airbyte-server", "airbyte", ["airbyte-db-relation", "airbyte-object-storage-relation", "airbyte-temporal-relation"]),
        new("airbyte-worker", "airbyte", ["airbyte-auth-secrets", "airbyte-db-relation", "airbyte-object-storage-relation"]),
        new("airbyte-webapp", "airbyte", []),
        new("minio", "minio", ["minio-secrets"]),
        new("oauth2-proxy", "oauth2-proxy", ["oauth2-proxy-secrets"]),
        new("temporal", "temporal", ["temporal-db-relation", "temporal-visibility-relation"]),
        new("temporal-admin", "temporal-admin", ["temporal-db-relation", "temporal-visibility-relation"]),
    ];

    [Theory]
    [InlineData("minio.root-credentials", "minio,airbyte-server,airbyte-worker")]
    [InlineData("postgresql.airbyte-db", "airbyte-server,airbyte-worker")]
    [InlineData("postgresql.temporal-visibility", "temporal,temporal-admin")]
    [InlineData("oauth2-proxy.cookie-secret", "oauth2-proxy")]
    [InlineData("airbyte.airbyte-auth-secrets", "airbyte-server,airbyte-webapp,airbyte-worker")]
    [InlineData("lego.acme-account-key", "")]
    public void Restarts_are_the_owners_workloads_first_then_the_consumers(string id, string order)
    {
        var restarts = BlastRadius.Restarts(Secret(id), Uses);
        Assert.Equal(order, string.Join(",", restarts.Select(r => r.Workload)));
        Assert.Equal(Enumerable.Range(1, restarts.Count), restarts.Select(r => r.Order));
    }

    [Fact]
    public void Minio_consumers_restart_because_they_load_the_relation_copy()
    {
        var restarts = BlastRadius.Restarts(Secret("minio.root-credentials"), Uses);
        Assert.Equal("loads minio-secrets", restarts[0].Why);
        Assert.Equal("loads airbyte-object-storage-relation", restarts[1].Why);
    }

    [Fact]
    public void The_steps_of_a_database_password_say_alter_role_revisions_restarts_and_roll_back()
    {
        var secret = Secret("postgresql.airbyte-db");
        var steps = BlastRadius.Steps(secret, 3, BlastRadius.Restarts(secret, Uses));
        Assert.Contains("ALTER ROLE", steps[0], StringComparison.Ordinal);
        Assert.Equal("Write it as revision 4 of Secret airbyte-db-relation; revision 3 is kept.", steps[1]);
        Assert.StartsWith("Restart airbyte-server (loads airbyte-db-relation)", steps[2], StringComparison.Ordinal);
        Assert.Equal("If a health check fails, set the old password again and put revision 3 back.", steps[^1]);
    }

    [Fact]
    public void The_webhook_secret_keeps_the_old_one_valid_and_drops_it_after_the_grace_period()
    {
        var secret = Secret("airbyte-webhooks.signing-secret");
        var steps = BlastRadius.Steps(secret, 1, []);
        Assert.Contains(steps, s => s.Contains("stays valid", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.Contains("drop the old secret", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.StartsWith("Nothing restarts", StringComparison.Ordinal));
    }

    [Fact]
    public void The_user_impact_comes_from_the_catalog() =>
        Assert.Equal("Everyone is signed out and must sign in again.", Secret("oauth2-proxy.cookie-secret").Definition.UserImpact);

    private static StackSecret Secret(string id) => Inventory.Single(s => s.Id.ToString() == id);
}

public sealed class SecretLedgerTests
{
    [Fact]
    public void Workloads_whose_pods_loaded_an_older_revision_are_stale_with_their_pods()
    {
        var live = new Dictionary<string, int>(StringComparer.Ordinal) { ["airbyte-db-relation"] = 3 };
        PodSecretLoad[] pods =
        [
            new("airbyte-server", "airbyte-server-b", new Dictionary<string, int> { ["airbyte-db-relation"] = 2 }),
            new("airbyte-server", "airbyte-server-a", new Dictionary<string, int> { ["airbyte-db-relation"] = 1 }),
            new("airbyte-worker", "airbyte-worker-a", new Dictionary<string, int> { ["airbyte-db-relation"] = 3 }),
            new("minio", "minio-0", new Dictionary<string, int> { ["minio-secrets"] = 1 }),
        ];

        var stale = Assert.Single(SecretLedger.Stale(live, pods));
        Assert.Equal("airbyte-server", stale.Workload);
        Assert.Equal(1, stale.LoadedRevision);
        Assert.Equal(["airbyte-server-a", "airbyte-server-b"], stale.Pods);
    }

    [Fact]
    public void Nothing_is_stale_when_every_pod_runs_the_live_revision() =>
        Assert.Empty(SecretLedger.Stale(
            new Dictionary<string, int> { ["oauth2-proxy-secrets"] = 2 },
            [new PodSecretLoad("oauth2-proxy", "oauth2-proxy-x", new Dictionary<string, int> { ["oauth2-proxy-secrets"] = 2 })]));
}
