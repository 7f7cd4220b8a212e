using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Domain.Common;
using Portal.Features.Deploy;
using Portal.Provisioning.Stacks;
using Portal.Tests.Fakes;

namespace Portal.Tests.Features;

public class DeployPageTests : PortalTestContext
{
    private readonly FakeClusterList _clusters = new();
    private readonly FakeStackDrafts _drafts = new();
    private readonly OperationsStackService _stacks = new();
    private readonly FakeDeployDraftStore _store = new();

    public DeployPageTests()
    {
        Services.AddSingleton<IClusterService>(_clusters);
        Services.AddSingleton<IStackDrafts>(_drafts);
        Services.AddSingleton<IStackService>(_stacks);
        Services.AddSingleton<IDeployDraftStore>(_store);
        Services.AddScoped<DeployDraft>();
        // The inputs are debounced on MudBlazor's TimeProvider: the real clock, not the shared context's fake one.
        Services.AddSingleton(TimeProvider.System);
        SignInAs("olivia", PortalRole.Operator);
        _clusters.Clusters =
        [
            new ClusterView("sandbox", true, "v1.31.0", null),
            new ClusterView("edge", false, null, "Cluster edge is not reachable: no answer within 3 seconds."),
        ];
    }

    private static Dictionary<string, IReadOnlyDictionary<string, string?>> ValidConfig() => new(StringComparer.Ordinal)
    {
        ["airbyte"] = new Dictionary<string, string?> { ["external-hostname"] = "airbyte.example.com" },
        ["airbyte-webhooks"] = new Dictionary<string, string?> { ["external-hostname"] = "hooks.example.com", ["image"] = "registry.example.com/hooks:1.0" },
        ["oauth2-proxy"] = new Dictionary<string, string?> { ["provider"] = "github", ["client-id"] = "portal", ["client-secret"] = "s3cr3t-value" },
        ["lego"] = new Dictionary<string, string?> { ["email"] = "ops@example.com" },
        ["postgresql"] = new Dictionary<string, string?> { ["mode"] = "in-cluster" },
    };

    [Fact]
    public void Unreachable_clusters_show_why_and_cannot_be_chosen_the_only_reachable_one_is_preselected()
    {
        var page = Open();

        var edge = page.Find("[data-cluster=edge]");
        Assert.Contains("no answer within 3 seconds", edge.TextContent, StringComparison.Ordinal);
        Assert.True(edge.QuerySelector("input")!.HasAttribute("disabled"));
        Assert.True(page.Find("[data-cluster=sandbox] input").HasAttribute("checked"));
    }

    [Fact]
    public void Next_is_blocked_by_an_invalid_stack_name_and_opens_once_it_is_fixed()
    {
        var page = Open();

        page.TypeInto("input[data-testid=stack-name]", "Airbyte_Prod");
        page.WaitForAssertion(() => Assert.Contains("Airbyte_Prod", ErrorUnder(page, "stack-name"), StringComparison.Ordinal));
        page.Find("[data-testid=next]").Click();

        page.WaitForAssertion(() => Assert.Contains("Fix the fields marked in red", page.Find("[data-testid=step-problem]").TextContent, StringComparison.Ordinal));
        Assert.Equal("1", page.Find("[data-testid=wizard]").GetAttribute("data-step"));

        page.TypeInto("input[data-testid=stack-name]", "airbyte-prod");
        page.WaitForAssertion(() => Assert.Empty(ErrorUnder(page, "stack-name")));
        page.Find("[data-testid=next]").Click();

        page.WaitForAssertion(() => Assert.Equal("2", page.Find("[data-testid=wizard]").GetAttribute("data-step")));
        Assert.EndsWith("/deploy?step=2", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=blueprint-diagram] svg"));
    }

    [Fact]
    public void A_reserved_namespace_is_refused_as_it_is_typed()
    {
        var page = Open();

        page.TypeInto("input[data-testid=namespace]", "kube-system");

        page.WaitForAssertion(() => Assert.Contains("belongs to Kubernetes itself", ErrorUnder(page, "namespace"), StringComparison.Ordinal));
    }

    [Fact]
    public void Leaving_the_config_step_with_empty_required_options_is_blocked_and_each_tab_counts_its_errors()
    {
        Prepare(reached: DeployPage.ConfigStep, config: []);
        var page = Open(step: 3);

        page.Find("[data-testid=next]").Click();

        page.WaitForAssertion(() => Assert.Equal("3", page.Find("[data-testid=errors-oauth2-proxy]").TextContent));
        Assert.Equal("1", page.Find("[data-testid=errors-airbyte]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=errors-temporal]"));
        Assert.Equal("3", page.Find("[data-testid=wizard]").GetAttribute("data-step"));
        Assert.Empty(_drafts.Validated);
        Assert.Contains("external-hostname is required", page.Find("[data-option=external-hostname]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_from_the_stack_service_land_next_to_their_fields()
    {
        Prepare(reached: DeployPage.ConfigStep);
        _drafts.Validation = ServiceResult<string>.Invalid(
        [
            new ValidationError("config.oauth2-proxy.client-id", "client-id is not registered at github."),
            new ValidationError("airbyte.external-hostname", "airbyte.example.com is already routed by Ingress other/web."),
            new ValidationError("airbyte:nginx-route", "airbyte:nginx-route accepts 1 but has 2."),
        ]);
        var page = Open(step: 3);
        page.WaitForElement("[data-testid=next]");

        await page.InvokeAsync(() => page.Find("[data-testid=next]").Click());

        // Every assertion waits: the validation answer and the tab switch each re-render on their own schedule.
        page.WaitForAssertion(() =>
        {
            Assert.Contains("already routed by Ingress other/web", page.Find("[data-testid=config-airbyte] [data-option=external-hostname]").TextContent, StringComparison.Ordinal);
            Assert.Equal("1", page.Find("[data-testid=errors-airbyte]").TextContent);
            Assert.Equal("1", page.Find("[data-testid=errors-oauth2-proxy]").TextContent);
            Assert.Contains("accepts 1 but has 2", page.Find("[data-testid=other-errors]").TextContent, StringComparison.Ordinal);
        });
        Assert.Equal("3", page.Find("[data-testid=wizard]").GetAttribute("data-step"));

        await page.InvokeAsync(() => page.Find("[data-testid=tab-oauth2-proxy]").Click());
        page.WaitForAssertion(() => Assert.Contains("not registered at github", page.Find("[data-testid=config-oauth2-proxy] [data-option=client-id]").TextContent, StringComparison.Ordinal));
        Assert.Equal("s3cr3t-value", _drafts.Validated.Single().Config!["oauth2-proxy"]["client-secret"]);
    }

    [Fact]
    public void Preflight_lists_each_check_with_its_outcome_and_a_failure_blocks_next_until_a_rerun_passes()
    {
        Prepare(reached: DeployPage.PreflightStep);
        _drafts.Preflight = FakeStackDrafts.Report(
            (PreflightOutcome.Pass, null),
            (PreflightOutcome.Warn, "Set a ResourceQuota if you want one."),
            (PreflightOutcome.Fail, "Install an ingress controller with IngressClass nginx."));
        var page = Open(step: 4);

        var checks = page.WaitForElements("[data-testid=preflight] li");
        Assert.Equal(["pass", "warn", "fail"], checks.Select(c => c.GetAttribute("data-outcome")));
        Assert.Contains("Install an ingress controller", checks[2].TextContent, StringComparison.Ordinal);
        Assert.Contains("Detail of check 2.", checks[2].TextContent, StringComparison.Ordinal);
        Assert.True(page.Find("[data-testid=next]").HasAttribute("disabled"));

        _drafts.Preflight = FakeStackDrafts.Report((PreflightOutcome.Pass, null), (PreflightOutcome.Warn, "Set a ResourceQuota if you want one."));
        page.Find("[data-testid=rerun-preflight]").Click();

        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=next]").HasAttribute("disabled")));
        Assert.Equal(2, _drafts.PreflightCalls);
        page.Find("[data-testid=next]").Click();
        page.WaitForAssertion(() => Assert.Equal("5", page.Find("[data-testid=wizard]").GetAttribute("data-step")));
    }

    [Fact]
    public void The_plan_preview_lists_the_steps_in_order_and_shows_an_objects_yaml()
    {
        Prepare(reached: DeployPage.PreviewStep);
        var page = Open(step: 5);

        var rows = page.WaitForElements("[data-testid=plan-steps] tbody tr");
        Assert.Equal(["namespace:airbyte-prod", "apply:postgresql", "await:postgresql"], rows.Select(r => r.GetAttribute("data-step")));
        Assert.Contains("postgresql to accept connections", rows[2].TextContent, StringComparison.Ordinal);
        Assert.Contains("apply:postgresql", rows[2].QuerySelector(".depends")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=object-yaml]"));

        page.Find("[data-object='Secret/postgresql-superuser']").Click();

        var yaml = page.Find("[data-testid=object-yaml]");
        Assert.Equal("pre", yaml.TagName, ignoreCase: true);
        Assert.Contains("password: <redacted>", yaml.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_creates_the_stack_with_the_typed_values_and_opens_its_progress()
    {
        Prepare(reached: DeployPage.DeployStep);
        var page = Open(step: 6);

        page.Find("input[data-testid=reason]").Change("ticket OPS-42");
        page.Find("[data-testid=deploy]").Click();

        page.WaitForAssertion(() => Assert.Single(_stacks.Created));
        var (command, actor) = _stacks.Created[0];
        Assert.Equal("olivia", actor);
        Assert.Equal(("airbyte-prod", "sandbox", "airbyte-prod", "charmed-airbyte", "ticket OPS-42"), (command.Name, command.Cluster, command.Namespace, command.Blueprint, command.Reason));
        Assert.Equal("airbyte.example.com", command.Config!["airbyte"]["external-hostname"]);
        Assert.Equal("s3cr3t-value", command.Config["oauth2-proxy"]["client-secret"]);
        Assert.EndsWith($"/operations/{OperationsStackService.StartedOperation}", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal);
        Assert.Null(_store.Saved);
    }

    [Fact]
    public void A_reason_the_service_refuses_is_shown_under_the_reason_field_and_nothing_opens()
    {
        const string Refused = "The reason has a control character (U+0000) at line 1, position 7; only printable characters, tabs and line breaks are allowed.";
        _stacks.CreateAnswer = ServiceResult<StackChange>.Invalid("reason", Refused);
        Prepare(reached: DeployPage.DeployStep);
        var page = Open(step: 6);
        var before = Services.GetRequiredService<NavigationManager>().Uri;

        page.Find("input[data-testid=reason]").Change("OPS-42\0");
        page.Find("[data-testid=deploy]").Click();

        page.WaitForAssertion(() => Assert.Equal(Refused, ReasonError(page)));
        Assert.Equal(before, Services.GetRequiredService<NavigationManager>().Uri);

        // Typing again clears it until the service answers again.
        page.Find("input[data-testid=reason]").Change("OPS-42");
        page.WaitForAssertion(() => Assert.Equal("", ReasonError(page)));
    }

    [Fact]
    public void The_circuit_refuses_a_deploy_from_someone_who_is_no_longer_an_operator()
    {
        Prepare(reached: DeployPage.DeployStep);
        var page = Open(step: 6);

        SignInAs("olivia", PortalRole.Viewer);
        page.Find("[data-testid=deploy]").Click();

        page.WaitForAssertion(() => Assert.Contains("needs the Operator role", page.Find("[data-testid=step-problem]").TextContent, StringComparison.Ordinal));
        Assert.Empty(_stacks.Created);
    }

    [Fact]
    public async Task A_reload_keeps_the_step_and_what_was_typed_but_no_secret()
    {
        Prepare(reached: DeployPage.ConfigStep);
        var snapshot = Services.GetRequiredService<DeployDraft>().ToSnapshot();
        Assert.False(snapshot.Config!["oauth2-proxy"].ContainsKey("client-secret"));
        Assert.Equal("portal", snapshot.Config["oauth2-proxy"]["client-id"]);

        // A reload is a new circuit: a fresh draft, filled from the tab's session.
        await using var reloaded = new PortalReload(snapshot);
        var page = reloaded.Open(step: 3);

        page.WaitForAssertion(() => Assert.Equal("3", page.Find("[data-testid=wizard]").GetAttribute("data-step")));
        Assert.Equal("airbyte.example.com", page.Find("input[data-testid=config-airbyte-external-hostname]").GetAttribute("value"));
        page.Find("[data-testid=next]").Click();
        page.WaitForAssertion(() => Assert.Equal("1", page.Find("[data-testid=errors-oauth2-proxy]").TextContent));
    }

    [Fact]
    public void The_address_cannot_skip_steps_that_were_never_checked()
    {
        var page = Open(step: 5);

        Assert.Equal("1", page.Find("[data-testid=wizard]").GetAttribute("data-step"));
    }

    private static string ReasonError(IRenderedComponent<DeployPage> page) =>
        page.Find("input[data-testid=reason]").Closest(".mud-input-control")?.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent.Trim() ?? "";

    private static string ErrorUnder(IRenderedComponent<DeployPage> page, string testId) =>
        string.Join(" ", page.FindAll($"[data-field={testId}] .mud-input-error").Select(e => e.TextContent.Trim()));

    private void Prepare(int reached, Dictionary<string, IReadOnlyDictionary<string, string?>>? config = null)
    {
        var draft = Services.GetRequiredService<DeployDraft>();
        draft.Name = "airbyte-prod";
        draft.Cluster = "sandbox";
        draft.Reached = reached;
        foreach (var (component, values) in config ?? ValidConfig())
        {
            draft.Config[component] = values;
        }
    }

    private IRenderedComponent<DeployPage> Open(int? step = null)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(step is null ? "/deploy" : $"/deploy?step={step}");
        var page = Render<DeployPage>();
        page.WaitForElement("[data-testid=wizard]");
        return page;
    }

    /// <summary>The same page in a new circuit whose tab kept a draft snapshot.</summary>
    private sealed class PortalReload : PortalTestContext
    {
        public PortalReload(DeployDraftSnapshot saved)
        {
            Services.AddSingleton<IClusterService>(new FakeClusterList { Clusters = [new ClusterView("sandbox", true, "v1.31.0", null)] });
            Services.AddSingleton<IStackDrafts>(new FakeStackDrafts());
            Services.AddSingleton<IStackService>(new OperationsStackService());
            Services.AddSingleton<IDeployDraftStore>(new FakeDeployDraftStore { Saved = saved });
            Services.AddScoped<DeployDraft>();
            Services.AddSingleton(TimeProvider.System);
            SignInAs("olivia", PortalRole.Operator);
        }

        public IRenderedComponent<DeployPage> Open(int step)
        {
            Services.GetRequiredService<NavigationManager>().NavigateTo($"/deploy?step={step}");
            return Render<DeployPage>();
        }
    }
}
