using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Domain.Access;
using Portal.Domain.Common;
using Portal.Features.Secrets;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Stacks;
using static Portal.Tests.Fakes.SecretWorld;

namespace Portal.Tests.Features;

/// <summary>Rotate and roll back a secret: the blast radius shown before anything runs, what each dialog asks and sends, where it
/// goes, server errors under their fields, and that an operator-supplied value is never rendered back.</summary>
public class SecretsDialogsTests : PortalTestContext
{
    private const string Value = "idp-CLIENT-s3cret-VALUE-0042";

    public SecretsDialogsTests()
    {
        Secrets.Stacks["prod"] = ServiceResult<StackSecretInventory>.Ok(Inventory());
        Secrets.Previews[Database] = ServiceResult<SecretRotationPreview>.Ok(DatabasePreview());
        Secrets.Previews[Client] = ServiceResult<SecretRotationPreview>.Ok(ClientPreview());
        SignInAs("olga", PortalRole.Operator);
    }

    private string Uri => Services.GetRequiredService<NavigationManager>().Uri;

    /// <summary>The page with the dialog provider, after a click on one secret's action.</summary>
    private IRenderedComponent<MudDialogProvider> Open(string secret, string action)
    {
        var dialogs = Render<MudDialogProvider>();
        var page = Render<SecretsPage>(p => p.Add(x => x.Name, "prod"));
        page.WaitForElement($"[data-testid=secret][data-secret='{secret}'] button[data-testid={action}]").Click();
        return dialogs;
    }

    [Fact]
    public void Rotate_shows_the_blast_radius_before_anything_runs_requires_a_reason_then_rotates_and_opens_the_operation()
    {
        Secrets.OnRotate = (stack, _) => Started(stack);
        var dialog = Open(Database, "rotate");

        dialog.WaitForElement("[data-testid=rotate-preview]");
        Assert.Equal([("prod", Database)], Secrets.PreviewCalls);
        Assert.Empty(Secrets.Rotations);
        Assert.Equal(DatabasePreview().Steps, dialog.FindAll("[data-testid=rotate-step]").Select(s => s.TextContent));
        var restarts = dialog.FindAll("[data-testid=restart]");
        Assert.Equal(["airbyte-server", "airbyte-worker"], restarts.Select(r => r.GetAttribute("data-workload")));
        Assert.Contains("loads airbyte-db-relation", restarts[0].TextContent, StringComparison.Ordinal);
        var impact = dialog.Find("[data-testid=rotate-impact]");
        Assert.Contains("A short reconnect to the database.", impact.TextContent, StringComparison.Ordinal);
        Assert.Contains("mud-alert-text-warning", impact.ClassName, StringComparison.Ordinal);
        Assert.Empty(dialog.FindAll("[data-testid=rotate-value]"));

        Assert.True(dialog.Find("[data-testid=rotate-apply]").HasAttribute("disabled"));
        dialog.TypeInto("input[data-testid=rotate-reason]", "   ");
        dialog.WaitForAssertion(() => Assert.Equal("Give a reason to enable the button.", dialog.Find("[data-testid=rotate-hint]").TextContent));
        dialog.Find("[data-testid=rotate-apply]").Click();
        Assert.Empty(Secrets.Rotations);

        dialog.TypeInto("input[data-testid=rotate-reason]", "quarterly hygiene");
        dialog.WaitForAssertion(() => Assert.False(dialog.Find("[data-testid=rotate-apply]").HasAttribute("disabled")));
        dialog.Find("[data-testid=rotate-apply]").Click();

        dialog.WaitForAssertion(() => Assert.Equal([("prod", Database, new SecretRotationRequest("quarterly hygiene"), "olga")], Secrets.Rotations));
        dialog.WaitForAssertion(() => Assert.EndsWith($"/operations/{OperationId}", Uri, StringComparison.Ordinal));
    }

    [Fact]
    public void An_operator_supplied_secret_asks_for_the_value_sends_it_and_never_renders_it()
    {
        Secrets.OnRotate = (stack, _) => Started(stack);
        var dialog = Open(Client, "rotate");

        var input = dialog.WaitForElement("input[data-testid=rotate-value]");
        Assert.Equal("password", input.GetAttribute("type"));
        Assert.Contains("everyone is signed out", dialog.Find("[data-testid=rotate-impact]").TextContent, StringComparison.OrdinalIgnoreCase);
        dialog.TypeInto("input[data-testid=rotate-reason]", "the IdP rotated it");
        dialog.WaitForAssertion(() => Assert.Equal("Give the new value to enable the button.", dialog.Find("[data-testid=rotate-hint]").TextContent));
        Assert.True(dialog.Find("[data-testid=rotate-apply]").HasAttribute("disabled"));

        dialog.TypeInto("input[data-testid=rotate-value]", Value);
        dialog.WaitForAssertion(() => Assert.False(dialog.Find("[data-testid=rotate-apply]").HasAttribute("disabled")));
        Assert.DoesNotContain(Value, dialog.Markup, StringComparison.Ordinal);
        dialog.Find("[data-testid=rotate-apply]").Click();

        dialog.WaitForAssertion(() => Assert.Equal([("prod", Client, new SecretRotationRequest("the IdP rotated it", Value), "olga")], Secrets.Rotations));
        dialog.WaitForAssertion(() => Assert.EndsWith($"/operations/{OperationId}", Uri, StringComparison.Ordinal));
        Assert.DoesNotContain(Value, dialog.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_errors_show_under_the_value_and_the_reason_and_the_rest_in_an_alert_without_the_value()
    {
        Secrets.OnRotate = (_, _) => ServiceResult<StackChange>.Invalid(
        [
            new ValidationError("value", "The client secret must be at least 16 characters."),
            new ValidationError("reason", "Give a reason of at least 3 characters."),
            new ValidationError("secret", "Stack prod is busy: operation Reconfigure is running."),
        ]);
        var dialog = Open(Client, "rotate");
        dialog.WaitForElement("input[data-testid=rotate-value]");
        dialog.TypeInto("input[data-testid=rotate-value]", Value);
        dialog.TypeInto("input[data-testid=rotate-reason]", "ok");
        dialog.WaitForAssertion(() => Assert.False(dialog.Find("[data-testid=rotate-apply]").HasAttribute("disabled")));

        dialog.Find("[data-testid=rotate-apply]").Click();

        dialog.WaitForAssertion(() => Assert.Equal("The client secret must be at least 16 characters.", dialog.Find("[data-testid=errors-value] li").TextContent));
        Assert.Equal("Give a reason of at least 3 characters.", dialog.Find("[data-testid=errors-reason] li").TextContent);
        Assert.Contains("Stack prod is busy", dialog.Find("[data-testid=rotate-problems]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(Value, dialog.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("/operations/", Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void A_preview_the_service_refuses_says_why_and_offers_no_rotation()
    {
        Secrets.Previews[Database] = ServiceResult<SecretRotationPreview>.Invalid("secret", "The secret is not present yet: deploy the stack first.");
        var dialog = Open(Database, "rotate");

        dialog.WaitForAssertion(() => Assert.Contains("not present yet", dialog.Find("[data-testid=preview-problems]").TextContent, StringComparison.Ordinal));
        Assert.Empty(dialog.FindAll("input[data-testid=rotate-reason]"));
        Assert.True(dialog.Find("[data-testid=rotate-apply]").HasAttribute("disabled"));
    }

    [Fact]
    public void Roll_back_lists_the_kept_revisions_newest_first_and_sends_the_one_chosen()
    {
        Secrets.OnRollback = (stack, _, _) => Started(stack);
        var dialog = Open(Database, "rollback");

        dialog.WaitForAssertion(() => Assert.Equal(["3", "2", "1"], dialog.FindAll("[data-testid=revision-choice]").Select(c => c.GetAttribute("data-revision"))));
        Assert.Contains("A short reconnect to the database.", dialog.Find("[data-testid=rollback-impact]").TextContent, StringComparison.Ordinal);
        dialog.WaitForAssertion(() => Assert.Equal("Give a reason to enable the button.", dialog.Find("[data-testid=rollback-hint]").TextContent));
        dialog.Find("[data-testid=revision-choice][data-revision='2'] input").Click();
        dialog.TypeInto("input[data-testid=rollback-reason]", "revision 4 broke the workers");
        dialog.WaitForAssertion(() => Assert.Equal("Will put revision 2 back.", dialog.Find("[data-testid=rollback-hint]").TextContent));

        dialog.Find("[data-testid=rollback-apply]").Click();

        dialog.WaitForAssertion(() => Assert.Equal([("prod", Database, (int?)2, (string?)"revision 4 broke the workers", "olga")], Secrets.Rollbacks));
        dialog.WaitForAssertion(() => Assert.EndsWith($"/operations/{OperationId}", Uri, StringComparison.Ordinal));
    }

    [Fact]
    public void Roll_back_shows_a_refused_revision_under_it()
    {
        Secrets.OnRollback = (_, _, _) => ServiceResult<StackChange>.Invalid("revision", "Revision 3 is no longer kept.");
        var dialog = Open(Database, "rollback");
        dialog.WaitForElement("input[data-testid=rollback-reason]");
        dialog.TypeInto("input[data-testid=rollback-reason]", "go back");
        dialog.WaitForAssertion(() => Assert.False(dialog.Find("[data-testid=rollback-apply]").HasAttribute("disabled")));

        dialog.Find("[data-testid=rollback-apply]").Click();

        dialog.WaitForAssertion(() => Assert.Equal("Revision 3 is no longer kept.", dialog.Find("[data-testid=errors-revision] li").TextContent));
        Assert.Equal(3, Assert.Single(Secrets.Rollbacks).Revision);
        Assert.DoesNotContain("/operations/", Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_taken_away_while_the_page_is_open_is_refused_on_click_and_in_the_dialog()
    {
        var dialogs = Render<MudDialogProvider>();
        var page = Render<SecretsPage>(p => p.Add(x => x.Name, "prod"));
        page.WaitForElement($"[data-testid=secret][data-secret='{Database}'] button[data-testid=rotate]").Click();
        dialogs.WaitForElement("input[data-testid=rotate-reason]");
        dialogs.TypeInto("input[data-testid=rotate-reason]", "routine");
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("[data-testid=rotate-apply]").HasAttribute("disabled")));

        SignInAs("olga", PortalRole.Viewer);
        dialogs.Find("[data-testid=rotate-apply]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("needs the Operator role", dialogs.Find("[data-testid=rotate-problems]").TextContent, StringComparison.Ordinal));

        // The buttons were rendered for an operator; the page checks the role again before it opens a dialog.
        page.Find($"[data-testid=secret][data-secret='{Cookie}'] button[data-testid=rollback]").Click();
        page.WaitForAssertion(() => Assert.Contains("needs the Operator role", page.Find($"[data-testid=secret][data-secret='{Cookie}'] [data-testid=secret-refused]").TextContent, StringComparison.Ordinal));
        Assert.Empty(dialogs.FindAll("[data-testid=rollback-dialog]"));
        Assert.Empty(Secrets.Rotations);
        Assert.Empty(Secrets.Rollbacks);
    }
}
