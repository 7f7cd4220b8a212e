using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Domain.Access;
using Portal.Domain.Common;
using Portal.Features.Certificates;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Stacks;
using static Portal.Tests.Fakes.CertificateWorld;

namespace Portal.Tests.Features;

/// <summary>Rotate, roll back and upload from a certificate lane: what each dialog asks, what it sends, where it goes, and that a
/// private key is never rendered back.</summary>
public class CertificatesDialogsTests : PortalTestContext
{
    private const string Key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETKEYMATERIAL\n-----END PRIVATE KEY-----";
    private const string Certificate = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUPUBLICCERT\n-----END CERTIFICATE-----";
    private const string Chain = "-----BEGIN CERTIFICATE-----\nMIIBINTERMEDIATE\n-----END CERTIFICATE-----";

    public CertificatesDialogsTests()
    {
        Certificates.Stacks["prod"] = ServiceResult<StackCertificates>.Ok(Stack());
        SignInAs("olga", PortalRole.Operator);
    }

    private string Uri => Services.GetRequiredService<NavigationManager>().Uri;

    /// <summary>The page with the dialog provider, after a click on one lane's action.</summary>
    private IRenderedComponent<MudDialogProvider> Open(string host, string action)
    {
        var dialogs = Render<MudDialogProvider>();
        var page = Render<CertificatesPage>(p => p.Add(x => x.Name, "prod"));
        page.WaitForElement($"[data-testid=lane][data-host='{host}'] button[data-testid={action}]").Click();
        return dialogs;
    }

    [Fact]
    public void Rotate_says_what_happens_requires_a_reason_then_starts_the_rotation_and_opens_the_operation()
    {
        Certificates.OnRotate = (stack, _) => Started(stack);
        var dialog = Open(Acme, "rotate");

        var steps = dialog.WaitForElement("[data-testid=rotate-steps]").TextContent;
        Assert.Contains("a new private key and certificate", steps, StringComparison.Ordinal);
        Assert.Contains("a new revision of the TLS Secret airbyte-example-com-tls (revision 5); revision 4 is kept", steps, StringComparison.Ordinal);
        Assert.Contains("the ingress component ingress serves the new certificate", steps, StringComparison.Ordinal);
        Assert.Contains("verifies", steps, StringComparison.Ordinal);
        Assert.True(dialog.Find("[data-testid=rotate-apply]").HasAttribute("disabled"));
        dialog.TypeInto("input[data-testid=rotate-reason]", "   ");
        dialog.WaitForAssertion(() => Assert.Equal("Give a reason to enable the button.", dialog.Find("[data-testid=rotate-hint]").TextContent));
        dialog.Find("[data-testid=rotate-apply]").Click();
        Assert.Empty(Certificates.Rotations);

        dialog.TypeInto("input[data-testid=rotate-reason]", "key may have leaked");
        dialog.WaitForAssertion(() => Assert.False(dialog.Find("[data-testid=rotate-apply]").HasAttribute("disabled")));
        dialog.Find("[data-testid=rotate-apply]").Click();

        dialog.WaitForAssertion(() => Assert.Equal([("prod", Acme, (string?)"key may have leaked", "olga")], Certificates.Rotations));
        dialog.WaitForAssertion(() => Assert.EndsWith($"/operations/{OperationId}", Uri, StringComparison.Ordinal));
    }

    [Fact]
    public void A_busy_stack_refuses_the_rotation_in_the_dialog_and_stays()
    {
        const string Busy = "Stack prod is busy: operation Reconfigure is running; try again when it ends.";
        Certificates.OnRotate = (_, _) => ServiceResult<StackChange>.Conflict(Busy);
        var dialog = Open(Acme, "rotate");
        dialog.WaitForElement("input[data-testid=rotate-reason]");
        dialog.TypeInto("input[data-testid=rotate-reason]", "renew early");

        dialog.WaitForAssertion(() => Assert.False(dialog.Find("[data-testid=rotate-apply]").HasAttribute("disabled")));
        dialog.Find("[data-testid=rotate-apply]").Click();

        dialog.WaitForAssertion(() => Assert.Contains(Busy, dialog.Find("[data-testid=rotate-problems]").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("/operations/", Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void Roll_back_lists_the_kept_revisions_with_serial_and_expiry_and_sends_the_one_chosen()
    {
        Certificates.OnRollback = (stack, _, _) => Started(stack);
        var dialog = Open(Acme, "rollback");

        dialog.WaitForAssertion(() => Assert.Equal(["3", "2"], dialog.FindAll("[data-testid=revision-choice]").Select(c => c.GetAttribute("data-revision"))));
        var second = dialog.Find("[data-testid=revision-choice][data-revision='2']").TextContent;
        Assert.Contains("serial 02AABB", second, StringComparison.Ordinal);
        Assert.Contains("expired 70 days ago", second, StringComparison.Ordinal);
        Assert.Contains("not after 2026-09-17 12:01 UTC", second, StringComparison.Ordinal);
        dialog.Find("[data-testid=revision-choice][data-revision='2'] input").Click();
        dialog.WaitForAssertion(() => Assert.Contains("browsers refuse it", dialog.Find("[data-testid=rollback-expiry-warning]").TextContent, StringComparison.Ordinal));
        dialog.TypeInto("input[data-testid=rollback-reason]", "revision 4 breaks old clients");
        dialog.WaitForAssertion(() => Assert.Equal("Will serve revision 2 again.", dialog.Find("[data-testid=rollback-hint]").TextContent));

        dialog.Find("[data-testid=rollback-apply]").Click();

        dialog.WaitForAssertion(() => Assert.Equal([("prod", Acme, (int?)2, (string?)"revision 4 breaks old clients", "olga")], Certificates.Rollbacks));
        dialog.WaitForAssertion(() => Assert.EndsWith($"/operations/{OperationId}", Uri, StringComparison.Ordinal));
    }

    [Fact]
    public void Upload_shows_every_server_error_under_its_field_and_never_renders_the_key()
    {
        Certificates.OnUpload = (_, _, _) => ServiceResult<StackChange>.Invalid(
        [
            new ValidationError("certificate", "The certificate has expired: not after 2026-01-01."),
            new ValidationError("certificate", "The certificate does not cover old.example.com: it names www.example.org."),
            new ValidationError("key", "The key does not match the certificate."),
            new ValidationError("chain[0]", "The chain is out of order: certificate 1 did not issue the leaf."),
            new ValidationError("host", "old.example.com is not served by any ingress of prod."),
            new ValidationError("reason", "Give a reason of at least 3 characters."),
        ]);
        var dialog = Open(Manual, "upload");
        dialog.WaitForElement("textarea[data-testid=upload-certificate]");
        dialog.TypeInto("textarea[data-testid=upload-certificate]", Certificate);
        dialog.TypeInto("textarea[data-testid=upload-key]", Key);
        dialog.TypeInto("textarea[data-testid=upload-chain]", Chain);
        dialog.TypeInto("input[data-testid=upload-reason]", "ok");

        dialog.WaitForAssertion(() => Assert.False(dialog.Find("[data-testid=upload-apply]").HasAttribute("disabled")));
        dialog.Find("[data-testid=upload-apply]").Click();

        dialog.WaitForAssertion(() => Assert.Equal(2, dialog.FindAll("[data-testid=errors-certificate] li").Count));
        Assert.Equal(["The certificate has expired: not after 2026-01-01.", "The certificate does not cover old.example.com: it names www.example.org."],
            dialog.FindAll("[data-testid=errors-certificate] li").Select(e => e.TextContent));
        Assert.Equal("The key does not match the certificate.", dialog.Find("[data-testid=errors-key] li").TextContent);
        Assert.Equal("The chain is out of order: certificate 1 did not issue the leaf.", dialog.Find("[data-testid=errors-chain] li").TextContent);
        Assert.Equal("old.example.com is not served by any ingress of prod.", dialog.Find("[data-testid=errors-host] li").TextContent);
        Assert.Equal("Give a reason of at least 3 characters.", dialog.Find("[data-testid=errors-reason] li").TextContent);
        Assert.Empty(dialog.FindAll("[data-testid=upload-problems]"));
        var (stack, host, upload, actor) = Assert.Single(Certificates.Uploads);
        Assert.Equal(("prod", Manual, "olga"), (stack, host, actor));
        Assert.Equal(new ManualCertificateUpload(Certificate, Key, Chain, "ok"), upload);
        Assert.DoesNotContain("SECRETKEYMATERIAL", dialog.Markup, StringComparison.Ordinal);
        Assert.Contains("PUBLICCERT", dialog.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("/operations/", Uri, StringComparison.Ordinal);
    }

    [Fact]
    public void Upload_reads_the_files_keeps_the_key_out_of_the_page_and_opens_the_operation()
    {
        Certificates.OnUpload = (stack, _, _) => Started(stack);
        var dialog = Open(Acme, "upload");
        dialog.WaitForElement("textarea[data-testid=upload-certificate]");
        Assert.Contains("no longer renews it (ACME today)", dialog.Find("[data-testid=upload-dialog]").TextContent, StringComparison.Ordinal);
        var files = dialog.FindComponents<InputFile>();
        Assert.Equal(3, files.Count);

        files[0].UploadFiles(InputFileContent.CreateFromText(Certificate, "tls.crt"));
        files[1].UploadFiles(InputFileContent.CreateFromText(Key, "tls.key"));
        dialog.WaitForAssertion(() => Assert.Contains("not shown", dialog.Find("[data-testid=key-note]").TextContent, StringComparison.Ordinal));
        dialog.WaitForAssertion(() => Assert.Equal("Give a reason to enable the button.", dialog.Find("[data-testid=upload-hint]").TextContent));
        Assert.Contains("PUBLICCERT", dialog.Find("textarea[data-testid=upload-certificate]").GetAttribute("value") ?? dialog.Find("textarea[data-testid=upload-certificate]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETKEYMATERIAL", dialog.Markup, StringComparison.Ordinal);
        dialog.TypeInto("input[data-testid=upload-reason]", "moving to the corporate CA");

        dialog.WaitForAssertion(() => Assert.False(dialog.Find("[data-testid=upload-apply]").HasAttribute("disabled")));
        dialog.Find("[data-testid=upload-apply]").Click();

        dialog.WaitForAssertion(() => Assert.Equal(new ManualCertificateUpload(Certificate, Key, null, "moving to the corporate CA"), Assert.Single(Certificates.Uploads).Upload));
        dialog.WaitForAssertion(() => Assert.EndsWith($"/operations/{OperationId}", Uri, StringComparison.Ordinal));
    }

    [Fact]
    public void Upload_stays_disabled_until_certificate_key_and_reason_are_given()
    {
        var dialog = Open(Manual, "upload");

        dialog.WaitForAssertion(() => Assert.Equal("Give a certificate, its key and a reason to enable the button.", dialog.Find("[data-testid=upload-hint]").TextContent));
        dialog.TypeInto("textarea[data-testid=upload-certificate]", Certificate);
        dialog.TypeInto("input[data-testid=upload-reason]", "renewal");
        dialog.WaitForAssertion(() => Assert.Equal("Give its key to enable the button.", dialog.Find("[data-testid=upload-hint]").TextContent));
        Assert.True(dialog.Find("[data-testid=upload-apply]").HasAttribute("disabled"));
        dialog.Find("[data-testid=upload-apply]").Click();
        Assert.Empty(Certificates.Uploads);
    }

    [Fact]
    public void A_role_taken_away_while_the_page_is_open_is_refused_on_click_and_in_the_dialog()
    {
        var dialogs = Render<MudDialogProvider>();
        var page = Render<CertificatesPage>(p => p.Add(x => x.Name, "prod"));
        page.WaitForElement($"[data-testid=lane][data-host='{Acme}'] button[data-testid=rotate]").Click();
        dialogs.WaitForElement("input[data-testid=rotate-reason]");
        dialogs.TypeInto("input[data-testid=rotate-reason]", "routine");
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("[data-testid=rotate-apply]").HasAttribute("disabled")));

        SignInAs("olga", PortalRole.Viewer);
        dialogs.Find("[data-testid=rotate-apply]").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("needs the Operator role", dialogs.Find("[data-testid=rotate-problems]").TextContent, StringComparison.Ordinal));

        // The buttons were rendered for an operator; the page checks the role again before it opens a dialog.
        page.Find($"[data-testid=lane][data-host='{InternalCa}'] button[data-testid=upload]").Click();
        page.WaitForAssertion(() => Assert.Contains("needs the Operator role", page.Find($"[data-testid=lane][data-host='{InternalCa}'] [data-testid=lane-refused]").TextContent, StringComparison.Ordinal));
        Assert.Empty(dialogs.FindAll("[data-testid=upload-dialog]"));
        Assert.Empty(Certificates.Rotations);
        Assert.Empty(Certificates.Uploads);
    }
}
