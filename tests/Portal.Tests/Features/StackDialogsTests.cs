using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Domain.Access;
using Portal.Domain.Common;
using Portal.Features.Stacks;
using Portal.Features.Topology;
using Portal.Provisioning.Stacks;
using Portal.Tests.Fakes;

namespace Portal.Tests.Features;

/// <summary>The stack actions menu and its dialogs: scale, relations and tear down.</summary>
public class StackDialogsTests : PortalTestContext
{
    private const string AirbyteRoute = "airbyte:nginx-route--ingress:nginx-route";
    private const string WebhooksCertificates = "ingress-webhooks:certificates--lego:certificates";

    private static readonly Guid OperationId = Guid.Parse("0d6c7f0e-1d2b-4b8e-9a51-6f2f4d1c9e33");

    private readonly StackWorld _world = StackWorld.Healthy();

    public StackDialogsTests()
    {
        Services.AddSingleton(TimeProvider.System);
        StackService.Views["prod"] = StoredStacks.View(_world);
        Live.Seed(_world.Snapshot());
        StackService.OnUpdate = (name, _) => ServiceResult<StackChange>.Ok(new StackChange(StackService.Views[name], OperationId, "Reconfigure prod."));
        StackService.OnDelete = (name, _) => ServiceResult<StackChange>.Ok(new StackChange(StackService.Views[name], OperationId, "Tear down prod."));
        StackService.OnPreview = (_, command) => ServiceResult<UpdatePreview>.Ok(new UpdatePreview(
            "prod", true, "Reconfigure prod in 1 step (1 wave).", [], [], [new PreviewStep("unrelate:x", "RemoveRelation", "Remove the route.", "", [])], [], [], ""));
        SignInAs("olga", PortalRole.Operator);
    }

    private string Uri => Services.GetRequiredService<NavigationManager>().Uri;

    private IRenderedComponent<MudDialogProvider> Open<TDialog>()
        where TDialog : IComponent
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        provider.InvokeAsync(() => dialogs.ShowAsync<TDialog>("dialog", new DialogParameters { { "Stack", "prod" } }));
        return provider;
    }

    [Fact]
    public void A_viewer_sees_no_stack_actions_on_the_topology_page_and_an_operator_does()
    {
        SignInAs("vera", PortalRole.Viewer);
        var asViewer = Render<TopologyPage>(p => p.Add(x => x.Name, "prod"));
        asViewer.WaitForElement("[data-testid=stack-status]");
        Assert.Empty(asViewer.FindAll("[data-testid=stack-actions]"));

        SignInAs("olga", PortalRole.Operator);
        var asOperator = Render<TopologyPage>(p => p.Add(x => x.Name, "prod"));
        asOperator.WaitForElement("[data-testid=stack-actions]");
    }

    [Fact]
    public void The_menu_offers_the_four_actions_and_refuses_one_when_the_role_is_gone()
    {
        var popovers = Render<MudPopoverProvider>();
        var actions = Render<StackActions>(p => p.Add(x => x.Stack, "prod"));
        actions.Find("[data-testid=stack-actions] button").Click();
        popovers.WaitForAssertion(() => Assert.Equal(
            ["Edit configuration", "Scale…", "Relations…", "Tear down…"],
            popovers.FindAll(".mud-menu-item").Select(i => i.TextContent.Trim())));

        // The role was taken away while the page was open: the action checks again and refuses.
        SignInAs("olga", PortalRole.Viewer);
        popovers.FindAll(".mud-menu-item").Single(i => i.TextContent.Contains("Edit configuration", StringComparison.Ordinal)).Click();

        actions.WaitForAssertion(() => Assert.Contains("needs the Operator role", actions.Find("[data-testid=actions-refused]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("/edit", Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void A_viewer_can_export_the_stack_as_kubernetes_yaml_or_a_juju_bundle_but_has_no_actions()
    {
        SignInAs("vera", PortalRole.Viewer);
        var popovers = Render<MudPopoverProvider>();
        var actions = Render<StackActions>(p => p.Add(x => x.Stack, "prod"));

        Assert.Empty(actions.FindAll("[data-testid=stack-actions]"));
        actions.Find("[data-testid=stack-export] button").Click();
        popovers.WaitForAssertion(() => Assert.Equal(
            ["/stacks/prod/export/kubernetes", "/stacks/prod/export/juju-bundle"],
            popovers.FindAll("a.mud-menu-item").Select(a => a.GetAttribute("href"))));
        Assert.All(popovers.FindAll("a.mud-menu-item"), a => Assert.True(a.HasAttribute("download"), "the browser must download it, not route to it"));
    }

    [Fact]
    public void Scale_lists_each_scalable_component_with_live_counts_and_enforces_the_catalog_bounds()
    {
        var dialog = Open<ScaleDialog>();

        dialog.WaitForAssertion(() => Assert.Equal(
            ["scale-airbyte", "scale-temporal", "scale-airbyte-webhooks", "scale-oauth2-proxy"],
            dialog.FindAll("tr[data-testid^='scale-']").Select(r => r.GetAttribute("data-testid"))));
        Assert.Matches(@"\d+/\d+ ready", dialog.Find("[data-testid=scale-airbyte]").TextContent);
        Assert.True(dialog.Find("[data-testid=scale-apply]").HasAttribute("disabled"));

        dialog.TypeInto("input[data-testid=replicas-airbyte]", "11");
        dialog.WaitForAssertion(() => Assert.Contains("airbyte runs from 1 to 10 replicas; 11 is out of range.", dialog.Find("[data-testid=scale-airbyte]").TextContent, StringComparison.Ordinal));
        Assert.True(dialog.Find("[data-testid=scale-apply]").HasAttribute("disabled"));
        dialog.TypeInto("input[data-testid=replicas-airbyte]", "0");
        dialog.WaitForAssertion(() => Assert.Contains("0 is out of range", dialog.Find("[data-testid=scale-airbyte]").TextContent, StringComparison.Ordinal));
        Assert.True(dialog.Find("[data-testid=scale-apply]").HasAttribute("disabled"));
        dialog.TypeInto("input[data-testid=replicas-airbyte]", "two");
        dialog.WaitForAssertion(() => Assert.Contains("Give a whole number from 1 to 10.", dialog.Find("[data-testid=scale-airbyte]").TextContent, StringComparison.Ordinal));
        Assert.True(dialog.Find("[data-testid=scale-apply]").HasAttribute("disabled"));
        Assert.Empty(StackService.Updates);
    }

    [Fact]
    public void Scale_sends_only_the_changed_replicas_and_opens_the_operation()
    {
        var dialog = Open<ScaleDialog>();
        dialog.WaitForElement("input[data-testid=replicas-temporal]").Input("3");
        dialog.TypeInto("input[data-testid=scale-reason]", "more schedules");
        dialog.WaitForAssertion(() => Assert.Equal("Will scale temporal 1 → 3", dialog.Find("[data-testid=scale-summary]").TextContent));

        dialog.Find("[data-testid=scale-apply]").Click();

        dialog.WaitForAssertion(() => Assert.Single(StackService.Updates));
        var (_, command, actor) = StackService.Updates[0];
        Assert.Equal("olga", actor);
        Assert.Equal("more schedules", command.Reason);
        var component = Assert.Single(command.Config);
        Assert.Equal("temporal", component.Key);
        Assert.Equal(new Dictionary<string, string?> { ["replicas"] = "3" }, component.Value);
        Assert.EndsWith($"/operations/{OperationId}", Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void Relations_offer_removal_of_optional_relations_only_and_the_relations_that_can_be_added()
    {
        var dialog = Open<RelationsDialog>();

        dialog.WaitForElement($"[data-testid='relation-{AirbyteRoute}']");
        Assert.NotNull(dialog.Find($"[data-testid='relation-{AirbyteRoute}'] button[aria-label^='Remove']"));
        Assert.Empty(dialog.FindAll("[data-testid='relation-airbyte:db--postgresql:database'] button"));
        Assert.Contains("required", dialog.Find("[data-testid='relation-airbyte:db--postgresql:database']").TextContent, StringComparison.Ordinal);
        Assert.Equal([$"addable-{WebhooksCertificates}"], dialog.FindAll("[data-testid^='addable-']").Select(a => a.GetAttribute("data-testid")));
    }

    [Fact]
    public void Removing_an_optional_relation_previews_it_and_apply_sends_the_whole_list_without_it()
    {
        var dialog = Open<RelationsDialog>();
        dialog.WaitForElement($"[data-testid='relation-{AirbyteRoute}'] button").Click();

        dialog.WaitForAssertion(() => Assert.Contains("Reconfigure prod in 1 step (1 wave).", dialog.Find("[data-testid=relations-plan]").TextContent, StringComparison.Ordinal));
        var (_, previewed) = Assert.Single(StackService.Previews);
        Assert.Equal(_world.Spec.Relations.Count - 1, previewed.Relations!.Count);
        dialog.Find("[data-testid=relations-apply]").Click();

        dialog.WaitForAssertion(() => Assert.Single(StackService.Updates));
        var sent = StackService.Updates[0].Command;
        Assert.Empty(sent.Config);
        Assert.DoesNotContain(sent.Relations!, r => r.Requirer == "airbyte:nginx-route");
        Assert.Contains(sent.Relations!, r => r.Requirer == "airbyte:db" && r.Provider == "postgresql:database");
        Assert.EndsWith($"/operations/{OperationId}", Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_a_relation_the_Domain_refuses_shows_its_sentence_and_cannot_be_applied()
    {
        const string Refusal = "ingress-webhooks:certificates cannot be related while tls-secret-name is set.";
        StackService.OnPreview = (_, _) => ServiceResult<UpdatePreview>.Invalid([new ValidationError("relations[12]", Refusal)]);
        var dialog = Open<RelationsDialog>();

        dialog.WaitForElement($"[data-testid='addable-{WebhooksCertificates}'] button").Click();

        dialog.WaitForAssertion(() => Assert.Contains(Refusal, dialog.Find("[data-testid=relations-problems]").TextContent, StringComparison.Ordinal));
        Assert.Contains(StackService.Previews[0].Command.Relations!, r => r.Requirer == "ingress-webhooks:certificates" && r.Provider == "lego:certificates");
        Assert.True(dialog.Find("[data-testid=relations-apply]").HasAttribute("disabled"));
        Assert.Empty(StackService.Updates);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("prod", "")]
    [InlineData("prod", "   ")]
    [InlineData("pro", "moving to a new cluster")]
    [InlineData("Prod", "moving to a new cluster")]
    [InlineData("prod ", "moving to a new cluster")]
    public void Tear_down_stays_disabled_until_the_name_is_typed_exactly_and_a_reason_given(string typed, string reason)
    {
        var dialog = Open<TeardownDialog>();
        dialog.WaitForElement("input[data-testid=teardown-confirm]").Input(typed);
        dialog.TypeInto("input[data-testid=teardown-reason]", reason);

        dialog.WaitForAssertion(() => Assert.True(dialog.Find("[data-testid=teardown-apply]").HasAttribute("disabled")));
        Assert.NotEmpty(dialog.Find("[data-testid=teardown-hint]").TextContent);
        dialog.Find("[data-testid=teardown-apply]").Click();
        Assert.Empty(StackService.Teardowns);
    }

    [Fact]
    public void Tear_down_with_the_name_and_a_reason_deletes_what_was_ticked_and_opens_the_operation()
    {
        var dialog = Open<TeardownDialog>();
        dialog.WaitForElement("[data-testid=teardown-objects]");
        Assert.Contains("10 components", dialog.Find("[data-testid=teardown-objects]").TextContent, StringComparison.Ordinal);
        Assert.Empty(dialog.FindAll("[data-testid=data-loss]"));
        dialog.Find("input[data-testid=drop-databases]").Change(true);
        dialog.WaitForElement("[data-testid=data-loss]");
        dialog.TypeInto("input[data-testid=teardown-reason]", "moving to a new cluster");
        dialog.TypeInto("input[data-testid=teardown-confirm]", "prod");

        dialog.WaitForAssertion(() => Assert.False(dialog.Find("[data-testid=teardown-apply]").HasAttribute("disabled")));
        dialog.Find("[data-testid=teardown-apply]").Click();

        dialog.WaitForAssertion(() => Assert.Single(StackService.Teardowns));
        var (name, command, actor) = StackService.Teardowns[0];
        Assert.Equal(("prod", "olga"), (name, actor));
        Assert.Equal(new TeardownStackCommand(false, true, false, "moving to a new cluster"), command);
        Assert.EndsWith($"/operations/{OperationId}", Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reason_with_a_control_character_is_explained_under_the_reason_field_and_tears_nothing_down()
    {
        var dialog = Open<TeardownDialog>();
        dialog.WaitForElement("input[data-testid=teardown-confirm]").Input("prod");
        // A NUL pasted along with the ticket number: PostgreSQL cannot store it, so the form says so instead of failing later.
        dialog.TypeInto("input[data-testid=teardown-reason]", "CHG-7\0 moving to a new cluster");

        dialog.WaitForAssertion(() => Assert.Equal(
            "The reason has a control character (U+0000) at line 1, position 6; only printable characters, tabs and line breaks are allowed.",
            dialog.Find("[data-testid=errors-reason] li").TextContent));
        Assert.Equal("Correct the reason to enable the button.", dialog.Find("[data-testid=teardown-hint]").TextContent);
        Assert.True(dialog.Find("[data-testid=teardown-apply]").HasAttribute("disabled"));
        dialog.Find("[data-testid=teardown-apply]").Click();
        Assert.Empty(StackService.Teardowns);

        // Corrected, the error goes and the teardown can start.
        dialog.TypeInto("input[data-testid=teardown-reason]", "CHG-7 moving to a new cluster");
        dialog.WaitForAssertion(() => Assert.False(dialog.Find("[data-testid=teardown-apply]").HasAttribute("disabled")));
        Assert.Empty(dialog.FindAll("[data-testid=errors-reason]"));
    }

    [Fact]
    public void Deleting_the_namespace_but_keeping_the_volumes_is_explained_and_blocks_the_button()
    {
        var dialog = Open<TeardownDialog>();
        dialog.WaitForElement("input[data-testid=delete-namespace]").Change(true);
        dialog.TypeInto("input[data-testid=teardown-reason]", "cleanup");
        dialog.TypeInto("input[data-testid=teardown-confirm]", "prod");

        dialog.WaitForAssertion(() => Assert.Contains("also choose to delete the volumes", dialog.Find("[data-testid=option-problem]").TextContent, StringComparison.Ordinal));
        Assert.True(dialog.Find("[data-testid=teardown-apply]").HasAttribute("disabled"));

        dialog.Find("input[data-testid=delete-volumes]").Change(true);
        dialog.WaitForAssertion(() => Assert.False(dialog.Find("[data-testid=teardown-apply]").HasAttribute("disabled")));
    }

    [Fact]
    public void A_viewer_s_circuit_actions_in_the_dialogs_are_refused_and_nothing_changes()
    {
        var dialogs = Open<ScaleDialog>();
        dialogs.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<TeardownDialog>("dialog", new DialogParameters { { "Stack", "prod" } }));
        dialogs.WaitForElement("input[data-testid=replicas-airbyte]").Input("2");
        dialogs.WaitForElement("input[data-testid=teardown-reason]").Input("x");
        dialogs.TypeInto("input[data-testid=teardown-confirm]", "prod");

        SignInAs("olga", PortalRole.Viewer);
        dialogs.Find("[data-testid=scale-apply]").Click();
        dialogs.Find("[data-testid=teardown-apply]").Click();

        dialogs.WaitForAssertion(() => Assert.Contains("needs the Operator role", dialogs.Find("[data-testid=scale-problems]").TextContent, StringComparison.Ordinal));
        dialogs.WaitForAssertion(() => Assert.Contains("needs the Operator role", dialogs.Find("[data-testid=teardown-problems]").TextContent, StringComparison.Ordinal));
        Assert.Empty(StackService.Updates);
        Assert.Empty(StackService.Teardowns);
    }
}
