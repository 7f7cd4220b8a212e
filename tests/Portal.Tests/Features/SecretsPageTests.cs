using AngleSharp.Dom;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Domain.Access;
using Portal.Features.Secrets;
using Portal.Features.Topology;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Stacks;
using Portal.Shared;
using Portal.Shared.Status;
using Portal.Tests.Fakes;
using static Portal.Tests.Fakes.SecretWorld;

namespace Portal.Tests.Features;

/// <summary>A stack's secrets: every fact of a secret but its value, the ledger's stale workloads, overdue rotations, the policy
/// select and its errors, which writes a secret offers to whom, the periodic refresh and a cluster that does not answer.</summary>
public class SecretsPageTests : PortalTestContext
{
    public SecretsPageTests()
    {
        Secrets.Stacks["prod"] = ServiceResult<StackSecretInventory>.Ok(Inventory());
        SignInAs("olga", PortalRole.Operator);
    }

    private IRenderedComponent<SecretsPage> RenderPage() => Render<SecretsPage>(p => p.Add(x => x.Name, "prod"));

    private static IElement Card(IRenderedComponent<SecretsPage> page, string id) => page.Find($"[data-testid=secret][data-secret='{id}']");

    private static string Text(IElement card, string testId) => card.QuerySelector($"[data-testid={testId}]")!.TextContent.Trim();

    [Fact]
    public void Each_secret_is_a_card_with_every_fact_but_its_value()
    {
        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Equal([Database, Cookie, Client, External], page.FindAll("[data-testid=secret]").Select(s => s.GetAttribute("data-secret"))));
        Assert.Equal("Scheduled rotations run inside the stack's maintenance window, 02:00-04:00 UTC; a rotation started here runs now.",
            page.Find("[data-testid=maintenance-window]").TextContent.Trim());
        var card = Card(page, Database);
        Assert.Equal("Airbyte database password", card.QuerySelector(".secret-name")!.TextContent.Trim());
        Assert.Equal(Database, Text(card, "secret-id"));
        Assert.Equal("The password Airbyte's server and workers use to reach its PostgreSQL database.", Text(card, "description"));
        Assert.Equal("postgresql", Text(card, "owner"));
        Assert.Equal(["airbyte-server", "airbyte-worker"], card.QuerySelectorAll("[data-testid=consumers] .consumer").Select(c => c.TextContent));
        Assert.Equal("airbyte-db-relation/password", Text(card, "kubernetes-secret"));
        Assert.Equal("relation", Text(card, "source"));
        Assert.Equal("database-password", Text(card, "rotation"));
        Assert.Equal("4", Text(card, "live-revision"));
        Assert.Equal("· kept: 3, 2, 1", Text(card, "kept-revisions"));
        Assert.Equal("9f86d081884c", Text(card, "fingerprint"));
        Assert.Contains("mono", card.QuerySelector("[data-testid=fingerprint] span")!.ClassList);
        Assert.Equal(TimeFormat.Utc(Now - TimeSpan.FromDays(200)), Text(card, "created"));
        var rotated = Text(card, "last-rotated");
        Assert.Contains("3d ago", rotated, StringComparison.Ordinal);
        Assert.Equal("olga", Text(card, "last-rotated-by"));
        Assert.Equal("quarterly", card.QuerySelector("[data-testid=policy]")!.GetAttribute("data-policy"));
        Assert.Contains($"{TimeFormat.Utc(Now + TimeSpan.FromDays(87))} (in 87d)", Text(card, "next-rotation"), StringComparison.Ordinal);
        Assert.Equal("A short reconnect to the database.", Text(card, "user-impact"));
        Assert.Empty(card.QuerySelectorAll("[data-testid=overdue]"));
        Assert.Empty(card.QuerySelectorAll("[data-testid=not-rotatable]"));

        var client = Card(page, Client);
        Assert.Equal("never rotated", Text(client, "last-rotated"));
        Assert.Equal("not scheduled: the policy is never", Text(client, "next-rotation"));
        Assert.Empty(client.QuerySelectorAll("[data-testid=kept-revisions]"));
        Assert.Equal("no workload loads it", Text(Card(page, External), "consumers"));
    }

    [Fact]
    public void Workloads_on_an_older_revision_are_flagged_on_the_secret_and_in_a_banner()
    {
        var page = RenderPage();

        var banner = page.WaitForElement("[data-testid=stale-banner]");
        Assert.Contains("1 workload still runs an older revision of a secret.", banner.TextContent, StringComparison.Ordinal);
        Assert.Equal($"{Database} (live revision 4): 2 pods of airbyte-server still on revision 3", Assert.Single(page.FindAll("[data-testid=stale-banner-item]")).TextContent.Trim());
        var chip = Assert.Single(Card(page, Database).QuerySelectorAll("[data-testid=stale]"));
        Assert.Equal("2 pods of airbyte-server still on revision 3", chip.TextContent.Trim());
        Assert.Equal("airbyte-server", chip.GetAttribute("data-workload"));
        Assert.Contains("mud-chip-color-warning", chip.ClassName, StringComparison.Ordinal);
        Assert.Empty(Card(page, Cookie).QuerySelectorAll("[data-testid=stale]"));
    }

    [Fact]
    public void No_banner_when_every_workload_runs_the_live_revision()
    {
        Secrets.Stacks["prod"] = ServiceResult<StackSecretInventory>.Ok(Inventory("prod", DatabaseSecret() with { Stale = [] }, CookieSecret()));

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=secret]").Count));
        Assert.Empty(page.FindAll("[data-testid=stale-banner]"));
        Assert.Empty(page.FindAll("[data-testid=stale]"));
    }

    [Fact]
    public void An_overdue_rotation_has_a_chip_and_its_due_date_in_the_past()
    {
        var page = RenderPage();

        var cookie = page.WaitForElement($"[data-testid=secret][data-secret='{Cookie}']");
        Assert.Equal("overdue", Text(cookie, "overdue"));
        Assert.Contains("due 10d ago", Text(cookie, "next-rotation"), StringComparison.Ordinal);
        Assert.Equal("the portal", Text(cookie, "last-rotated-by"));
        Assert.Single(page.FindAll("[data-testid=overdue]"));
    }

    [Fact]
    public void The_policy_says_whether_the_scheduler_rotates_the_secret_or_the_operator_must()
    {
        const string Automatic = "Rotated automatically by the scheduler when due, in the maintenance window (daily 02:00–04:00 UTC), when no other operation runs on the stack.";
        const string Manual = "Overdue, and not rotated automatically: its value comes from outside the portal, so the operator rotates it with the new value.";
        Secrets.Stacks["prod"] = ServiceResult<StackSecretInventory>.Ok(Inventory(
            "prod", CookieSecret() with { PolicyNote = Automatic }, ClientSecret() with { PolicyNote = Manual }, DatabaseSecret()));

        var page = RenderPage();

        Assert.Equal(Automatic, Text(page.WaitForElement($"[data-testid=secret][data-secret='{Cookie}']"), "policy-note"));
        Assert.Equal(Manual, Text(page.Find($"[data-testid=secret][data-secret='{Client}']"), "policy-note"));
        Assert.Empty(page.Find($"[data-testid=secret][data-secret='{Database}']").QuerySelectorAll("[data-testid=policy-note]"));
    }

    [Fact]
    public void A_secret_the_portal_cannot_rotate_says_why_and_offers_no_write()
    {
        var page = RenderPage();

        var external = page.WaitForElement($"[data-testid=secret][data-secret='{External}']");
        Assert.Equal($"Not rotated by the portal: {ExternalWhy}", Text(external, "not-rotatable"));
        Assert.Equal("never", Text(external, "policy-text"));
        Assert.Equal("not rotated by the portal", Text(external, "next-rotation"));
        foreach (var action in new[] { "rotate", "rollback" })
        {
            var button = external.QuerySelector($"button[data-testid={action}]")!;
            Assert.True(button.HasAttribute("disabled"));
            Assert.Equal(ExternalWhy, button.GetAttribute("data-refusal"));
        }

        var client = Card(page, Client);
        Assert.False(client.QuerySelector("button[data-testid=rotate]")!.HasAttribute("disabled"));
        Assert.Equal("No earlier revision is kept for this secret yet.", client.QuerySelector("button[data-testid=rollback]")!.GetAttribute("data-refusal"));
        Assert.False(Card(page, Database).QuerySelector("button[data-testid=rollback]")!.HasAttribute("disabled"));
    }

    [Fact]
    public void A_viewer_sees_every_write_disabled_with_the_role_it_needs_and_the_policy_as_text()
    {
        SignInAs("vera", PortalRole.Viewer);
        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Equal(8, page.FindAll("[data-testid=secret] button[data-refusal]").Count));
        Assert.All(page.FindAll("[data-testid=secret] .secret-actions button"), button =>
        {
            Assert.True(button.HasAttribute("disabled"));
            Assert.Equal("Needs the Operator role.", button.GetAttribute("data-refusal"));
        });
        Assert.Empty(page.FindComponents<MudSelect<RotationPolicy>>());
        Assert.Equal(["quarterly", "monthly", "never", "never"], page.FindAll("[data-testid=policy-text]").Select(p => p.TextContent));
    }

    [Fact]
    public async Task An_operator_changes_the_policy_and_sees_the_service_refuse_a_bad_one()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindComponents<MudSelect<RotationPolicy>>().Count));
        Secrets.OnPolicy = (_, secret, policy) => policy == "daily"
            ? ServiceResult<SecretView>.Invalid("policy", "A database password is not rotated daily: choose weekly or longer.")
            : ServiceResult<SecretView>.Ok(DatabaseSecret() with { Policy = RotationPolicy.Weekly, NextRotation = Now + TimeSpan.FromDays(4) });

        await ChoosePolicyAsync(page, Database, RotationPolicy.Daily);

        page.WaitForAssertion(() => Assert.Equal("A database password is not rotated daily: choose weekly or longer.",
            Card(page, Database).QuerySelector("[data-testid=errors-policy] li")!.TextContent));
        Assert.Equal("quarterly", Card(page, Database).QuerySelector("[data-testid=policy]")!.GetAttribute("data-policy"));

        await ChoosePolicyAsync(page, Database, RotationPolicy.Weekly);

        page.WaitForAssertion(() => Assert.Equal("weekly", Card(page, Database).QuerySelector("[data-testid=policy]")!.GetAttribute("data-policy")));
        Assert.Empty(Card(page, Database).QuerySelectorAll("[data-testid=errors-policy]"));
        Assert.Contains("(in 4d)", Text(Card(page, Database), "next-rotation"), StringComparison.Ordinal);
        Assert.Equal([("prod", Database, (string?)"daily", "olga"), ("prod", Database, (string?)"weekly", "olga")], Secrets.Policies);
    }

    [Fact]
    public async Task A_policy_change_after_the_role_is_taken_away_is_refused_on_the_secret()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindComponents<MudSelect<RotationPolicy>>().Count));
        SignInAs("olga", PortalRole.Viewer);

        await ChoosePolicyAsync(page, Cookie, RotationPolicy.Weekly);

        page.WaitForAssertion(() => Assert.Contains("needs the Operator role", Card(page, Cookie).QuerySelector("[data-testid=errors-policy]")!.TextContent, StringComparison.Ordinal));
        Assert.Empty(Secrets.Policies);
    }

    // The options open in a popover outside the page; choosing one is the select's ValueChanged, as here.
    private static Task ChoosePolicyAsync(IRenderedComponent<SecretsPage> page, string secret, RotationPolicy policy)
    {
        var select = page.FindComponents<MudSelect<RotationPolicy>>()
            .Single(s => s.Instance.UserAttributes.GetValueOrDefault("aria-label") as string == $"Rotation policy of {NameOf(secret)}");
        return page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(policy));
    }

    private static string NameOf(string secret) => Inventory().Secrets.Single(s => s.Id == secret).Name;

    [Fact]
    public void A_cluster_that_does_not_answer_is_a_banner_not_an_error_page()
    {
        const string Down = "Cluster sandbox did not answer: connection refused.";
        Secrets.Stacks["prod"] = ServiceResult<StackSecretInventory>.Unavailable(Down);

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Contains(Down, page.Find("[data-testid=secrets-unavailable]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=secret]"));
        Assert.Empty(page.FindAll(".mud-progress-linear"));
    }

    [Fact]
    public async Task The_page_refreshes_every_ten_seconds_keeps_the_last_inventory_when_the_cluster_goes_and_stops_when_it_is_left()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=secret]").Count));
        Assert.Equal(1, Secrets.ListCalls);

        Secrets.Stacks["prod"] = ServiceResult<StackSecretInventory>.Ok(Inventory("prod", DatabaseSecret() with { Revision = 5, Stale = [] }));
        Clock.Advance(SecretsPage.RefreshInterval);
        page.WaitForAssertion(() => Assert.Equal("5", page.Find("[data-testid=live-revision]").TextContent));
        Assert.Single(page.FindAll("[data-testid=secret]"));
        Assert.Empty(page.FindAll("[data-testid=stale-banner]"));

        Secrets.Stacks["prod"] = ServiceResult<StackSecretInventory>.Unavailable("Cluster sandbox did not answer.");
        Clock.Advance(SecretsPage.RefreshInterval);
        page.WaitForAssertion(() => Assert.Contains("Showing what was read 10s ago", page.Find("[data-testid=secrets-unavailable]").TextContent, StringComparison.Ordinal));
        Assert.Single(page.FindAll("[data-testid=secret]"));

        var calls = Secrets.ListCalls;
        await DisposeComponentsAsync();
        Clock.Advance(SecretsPage.RefreshInterval * 3);
        Assert.Equal(calls, Secrets.ListCalls);
    }

    [Fact]
    public void Refresh_reads_the_secrets_again()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=secret]").Count));
        Secrets.Stacks["prod"] = ServiceResult<StackSecretInventory>.Ok(Inventory("prod", CookieSecret()));

        page.Find("button[data-testid=refresh]").Click();

        page.WaitForAssertion(() => Assert.Equal([Cookie], page.FindAll("[data-testid=secret]").Select(s => s.GetAttribute("data-secret"))));
        Assert.Equal(2, Secrets.ListCalls);
    }

    [Fact]
    public void An_unknown_stack_says_so()
    {
        var page = Render<SecretsPage>(p => p.Add(x => x.Name, "nope"));

        page.WaitForAssertion(() => Assert.Contains("There is no stack named 'nope'", page.Find("[data-testid=no-stack]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void A_stack_without_a_maintenance_window_says_rotations_run_at_any_time()
    {
        Secrets.Stacks["prod"] = ServiceResult<StackSecretInventory>.Ok(Inventory() with { MaintenanceWindow = "any time" });

        var page = RenderPage();

        page.WaitForAssertion(() => Assert.Equal("Scheduled rotations run at any time: the stack has no maintenance window.",
            page.Find("[data-testid=maintenance-window]").TextContent.Trim()));
    }

    [Fact]
    public void The_stack_page_links_to_its_secrets_for_viewers_too()
    {
        SignInAs("vera", PortalRole.Viewer);
        var world = StackWorld.Healthy();
        StackService.Views["prod"] = StoredStacks.View(world);
        Live.Seed(world.Snapshot());
        Services.AddSingleton(TimeProvider.System);

        var topology = Render<TopologyPage>(p => p.Add(x => x.Name, "prod"));

        Assert.Equal("/stacks/prod/secrets", topology.WaitForElement("[data-testid=stack-secrets]").GetAttribute("href"));
    }

    [Fact]
    public void Secret_operations_read_as_words()
    {
        Assert.Equal("Secret rotation", StatusStyles.OperationName("RotateSecret"));
        Assert.Equal("Secret roll-back", StatusStyles.OperationName("RollbackSecret"));
    }
}
