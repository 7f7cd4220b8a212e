using MudBlazor;
using Portal.Domain.Access;
using Portal.Features.Secrets;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Stacks;
using static Portal.Tests.Fakes.SecretWorld;

namespace Portal.Tests.Features;

/// <summary>The one-time reveal of a webhook signing secret just rotated: offered to operators on that secret only, confirmed first,
/// the value shown once in a copyable field of the dialog and gone when it closes; a refusal says why and shows nothing.</summary>
public class SecretRevealTests : PortalTestContext
{
    private const string Webhook = "airbyte-webhooks.signing-secret";
    private const string Value = "whsec-NEW-generated-VALUE-0042-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH";

    public SecretRevealTests()
    {
        Secrets.Stacks["prod"] = ServiceResult<StackSecretInventory>.Ok(Inventory("prod", DatabaseSecret(), WebhookSecret(revealable: true)));
        SignInAs("olga", PortalRole.Operator);
    }

    private static SecretView WebhookSecret(bool revealable) => new(
        Webhook, "signing-secret", "HMAC key that webhook senders sign with.", "airbyte-webhooks", ["airbyte-webhooks"],
        "airbyte-webhooks-secrets/signing-secret", "generated", "dual-validity", null, 2, "0a1b2c3d4e5f", Now - TimeSpan.FromDays(30),
        Now - TimeSpan.FromMinutes(5), "olga", RotationPolicy.Never, null, false,
        "Senders must switch to the new secret before the grace period ends; both are accepted until then.", [1], [], Revealable: revealable);

    private (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<SecretsPage> Page) Open()
    {
        var dialogs = Render<MudDialogProvider>();
        var page = Render<SecretsPage>(p => p.Add(x => x.Name, "prod"));
        page.WaitForElement($"[data-testid=secret][data-secret='{Webhook}'] button[data-testid=reveal]").Click();
        return (dialogs, page);
    }

    [Fact]
    public void Only_the_just_rotated_webhook_secret_offers_a_reveal_and_only_to_operators()
    {
        var page = Render<SecretsPage>(p => p.Add(x => x.Name, "prod"));
        page.WaitForElement($"[data-testid=secret][data-secret='{Webhook}'] button[data-testid=reveal]");
        Assert.Single(page.FindAll("button[data-testid=reveal]"));

        SignInAs("vera", PortalRole.Viewer);
        var viewer = Render<SecretsPage>(p => p.Add(x => x.Name, "prod"));
        viewer.WaitForElement($"[data-testid=secret][data-secret='{Webhook}']");
        Assert.Empty(viewer.FindAll("button[data-testid=reveal]"));
    }

    [Fact]
    public void A_webhook_secret_no_longer_revealable_offers_no_reveal()
    {
        Secrets.Stacks["prod"] = ServiceResult<StackSecretInventory>.Ok(Inventory("prod", WebhookSecret(revealable: false)));
        var page = Render<SecretsPage>(p => p.Add(x => x.Name, "prod"));
        page.WaitForElement($"[data-testid=secret][data-secret='{Webhook}']");
        Assert.Empty(page.FindAll("button[data-testid=reveal]"));
    }

    [Fact]
    public void Reveal_asks_first_then_shows_the_value_once_copies_it_and_forgets_it_when_closed()
    {
        Secrets.OnReveal = (_, id) =>
        {
            // Revealed: the next inventory read says so.
            Secrets.Stacks["prod"] = ServiceResult<StackSecretInventory>.Ok(Inventory("prod", DatabaseSecret(), WebhookSecret(revealable: false)));
            return ServiceResult<RevealedSecret>.Ok(new RevealedSecret(id, 2, Value));
        };
        var (dialog, page) = Open();

        dialog.WaitForElement("[data-testid=reveal-warning]");
        Assert.Contains("shown once", dialog.Find("[data-testid=reveal-warning]").TextContent, StringComparison.Ordinal);
        Assert.Empty(Secrets.Reveals);
        Assert.Empty(dialog.FindAll("[data-testid=revealed-value]"));

        dialog.TypeInto("input[data-testid=reveal-reason]", "give it to the CRM team");
        dialog.Find("[data-testid=reveal-confirm]").Click();

        dialog.WaitForAssertion(() => Assert.Equal([("prod", Webhook, (string?)"give it to the CRM team", "olga")], Secrets.Reveals));
        var field = dialog.WaitForElement("input[data-testid=revealed-value]");
        Assert.Equal(Value, field.GetAttribute("value"));
        Assert.True(field.HasAttribute("readonly"));
        Assert.DoesNotContain(Value, page.Markup, StringComparison.Ordinal);

        var copy = JSInterop.SetupVoid("navigator.clipboard.writeText", Value);
        copy.SetVoidResult();
        dialog.Find("button[aria-label=Copy]").Click();
        dialog.WaitForAssertion(() => Assert.Single(copy.Invocations));
        dialog.WaitForElement("[data-testid=copied]");

        dialog.Find("[data-testid=reveal-done]").Click();
        dialog.WaitForAssertion(() => Assert.Empty(dialog.FindAll("[data-testid=reveal-dialog]")));
        Assert.DoesNotContain(Value, dialog.Markup, StringComparison.Ordinal);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("button[data-testid=reveal]")));
        Assert.DoesNotContain(Value, page.Markup, StringComparison.Ordinal);
        Assert.Single(Secrets.Reveals);
    }

    [Fact]
    public void A_refused_reveal_says_why_and_shows_no_value()
    {
        Secrets.OnReveal = (_, id) => ServiceResult<RevealedSecret>.Conflict($"Revision 2 of {id} was already revealed, by ivan at 2026-11-27T02:00:00Z; a value is shown only once.");
        var (dialog, _) = Open();

        dialog.WaitForElement("[data-testid=reveal-confirm]").Click();

        var problems = dialog.WaitForElement("[data-testid=reveal-problems]");
        Assert.Contains("already revealed, by ivan", problems.TextContent, StringComparison.Ordinal);
        Assert.Empty(dialog.FindAll("[data-testid=revealed-value]"));
    }

    [Fact]
    public void Cancelling_the_confirmation_reveals_nothing()
    {
        Secrets.OnReveal = (_, id) => ServiceResult<RevealedSecret>.Ok(new RevealedSecret(id, 2, Value));
        var (dialog, _) = Open();

        dialog.WaitForElement("[data-testid=reveal-warning]");
        dialog.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();

        dialog.WaitForAssertion(() => Assert.Empty(dialog.FindAll("[data-testid=reveal-dialog]")));
        Assert.Empty(Secrets.Reveals);
    }
}
