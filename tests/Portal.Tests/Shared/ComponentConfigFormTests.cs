using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Catalog;
using Portal.Domain.Values;
using Portal.Shared.Config;

namespace Portal.Tests.Shared;

public class ComponentConfigFormTests : PortalTestContext
{
    private IReadOnlyDictionary<string, string?>? _changed;

    public ComponentConfigFormTests()
    {
        // The inputs are debounced on MudBlazor's TimeProvider: the real clock, not the shared context's fake one.
        Services.AddSingleton(TimeProvider.System);
    }

    [Theory]
    [InlineData("airbyte", "airbyte", "external-hostname", "airbyte_prod", "'airbyte_prod' contains '_'")]
    [InlineData("airbyte", "airbyte", "external-hostname", "airbyte", "has no dot; a public hostname needs a domain")]
    [InlineData("postgresql", "postgresql", "port", "70000", "out of range; a port is a number from 1 to 65535")]
    [InlineData("postgresql", "postgresql", "port", "54x", "is not a port number")]
    [InlineData("airbyte", "airbyte", "max-sync-workers", "500", "max-sync-workers must be between 1 and 100; 500 is not.")]
    [InlineData("ingress", "nginx-ingress", "whitelist-source-range", "10.0.0.0/33", "10.0.0.0/33")]
    [InlineData("lego", "lego", "server", "http://acme.example.com/directory", "https")]
    public void A_bad_value_shows_the_Domain_message_under_its_field_as_the_operator_types(string component, string kind, string option, string typed, string expected)
    {
        var form = RenderForm(component, kind);

        form.TypeInto($"[data-testid=config-{component}-{option}]", typed);

        form.WaitForAssertion(() => Assert.Contains(expected, ErrorOf(form, option), StringComparison.Ordinal));
        Assert.Equal(typed, _changed![option]);
    }

    [Fact]
    public void A_good_value_clears_the_message()
    {
        var form = RenderForm("airbyte", "airbyte");

        form.TypeInto("[data-testid=config-airbyte-external-hostname]", "airbyte");
        form.WaitForAssertion(() => Assert.NotEmpty(ErrorOf(form, "external-hostname")));
        form.TypeInto("[data-testid=config-airbyte-external-hostname]", "airbyte.example.com");

        form.WaitForAssertion(() => Assert.Empty(ErrorOf(form, "external-hostname")));
    }

    [Fact]
    public void Defaults_are_filled_in_and_required_options_without_one_are_marked()
    {
        var form = RenderForm("airbyte", "airbyte");
        Assert.Empty(ErrorOf(form, "external-hostname"));

        form.Render(p => p.Add(f => f.ShowMissing, true));

        Assert.Equal("30", form.Find("[data-testid=config-airbyte-logs-ttl]").GetAttribute("value"));
        Assert.Equal("1.7.0", form.Find("[data-testid=config-airbyte-image-tag]").GetAttribute("value"));
        Assert.Contains("external-hostname *", form.Find("[data-option=external-hostname]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Days job logs are kept in the logs bucket.", form.Find("[data-option=logs-ttl]").TextContent, StringComparison.Ordinal);
        Assert.Contains("external-hostname is required", ErrorOf(form, "external-hostname"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_condition_makes_an_option_required_only_when_it_holds()
    {
        var form = RenderForm("postgresql", "postgresql", new Dictionary<string, string?> { ["mode"] = "in-cluster" });
        form.Render(p => p.Add(f => f.ShowMissing, true));
        Assert.Empty(ErrorOf(form, "host"));

        form.Render(p => p.Add(f => f.Values, new Dictionary<string, string?> { ["mode"] = "external" }));

        Assert.Contains("host is required when 'mode' is 'external'", ErrorOf(form, "host"), StringComparison.Ordinal);
        Assert.Contains("host *", form.Find("[data-option=host]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_are_password_inputs_and_generate_fills_one_that_the_Domain_accepts()
    {
        var form = RenderForm("oauth2-proxy", "oauth2-proxy");

        Assert.Equal("password", form.Find("[data-testid=config-oauth2-proxy-client-secret]").GetAttribute("type"));
        Assert.Equal("password", form.Find("[data-testid=config-oauth2-proxy-cookie-secret]").GetAttribute("type"));
        Assert.Empty(form.FindAll("[data-testid=generate-oauth2-proxy-client-secret]"));

        form.Find("[data-testid=generate-oauth2-proxy-cookie-secret]").Click();

        var generated = _changed!["cookie-secret"];
        Assert.False(string.IsNullOrEmpty(generated));
        var option = ComponentCatalog.Default.Get("oauth2-proxy").FindOption("cookie-secret")!;
        Assert.True(OptionValueParser.Parse(option, generated, DateTimeOffset.UtcNow).IsSuccess);
        form.WaitForAssertion(() => Assert.Equal(generated, form.Find("[data-testid=config-oauth2-proxy-cookie-secret]").GetAttribute("value")));
        Assert.Equal("password", form.Find("[data-testid=config-oauth2-proxy-cookie-secret]").GetAttribute("type"));
    }

    [Fact]
    public void A_secret_message_never_shows_the_value()
    {
        var form = RenderForm("oauth2-proxy", "oauth2-proxy");

        form.TypeInto("[data-testid=config-oauth2-proxy-cookie-secret]", "hunter2-hunter2");

        form.WaitForAssertion(() => Assert.Contains("must be 16, 24 or 32 bytes long", ErrorOf(form, "cookie-secret"), StringComparison.Ordinal));
        Assert.DoesNotContain("hunter2", form.Markup.Replace("value=\"hunter2-hunter2\"", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Server_errors_show_next_to_their_field_until_it_is_edited()
    {
        var errors = new Dictionary<string, IReadOnlyList<string>> { ["external-hostname"] = ["airbyte.example.com is already routed by Ingress other/web."] };
        var form = RenderForm("airbyte", "airbyte", new Dictionary<string, string?> { ["external-hostname"] = "airbyte.example.com" }, errors);

        Assert.Contains("already routed by Ingress other/web", ErrorOf(form, "external-hostname"), StringComparison.Ordinal);

        form.TypeInto("[data-testid=config-airbyte-external-hostname]", "airbyte2.example.com");

        form.WaitForAssertion(() => Assert.Empty(ErrorOf(form, "external-hostname")));
    }

    [Fact]
    public void Read_only_options_cannot_be_edited()
    {
        var form = RenderForm("postgresql", "postgresql", readOnly: new HashSet<string> { "storage-size" });

        Assert.True(form.Find("[data-testid=config-postgresql-storage-size]").HasAttribute("readonly"));
        Assert.False(form.Find("[data-testid=config-postgresql-port]").HasAttribute("readonly"));
    }

    [Fact]
    public void Setting_an_option_back_to_its_default_leaves_it_out()
    {
        var form = RenderForm("airbyte", "airbyte");

        form.TypeInto("[data-testid=config-airbyte-logs-ttl]", "31");
        form.WaitForAssertion(() => Assert.Equal("31", _changed?.GetValueOrDefault("logs-ttl")));
        form.TypeInto("[data-testid=config-airbyte-logs-ttl]", "30");

        form.WaitForAssertion(() => Assert.False(_changed!.ContainsKey("logs-ttl")));
    }

    private static string ErrorOf(IRenderedComponent<ComponentConfigForm> form, string option) =>
        string.Join(" ", form.FindAll($"[data-option={option}] .mud-input-error").Select(e => e.TextContent.Trim()));

    private IRenderedComponent<ComponentConfigForm> RenderForm(
        string component,
        string kind,
        IReadOnlyDictionary<string, string?>? values = null,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? errors = null,
        IReadOnlySet<string>? readOnly = null) =>
        Render<ComponentConfigForm>(p =>
        {
            p.Add(f => f.Component, component).Add(f => f.Kind, kind).Add(f => f.ValuesChanged, v => _changed = v);
            if (values is not null)
            {
                p.Add(f => f.Values, values);
            }

            if (errors is not null)
            {
                p.Add(f => f.ServerErrors, errors);
            }

            if (readOnly is not null)
            {
                p.Add(f => f.ReadOnlyOptions, readOnly);
            }
        });
}
