using AngleSharp.Dom;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Access;
using Portal.Domain.Common;
using Portal.Features.Clusters;
using Portal.Provisioning.Stacks;

namespace Portal.Tests.Features;

public class ClustersPageTests : PortalTestContext
{
    private const string TwoContexts = "apiVersion: v1\nkind: Config\n# two contexts";

    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private readonly FakeClusterService _clusters = new();

    public ClustersPageTests()
    {
        Services.AddSingleton<IClusterService>(_clusters);
        // The kubeconfig field is debounced on MudBlazor's TimeProvider: the real clock, not the shared context's fake one.
        Services.AddSingleton(TimeProvider.System);
        SignInAs("alice", PortalRole.Admin);
        _clusters.Clusters =
        [
            new ClusterView("lab", true, "v1.31.0", null, ClusterSources.Added, ["prod", "staging"], "https://lab.example.com:6443", "lab-admin", "bob", T0),
            new ClusterView("edge", false, null, "Cluster edge is not reachable: no answer within 3 seconds.", ClusterSources.Added, [], "https://edge.example.com", "edge", "bob", T0),
            new ClusterView("sandbox", true, "v1.31.0", null, ClusterSources.Configuration, [], "https://127.0.0.1:40123"),
        ];

        // Context "a" has a user without credentials; context "b" is fine.
        _clusters.Inspections[(TwoContexts, null)] = new KubeconfigInspection(
            [
                new KubeconfigContext("a", "c1", "https://a.example.com", "u1", null, true, ["User 'u1' has no credentials: give a token."]),
                new KubeconfigContext("b", "c2", "https://b.example.com", "u2", "team", false, []),
            ],
            "a",
            [new ValidationError("kubeconfig", "User 'u1' has no credentials: give a token."), new ValidationError("kubeconfig", "Cluster 'c1' has no server URL.")]);
        _clusters.Inspections[(TwoContexts, "b")] = new KubeconfigInspection(_clusters.Inspections[(TwoContexts, null)].Contexts, "b", []);
    }

    [Fact]
    public void Every_cluster_shows_reachability_server_stacks_and_source()
    {
        var page = Render<ClustersPage>();

        var rows = page.WaitForElements("[aria-label=Clusters] tbody tr");
        Assert.Equal(3, rows.Count);
        Assert.Contains("v1.31.0", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("https://lab.example.com:6443", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("2: prod, staging", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("added by bob on 2026-11-26", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("unreachable", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("no answer within 3 seconds", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("From the portal's settings (Portal:Clusters, or the embedded sandbox): rename or remove it there.", rows[2].TextContent, StringComparison.Ordinal);
        Assert.Empty(rows[2].QuerySelectorAll("button[aria-label='Remove sandbox'], button[aria-label='Rename sandbox']"));
        Assert.NotNull(rows[0].QuerySelector("button[aria-label='Remove lab']"));
    }

    [Fact]
    public void Without_clusters_the_page_says_how_to_add_one()
    {
        _clusters.Clusters = [];

        var page = Render<ClustersPage>();

        page.WaitForAssertion(() => Assert.Contains("connected to no cluster yet", page.Find("[data-testid=no-clusters]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Adding_lists_the_contexts_with_their_servers_and_every_problem_of_the_chosen_one()
    {
        var page = OpenAddForm();

        Type(page, "input[data-testid=cluster-name]", "Lab_1");
        Paste(page, TwoContexts);

        page.WaitForAssertion(() =>
        {
            var contexts = page.Find("[aria-label=Contexts]").TextContent;
            Assert.Contains("https://a.example.com", contexts, StringComparison.Ordinal);
            Assert.Contains("https://b.example.com", contexts, StringComparison.Ordinal);
            Assert.Contains("namespace team", contexts, StringComparison.Ordinal);
            var problems = page.FindAll("[aria-label=Problems] li").Select(li => li.TextContent).ToList();
            Assert.Equal(["User 'u1' has no credentials: give a token.", "Cluster 'c1' has no server URL."], problems);
        });
        Assert.Equal("true", page.Find("input[data-testid=cluster-name]").GetAttribute("aria-invalid"));
        Assert.Contains("'Lab_1' contains", page.Find("[aria-label='Add a cluster']").TextContent, StringComparison.Ordinal);
        Assert.True(Button(page, "Test connection").HasAttribute("disabled"));
        Assert.True(Button(page, "Connect").HasAttribute("disabled"));
    }

    [Fact]
    public void Picking_a_context_without_problems_clears_them_and_allows_testing()
    {
        var page = OpenAddForm();
        Paste(page, TwoContexts);
        page.WaitForElement("[aria-label=Problems]");

        PickContext(page, "b");

        page.WaitForAssertion(() =>
        {
            Assert.Empty(page.FindAll("[aria-label=Problems]"));
            Assert.False(Button(page, "Test connection").HasAttribute("disabled"));
        });
        Assert.Equal((TwoContexts, "b"), _clusters.Inspected.Last());
    }

    [Fact]
    public void Test_connection_shows_the_server_version_and_the_missing_permissions()
    {
        _clusters.TestResult = ServiceResult<ClusterTestResult>.Ok(new ClusterTestResult(
            "b", "https://b.example.com", true, "v1.30.2", null,
            [new PermissionCheck("get", "", "secrets", true), new PermissionCheck("delete", "", "secrets", false), new PermissionCheck("patch", "apps", "deployments", true)],
            "The credentials lack 1 of the 3 permissions the portal needs cluster-wide: delete secrets.",
            []));
        var page = OpenAddForm();
        Paste(page, TwoContexts);
        PickContext(page, "b");

        page.WaitForAssertion(() => Button(page, "Test connection").Click());

        page.WaitForAssertion(() =>
        {
            var result = page.Find("[aria-label='Test result']").TextContent;
            Assert.Contains("Kubernetes v1.30.2", result, StringComparison.Ordinal);
            Assert.Contains("lack 1 of the 3 permissions", page.Find("[data-testid=permissions-summary]").TextContent, StringComparison.Ordinal);
            var secrets = page.FindAll("[aria-label=Permissions] tbody tr").Single(r => r.TextContent.Contains("secrets", StringComparison.Ordinal));
            Assert.Single(secrets.QuerySelectorAll(".denied"));
        });
        Assert.Equal((TwoContexts, "b"), _clusters.Tested.Single());
    }

    [Fact]
    public void An_unreachable_cluster_shows_why_in_the_test_result()
    {
        _clusters.TestResult = ServiceResult<ClusterTestResult>.Ok(new ClusterTestResult(
            "b", "https://b.example.com", false, null, "Cluster b could not read the server version: it is not reachable (Connection refused)", [], null, []));
        var page = OpenAddForm();
        Paste(page, TwoContexts);
        PickContext(page, "b");

        page.WaitForAssertion(() => Button(page, "Test connection").Click());

        page.WaitForAssertion(() => Assert.Contains("Connection refused", page.Find("[aria-label='Test result']").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[aria-label=Permissions]"));
    }

    [Fact]
    public void Connecting_uses_the_chosen_context_and_the_signed_in_user_then_forgets_the_kubeconfig()
    {
        var page = OpenAddForm();
        Type(page, "input[data-testid=cluster-name]", "lab2");
        Paste(page, TwoContexts);
        PickContext(page, "b");

        page.WaitForAssertion(() => Button(page, "Connect").Click());

        page.WaitForAssertion(() => Assert.Contains("Cluster lab2 is connected", page.Find("[data-testid=notice]").TextContent, StringComparison.Ordinal));
        Assert.Equal(("lab2", TwoContexts, "b", "alice"), _clusters.Connected.Single());
        Assert.Empty(page.FindAll("[aria-label='Add a cluster']"));
        Assert.DoesNotContain("two contexts", page.Markup, StringComparison.Ordinal);
        Assert.Equal(2, _clusters.ListCalls);
    }

    [Fact]
    public void A_refused_connect_shows_the_reason()
    {
        _clusters.ConnectResult = ServiceResult<ClusterView>.Conflict("A cluster named lab is already connected; choose another name.");
        var page = OpenAddForm();
        Type(page, "input[data-testid=cluster-name]", "lab");
        Paste(page, TwoContexts);
        PickContext(page, "b");

        page.WaitForAssertion(() => Button(page, "Connect").Click());

        page.WaitForAssertion(() => Assert.Contains("already connected", page.Find("[aria-label='Connect failed']").TextContent, StringComparison.Ordinal));
        Assert.NotEmpty(page.FindAll("[aria-label='Add a cluster']"));
    }

    [Fact]
    public void An_uploaded_file_is_read_like_a_pasted_kubeconfig()
    {
        var page = OpenAddForm();

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(TwoContexts, "config"));

        page.WaitForAssertion(() =>
        {
            Assert.Contains("https://b.example.com", page.Find("[aria-label=Contexts]").TextContent, StringComparison.Ordinal);
            Assert.Contains("Read from config", page.Markup, StringComparison.Ordinal);
        });
        Assert.Equal((TwoContexts, (string?)null), _clusters.Inspected.Last());
    }

    [Fact]
    public void Removing_a_cluster_with_stacks_is_refused_naming_them()
    {
        var page = Render<ClustersPage>();

        page.WaitForElement("button[aria-label='Remove lab']").Click();

        var refusal = page.Find("[aria-label='Remove refused']").TextContent;
        Assert.Contains("cannot be removed while stacks prod, staging live on it", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Contains("remove lab", StringComparison.OrdinalIgnoreCase));
        Assert.Empty(_clusters.Removed);
    }

    [Fact]
    public void Removing_a_cluster_without_stacks_asks_first_then_reloads()
    {
        var page = Render<ClustersPage>();
        page.WaitForElement("button[aria-label='Remove edge']").Click();

        Button(page, "Yes, remove edge").Click();

        page.WaitForAssertion(() => Assert.Contains("Cluster edge was removed", page.Find("[data-testid=notice]").TextContent, StringComparison.Ordinal));
        Assert.Equal(("edge", "alice"), _clusters.Removed.Single());
    }

    [Fact]
    public void A_removal_the_service_refuses_shows_its_reason()
    {
        _clusters.RemoveResult = ServiceResult<string>.Conflict("Cluster edge cannot be removed while stack late lives on it; tear them down first.");
        var page = Render<ClustersPage>();
        page.WaitForElement("button[aria-label='Remove edge']").Click();

        Button(page, "Yes, remove edge").Click();

        page.WaitForAssertion(() => Assert.Contains("stack late lives on it", page.Find("[aria-label='Remove refused']").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Renaming_checks_the_name_as_typed_and_sends_it()
    {
        var page = Render<ClustersPage>();
        page.WaitForElement("button[aria-label='Rename edge']").Click();

        Type(page, "input[data-testid=new-name]", "Edge!");
        page.WaitForAssertion(() => Assert.True(Button(page, "Rename").HasAttribute("disabled")));
        Type(page, "input[data-testid=new-name]", "edge-eu");
        page.WaitForAssertion(() => Button(page, "Rename").Click());

        page.WaitForAssertion(() => Assert.Contains("Cluster edge is now named edge-eu", page.Find("[data-testid=notice]").TextContent, StringComparison.Ordinal));
        Assert.Equal(("edge", "edge-eu", "alice"), _clusters.Renamed.Single());
    }

    [Fact]
    public void A_rename_the_service_refuses_shows_its_reason()
    {
        _clusters.RenameResult = ServiceResult<ClusterView>.Conflict("Cluster lab cannot be renamed while stacks prod, staging live on it.");
        var page = Render<ClustersPage>();
        page.WaitForElement("button[aria-label='Rename lab']").Click();
        Type(page, "input[data-testid=new-name]", "lab-2");

        page.WaitForAssertion(() => Button(page, "Rename").Click());

        page.WaitForAssertion(() => Assert.Contains("cannot be renamed while stacks prod, staging", page.Find("[aria-label='Rename refused']").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void A_viewer_sees_every_cluster_but_is_offered_no_change()
    {
        SignInAs("vera", PortalRole.Viewer);

        var page = Render<ClustersPage>();

        Assert.Equal(3, page.WaitForElements("[aria-label=Clusters] tbody tr").Count);
        Assert.Contains("needs the Admin role", page.Find("[data-testid=admin-only]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Trim() == "Add a cluster");
        Assert.Empty(page.FindAll("button[aria-label^='Rename '], button[aria-label^='Remove ']"));
    }

    [Fact]
    public void A_circuit_signed_in_as_a_viewer_is_refused_adding_testing_connecting_renaming_and_removing()
    {
        var page = OpenAddForm();
        Type(page, "input[data-testid=cluster-name]", "lab2");
        Paste(page, TwoContexts);
        PickContext(page, "b");
        page.WaitForAssertion(() => Assert.False(Button(page, "Connect").HasAttribute("disabled")));
        // The buttons were rendered for an admin; the circuit's user is now a viewer, so each action checks again as it runs.
        SignInAs("vera", PortalRole.Viewer);

        Button(page, "Test connection").Click();
        page.WaitForAssertion(() => Assert.Contains("needs the Admin role", page.Find("[aria-label='Connect failed']").TextContent, StringComparison.Ordinal));
        Button(page, "Connect").Click();
        page.WaitForAssertion(() => Assert.Contains("vera signed in with Viewer", page.Find("[aria-label='Connect failed']").TextContent, StringComparison.Ordinal));
        Button(page, "Cancel").Click();
        page.WaitForAssertion(() => Button(page, "Add a cluster").Click());
        page.WaitForAssertion(() => Assert.Contains("needs the Admin role", page.Find("[aria-label=Refused]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[aria-label='Add a cluster']"));

        page.Find("button[aria-label='Rename edge']").Click();
        Type(page, "input[data-testid=new-name]", "edge-eu");
        page.WaitForAssertion(() => Button(page, "Rename").Click());
        page.WaitForAssertion(() => Assert.Contains("needs the Admin role", page.Find("[aria-label='Rename refused']").TextContent, StringComparison.Ordinal));

        page.Find("button[aria-label='Remove edge']").Click();
        Button(page, "Yes, remove edge").Click();
        page.WaitForAssertion(() => Assert.Contains("needs the Admin role", page.Find("[aria-label='Remove refused']").TextContent, StringComparison.Ordinal));

        Assert.Empty(_clusters.Tested);
        Assert.Empty(_clusters.Connected);
        Assert.Empty(_clusters.Renamed);
        Assert.Empty(_clusters.Removed);
    }

    private IRenderedComponent<ClustersPage> OpenAddForm()
    {
        var page = Render<ClustersPage>();
        page.WaitForAssertion(() => Button(page, "Add a cluster").Click());
        page.WaitForElement("[aria-label='Add a cluster']");
        return page;
    }

    private static void Type(IRenderedComponent<ClustersPage> page, string selector, string text) =>
        page.WaitForElement(selector).Input(text);

    private static void Paste(IRenderedComponent<ClustersPage> page, string kubeconfig)
    {
        page.TypeInto("textarea[data-testid=kubeconfig]", kubeconfig);
        // The kubeconfig field is debounced: wait until the page has read it.
        page.WaitForElement("[aria-label=Contexts]");
    }

    private static void PickContext(IRenderedComponent<ClustersPage> page, string context) =>
        page.WaitForElement($"input[data-context='{context}']").Click();

    private static IElement Button(IRenderedComponent<ClustersPage> page, string text) =>
        page.FindAll("button").Single(b => b.TextContent.Trim() == text);

    /// <summary>A scripted cluster service that records what the page asked for.</summary>
    private sealed class FakeClusterService : IClusterService
    {
        public IReadOnlyList<ClusterView> Clusters { get; set; } = [];

        public Dictionary<(string, string?), KubeconfigInspection> Inspections { get; } = [];

        public List<(string?, string?)> Inspected { get; } = [];

        public List<(string?, string?)> Tested { get; } = [];

        public List<(string?, string?, string?, string)> Connected { get; } = [];

        public List<(string, string?, string)> Renamed { get; } = [];

        public List<(string, string)> Removed { get; } = [];

        public int ListCalls { get; private set; }

        public ServiceResult<ClusterTestResult>? TestResult { get; set; }

        public ServiceResult<ClusterView>? ConnectResult { get; set; }

        public ServiceResult<ClusterView>? RenameResult { get; set; }

        public ServiceResult<string>? RemoveResult { get; set; }

        public Task<IReadOnlyList<ClusterView>> ListAsync(CancellationToken cancellationToken)
        {
            ListCalls++;
            return Task.FromResult(Clusters);
        }

        public Task<ServiceResult<ClusterView>> GetAsync(string name, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("The clusters page lists; it does not get one cluster.");

        public KubeconfigInspection InspectKubeconfig(string? kubeconfig, string? context)
        {
            Inspected.Add((kubeconfig, context));
            return Inspections.TryGetValue((kubeconfig ?? "", context), out var inspection)
                ? inspection
                : new KubeconfigInspection([], null, [new ValidationError("kubeconfig", "The text is not valid YAML (line 1).")]);
        }

        public Task<ServiceResult<ClusterTestResult>> TestAsync(string? kubeconfig, string? context, CancellationToken cancellationToken)
        {
            Tested.Add((kubeconfig, context));
            return Task.FromResult(TestResult ?? throw new InvalidOperationException("No test result scripted."));
        }

        public Task<ServiceResult<ClusterView>> ConnectAsync(string? name, string? kubeconfig, string? context, string actor, CancellationToken cancellationToken)
        {
            Connected.Add((name, kubeconfig, context, actor));
            return Task.FromResult(ConnectResult ?? ServiceResult<ClusterView>.Ok(new ClusterView(name!, true, "v1.31.0", null, ClusterSources.Added, [])));
        }

        public Task<ServiceResult<ClusterView>> RenameAsync(string name, string? newName, string actor, CancellationToken cancellationToken)
        {
            Renamed.Add((name, newName, actor));
            return Task.FromResult(RenameResult ?? ServiceResult<ClusterView>.Ok(new ClusterView(newName!, true, "v1.31.0", null, ClusterSources.Added, [])));
        }

        public Task<ServiceResult<string>> RemoveAsync(string name, string actor, CancellationToken cancellationToken)
        {
            Removed.Add((name, actor));
            return Task.FromResult(RemoveResult ?? ServiceResult<string>.Ok($"Cluster {name} was removed; the portal no longer keeps its kubeconfig."));
        }
    }
}
