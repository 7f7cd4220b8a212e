using AngleSharp.Dom;
using Portal.Domain.Plans;
using Portal.Features.Topology;
using Portal.Provisioning.Stacks;
using Portal.Tests.Fakes;

namespace Portal.Tests.Features;

public class ComponentDrawerTests : PortalTestContext
{
    private static readonly string ServerPod = StackWorld.PodOf("airbyte-server");

    private readonly StackWorld _world = StackWorld.Healthy().CrashLoop("airbyte-server");

    public ComponentDrawerTests()
    {
        Live.Seed(_world.Snapshot());
        StackService.Views["prod"] = StoredStacks.View(_world);
    }

    private IRenderedComponent<TopologyPage> Open(string component) =>
        Render<TopologyPage>(p => p.Add(x => x.Name, "prod").Add(x => x.Component, component));

    private static IElement Drawer(IRenderedComponent<TopologyPage> page) => page.Find("[data-testid=component-drawer]");

    [Fact]
    public void The_drawer_shows_status_message_and_the_chain_down_to_the_crashing_pod_with_the_action()
    {
        var page = Open("oauth2-proxy");

        var drawer = Drawer(page);
        Assert.Contains("waiting", drawer.QuerySelector(".drawer-head")!.TextContent, StringComparison.Ordinal);
        var chain = drawer.QuerySelector("[data-testid=why-chain]")!;
        var steps = chain.QuerySelectorAll(".why-step").Select(s => s.QuerySelector(".why-name")!.TextContent).ToList();
        Assert.Equal(["oauth2-proxy", "oauth2-proxy:upstream → airbyte:upstream", "airbyte", $"Pod/{ServerPod}"], steps);
        Assert.Equal(["component", "relation", "component", "object"], chain.QuerySelectorAll(".why-subject").Select(s => s.TextContent));
        var expected = Domain.Status.WhyNotGreen.Explain(Live.Find("prod")!.Status, "oauth2-proxy");
        Assert.Contains(expected.Action, chain.QuerySelector(".why-action")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("/stacks/prod/components/airbyte", chain.QuerySelectorAll(".why-step")[2].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("/stacks/prod/relations/oauth2-proxy:upstream--airbyte:upstream", chain.QuerySelectorAll(".why-step")[1].QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void A_green_component_says_there_is_nothing_to_do()
    {
        var page = Open("postgresql");

        Assert.Contains("Nothing to do: postgresql is active", Drawer(page).QuerySelector("[data-testid=why-chain]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Objects_form_a_tree_deployment_replicaset_pods_each_with_its_health()
    {
        var page = Open("airbyte");

        var tree = Drawer(page).QuerySelector("[data-testid=object-tree]")!;
        Assert.Equal("Deployment/airbyte-server", tree.Children[0].GetAttribute("data-object"));
        var pod = tree.QuerySelector($"[data-object='Deployment/airbyte-server'] [data-object='ReplicaSet/airbyte-server-5d8f7'] [data-object='Pod/{ServerPod}']");
        Assert.NotNull(pod);
        Assert.Equal("degraded", pod.GetAttribute("data-health"));
        var facts = pod.QuerySelector(".object-facts")!.TextContent;
        Assert.Contains("CrashLoopBackOff", facts, StringComparison.Ordinal);
        Assert.Contains("0/1 ready", facts, StringComparison.Ordinal);
        Assert.Contains("5 restarts", facts, StringComparison.Ordinal);
        Assert.Contains("age 2h", facts, StringComparison.Ordinal);
        Assert.Equal("healthy", tree.QuerySelector("[data-object='Deployment/airbyte-worker']")!.GetAttribute("data-health"));
        Assert.NotNull(tree.QuerySelector("[data-object='Service/airbyte-server']"));
        Assert.NotNull(tree.QuerySelector("[data-object='Job/airbyte-bootloader']"));
    }

    [Fact]
    public void Secrets_appear_by_name_only()
    {
        var page = Open("airbyte");

        var secret = Drawer(page).QuerySelector("[data-testid=object-tree] [data-object='Secret/airbyte-auth-secrets']")!;
        Assert.DoesNotContain("instance-admin-password", secret.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("jwt-signature-secret", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Events_list_each_event_newest_first_with_its_reason()
    {
        var page = Open("airbyte");

        var events = Drawer(page).QuerySelector("[data-testid=events]")!.Children;
        Assert.Equal(2, events.Length);
        Assert.Contains("BackOff", events[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("warning", events[0].ClassList);
        Assert.Contains($"Pod/{ServerPod}", events[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Pulled", events[1].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_shows_the_operator_s_options_masks_secrets_and_marks_defaults()
    {
        var page = Open("oauth2-proxy");

        var config = page.Find("[aria-label='Config of oauth2-proxy']");
        var rows = config.QuerySelectorAll("tr").ToDictionary(r => r.QuerySelector("th")!.TextContent, r => r);
        Assert.Contains("portal-client", rows["client-id"].TextContent, StringComparison.Ordinal);
        Assert.Contains(StackViews.SecretMask, rows["client-secret"].TextContent, StringComparison.Ordinal);
        Assert.Contains(StackViews.SecretMask, rows["cookie-secret"].TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("default", rows["client-id"].ClassList);
        Assert.Contains(rows.Values, r => r.ClassList.Contains("default"));
    }

    [Fact]
    public void Relations_of_the_component_link_to_their_drawers_with_their_health()
    {
        var page = Open("airbyte");

        var relations = Drawer(page).QuerySelectorAll(".relation-row");
        Assert.Equal(5, relations.Length);
        var upstream = relations.Single(r => r.TextContent.Contains("oauth2-proxy:upstream", StringComparison.Ordinal));
        Assert.Contains("pending", upstream.TextContent, StringComparison.Ordinal);
        Assert.Equal("/stacks/prod/relations/oauth2-proxy:upstream--airbyte:upstream", upstream.QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void Recent_operations_show_only_those_that_touched_the_component_with_its_steps()
    {
        var at = StackWorld.Now - TimeSpan.FromHours(1);
        StackService.Operations["prod"] =
        [
            StoredStacks.Operation("prod", "Reconfigure", "Running", at, "raise log level", StoredStacks.Step(StepIds.Apply("temporal"), "Running")),
            StoredStacks.Operation("prod", "Deploy", "Succeeded", at - TimeSpan.FromDays(1), "first deploy",
                StoredStacks.Step(StepIds.Apply("airbyte")), StoredStacks.Step(StepIds.Await("airbyte"), "Succeeded", "airbyte is active"),
                StoredStacks.Step(StepIds.Apply("temporal"))),
        ];

        var page = Open("airbyte");

        page.WaitForAssertion(() =>
        {
            var operation = Assert.Single(Drawer(page).QuerySelectorAll(".operation"));
            Assert.Contains("Deploy", operation.TextContent, StringComparison.Ordinal);
            Assert.Contains("first deploy", operation.TextContent, StringComparison.Ordinal);
            Assert.Equal([StepIds.Apply("airbyte"), StepIds.Await("airbyte")], operation.QuerySelectorAll(".operation-step").Select(s => s.TextContent.Split(' ')[0]));
        });
    }

    [Fact]
    public async Task Logs_of_the_crashing_pod_stream_in_and_can_be_paused_resumed_and_searched()
    {
        var page = Open("airbyte");
        await PodLogs.WaitForOpenReadsAsync(1);
        var read = PodLogs.Reads.Single(r => r.Pod == ServerPod);
        Assert.Equal((StackWorld.Cluster, StackWorld.Ns, "server", PodLogsView.TailLines, true), (read.Cluster, read.Namespace, read.Container, read.TailLines, read.Follow));
        var stream = PodLogs.Stream(ServerPod, "server");

        stream.TryWrite("INFO starting server");
        stream.TryWrite("ERROR cannot connect to temporal:7233");
        page.WaitForAssertion(() => Assert.Equal(2, Lines(page).Count));

        await ClickAsync(page, "button[aria-label=Pause]");
        stream.TryWrite("INFO retrying");
        page.WaitForAssertion(() => Assert.Contains("1 new lines waiting", page.Find(".logs-state").TextContent, StringComparison.Ordinal));
        Assert.Equal(2, Lines(page).Count);

        await ClickAsync(page, "button[aria-label=Resume]");
        page.WaitForAssertion(() => Assert.Equal(["INFO starting server", "ERROR cannot connect to temporal:7233", "INFO retrying"], Lines(page)));

        await page.InvokeAsync(() => page.TypeInto("input[aria-label='Search the logs']", "error"));
        page.WaitForAssertion(() => Assert.Equal(["ERROR cannot connect to temporal:7233"], Lines(page)));
        Assert.Equal("ERROR", page.Find("[data-testid=logs] mark").TextContent);
        Assert.Contains("1 of 3 lines match", page.Find(".logs-state").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_switch_to_the_pod_asked_for_and_stop_reading_when_the_drawer_closes()
    {
        var page = Open("airbyte");
        await PodLogs.WaitForOpenReadsAsync(1);
        var worker = StackWorld.PodOf("airbyte-worker");
        PodLogs.Stream(worker, "worker").TryWrite("worker line");

        await ClickAsync(page, $"button[aria-label='Logs of {worker}']");

        page.WaitForAssertion(() => Assert.Equal(["worker line"], Lines(page)));
        await PodLogs.WaitForOpenReadsAsync(1);
        Assert.Equal([ServerPod, worker], PodLogs.Reads.Select(r => r.Pod));

        page.Render(p => p.Add(x => x.Component, null));

        await PodLogs.WaitForOpenReadsAsync(0);
    }

    [Fact]
    public async Task A_live_update_refreshes_the_drawer_and_keeps_the_log_stream()
    {
        var healthy = StackWorld.Healthy();
        var page = Open("airbyte");
        await PodLogs.WaitForOpenReadsAsync(1);
        PodLogs.Stream(ServerPod, "server").TryWrite("before the fix");
        page.WaitForAssertion(() => Assert.Single(Lines(page)));

        Live.Publish(healthy.Snapshot(), ["airbyte"]);

        page.WaitForAssertion(() => Assert.Contains("Nothing to do: airbyte is active", Drawer(page).QuerySelector("[data-testid=why-chain]")!.TextContent, StringComparison.Ordinal));
        Assert.Equal(["before the fix"], Lines(page));
        Assert.Single(PodLogs.Reads);
    }

    [Fact]
    public void An_unknown_component_says_so()
    {
        var page = Open("kafka");

        Assert.Contains("Stack prod has no component named 'kafka'", Drawer(page).TextContent, StringComparison.Ordinal);
    }

    /// <summary>Finds and clicks in one dispatch: lines render from a background reader, and a render between finding the
    /// element and clicking it would leave the click on a handler that is gone.</summary>
    private static Task ClickAsync(IRenderedComponent<TopologyPage> page, string selector) => page.InvokeAsync(() => page.Find(selector).Click());

    private static List<string> Lines(IRenderedComponent<TopologyPage> page) =>
        page.FindAll("[data-testid=logs] .log-line").Select(l => l.TextContent).ToList();
}
