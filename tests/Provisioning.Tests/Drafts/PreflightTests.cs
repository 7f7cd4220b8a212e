using System.Globalization;
using System.Text.Json;
using k8s;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Provisioning.Stacks;
using Portal.Provisioning.Tests.Deploy;

namespace Portal.Provisioning.Tests.Drafts;

/// <summary>The preflight checks against the in-process sandbox (through the portal's cluster gateway), the local PostgreSQL
/// and a local ACME directory: each check's pass and its failure as an operator would meet it.</summary>
public sealed class PreflightTests
{
    private const string Unreachable = "https://127.0.0.1:1/directory";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_draft_that_fits_the_cluster_passes_every_check_and_no_secret_is_in_the_report()
    {
        var stack = $"pf{Guid.NewGuid():N}"[..10];
        await using var postgres = await ExternalPostgres.CreateAsync(stack);
        await using var acme = await AcmeDirectoryServer.StartAsync();
        await using var harness = await DraftHarness.StartAsync();
        var command = Draft(stack, config =>
        {
            UseServer(config, postgres.Username, postgres.Password);
            config["lego"]["server"] = acme.DirectoryUrl;
            config["lego"]["acme-ca-certificates"] = acme.CaPem;
        });

        var result = await harness.Drafts.PreflightAsync(command, Ct);

        Assert.True(result.IsSuccess, result.Message);
        var report = result.Value;
        Assert.Equal((DraftHarness.ClusterName, stack), (report.Cluster, report.Namespace));
        Assert.Equal(["namespace", "dry-run", "ingress-class", "storage-class", "quota", "database-admin", "acme-directory", "hostnames"], report.Checks.Select(c => c.Id));
        Assert.All(report.Checks, c => Assert.True(c.Outcome == PreflightOutcome.Pass, $"{c.Id}: {c.Outcome} {c.Detail} {c.Remedy}"));
        Assert.All(report.Checks, c => Assert.Null(c.Remedy));
        Assert.All(report.Checks, c => Assert.False(string.IsNullOrWhiteSpace(c.Detail)));
        Assert.True(report.CanDeploy);
        Assert.Contains("does not exist yet", Check(report, "namespace").Detail, StringComparison.Ordinal);
        Assert.Contains("dry-run in namespace default", Check(report, "dry-run").Detail, StringComparison.Ordinal);
        Assert.Contains("standard", Check(report, "storage-class").Detail, StringComparison.Ordinal);
        Assert.Contains(postgres.Username, Check(report, "database-admin").Detail, StringComparison.Ordinal);

        var json = JsonSerializer.Serialize(report);
        Assert.DoesNotContain(postgres.Password, json, StringComparison.Ordinal);
        Assert.All(DraftCommands.Secrets, s => Assert.DoesNotContain(s, json, StringComparison.Ordinal));
        Assert.All(DraftCommands.Secrets.Append(postgres.Password), s => Assert.DoesNotContain(s, string.Join("\n", harness.Logs.Lines), StringComparison.Ordinal));

        // Nothing was created: the namespace, and every object the dry run sent, exist nowhere.
        var namespaces = await harness.Client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        Assert.DoesNotContain(namespaces.Items, n => n.Metadata.Name == stack);
        Assert.Empty((await harness.Client.AppsV1.ListDeploymentForAllNamespacesAsync(cancellationToken: Ct)).Items);
        Assert.Equal((0, 0), await harness.CountAsync());
    }

    [Fact]
    public async Task The_namespace_of_another_stack_or_with_objects_the_deploy_would_overwrite_fails_and_the_stack_s_own_passes()
    {
        await using var harness = await DraftHarness.StartAsync();
        await NamespaceAsync(harness, "theirs", new() { [PortalLabels.Stack] = "other" });
        await NamespaceAsync(harness, "shared");
        await harness.Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service { Metadata = new V1ObjectMeta { Name = "airbyte-server" }, Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80 }] } },
            "shared", cancellationToken: Ct);
        await NamespaceAsync(harness, "ours", new() { [PortalLabels.Stack] = "ours" });

        var theirs = Check(await PreflightAsync(harness, Draft("mine", @namespace: "theirs")), "namespace");
        var shared = Check(await PreflightAsync(harness, Draft("mine", @namespace: "shared")), "namespace");
        var ours = Check(await PreflightAsync(harness, Draft("ours")), "namespace");

        Assert.Equal(PreflightOutcome.Fail, theirs.Outcome);
        Assert.Contains("belongs to stack other", theirs.Detail, StringComparison.Ordinal);
        Assert.NotNull(theirs.Remedy);
        Assert.Equal(PreflightOutcome.Fail, shared.Outcome);
        Assert.Contains("Service/airbyte-server", shared.Detail, StringComparison.Ordinal);
        Assert.Equal(PreflightOutcome.Pass, ours.Outcome);
        Assert.Contains("already the portal's namespace of stack ours", ours.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dry_run_lists_every_object_the_api_refuses_with_the_api_s_message()
    {
        await using var harness = await DraftHarness.StartAsync(o => o.DeniedAccess = ["patch deployments.apps"]);

        var report = await PreflightAsync(harness, Draft("denied"));

        var dryRun = Check(report, "dry-run");
        Assert.Equal(PreflightOutcome.Fail, dryRun.Outcome);
        Assert.Contains("Deployment/airbyte-server: ", dryRun.Detail, StringComparison.Ordinal);
        Assert.Contains("forbidden", dryRun.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Service/", dryRun.Detail, StringComparison.Ordinal);
        Assert.NotNull(dryRun.Remedy);
        Assert.False(report.CanDeploy);
    }

    [Fact]
    public async Task A_dry_run_into_an_existing_namespace_sends_the_objects_there()
    {
        await using var harness = await DraftHarness.StartAsync();
        await NamespaceAsync(harness, "present");

        var dryRun = Check(await PreflightAsync(harness, Draft("present")), "dry-run");

        Assert.Equal(PreflightOutcome.Pass, dryRun.Outcome);
        Assert.DoesNotContain("namespace default", dryRun.Detail, StringComparison.Ordinal);
        Assert.Empty((await harness.Client.AppsV1.ListNamespacedDeploymentAsync("present", cancellationToken: Ct)).Items);
    }

    [Fact]
    public async Task A_missing_ingress_class_fails_and_says_which_classes_the_cluster_has()
    {
        await using var harness = await DraftHarness.StartAsync();

        var check = Check(await PreflightAsync(harness, Draft("classy", config => config["ingress"] = new() { ["ingress-class"] = "public" })), "ingress-class");

        Assert.Equal(PreflightOutcome.Fail, check.Outcome);
        Assert.Contains("IngressClass public (option ingress-class of ingress)", check.Detail, StringComparison.Ordinal);
        Assert.Contains("(nginx)", check.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_class_of_another_controller_warns_that_the_nginx_settings_would_be_ignored()
    {
        await using var harness = await DraftHarness.StartAsync();
        await harness.Client.NetworkingV1.CreateIngressClassAsync(
            new V1IngressClass { Metadata = new V1ObjectMeta { Name = "traefik" }, Spec = new V1IngressClassSpec { Controller = "traefik.io/ingress-controller" } },
            cancellationToken: Ct);

        var check = Check(await PreflightAsync(harness, Draft("traefik", config => config["ingress"] = new() { ["ingress-class"] = "traefik" })), "ingress-class");

        Assert.Equal(PreflightOutcome.Warn, check.Outcome);
        Assert.Contains("traefik.io/ingress-controller", check.Detail, StringComparison.Ordinal);
        Assert.NotNull(check.Remedy);
    }

    [Fact]
    public async Task Storage_warns_when_the_default_class_binds_on_first_consumer_and_fails_without_a_default()
    {
        await using var harness = await DraftHarness.StartAsync();
        await SetDefaultClassAsync(harness, "standard", false);
        await SetDefaultClassAsync(harness, "standard-wffc", true);

        var waiting = Check(await PreflightAsync(harness, Draft("wffc")), "storage-class");
        await SetDefaultClassAsync(harness, "standard-wffc", false);
        var none = Check(await PreflightAsync(harness, Draft("wffc")), "storage-class");

        Assert.Equal(PreflightOutcome.Warn, waiting.Outcome);
        Assert.Contains("standard-wffc (the default), binding mode WaitForFirstConsumer", waiting.Detail, StringComparison.Ordinal);
        Assert.Contains("when their pod is scheduled", waiting.Detail, StringComparison.Ordinal);
        Assert.Equal(PreflightOutcome.Fail, none.Outcome);
        Assert.Contains("no StorageClass is marked default", none.Detail, StringComparison.Ordinal);
        Assert.Contains("storageclass.kubernetes.io/is-default-class", none.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quota_too_small_for_the_stack_fails_naming_the_resource_and_a_roomy_one_passes()
    {
        await using var harness = await DraftHarness.StartAsync();
        await NamespaceAsync(harness, "small");
        await NamespaceAsync(harness, "roomy");
        await QuotaAsync(harness, "small", new() { ["pods"] = "2", ["requests.cpu"] = "100" });
        await QuotaAsync(harness, "roomy", new() { ["pods"] = "100", ["requests.cpu"] = "100", ["requests.memory"] = "1000Gi", ["requests.storage"] = "10Ti" });

        var small = Check(await PreflightAsync(harness, Draft("small")), "quota");
        var roomy = Check(await PreflightAsync(harness, Draft("roomy")), "quota");
        var fresh = Check(await PreflightAsync(harness, Draft("fresh")), "quota");

        Assert.Equal(PreflightOutcome.Fail, small.Outcome);
        Assert.Contains("pods needs", small.Detail, StringComparison.Ordinal);
        Assert.Contains("of 2 is left in ResourceQuota team", small.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("requests.cpu", small.Detail, StringComparison.Ordinal);
        Assert.Contains("raise ResourceQuota team", small.Remedy, StringComparison.Ordinal);
        Assert.Equal(PreflightOutcome.Pass, roomy.Outcome);
        Assert.Contains("fit in ResourceQuota team", roomy.Detail, StringComparison.Ordinal);
        Assert.Equal(PreflightOutcome.Pass, fresh.Outcome);
    }

    [Fact]
    public async Task A_wrong_database_admin_password_fails_without_showing_it_and_an_in_cluster_server_passes()
    {
        var stack = $"pw{Guid.NewGuid():N}"[..10];
        await using var postgres = await ExternalPostgres.CreateAsync(stack);
        await using var harness = await DraftHarness.StartAsync();
        const string Wrong = "not-The-Password-81";

        var wrong = Check(await PreflightAsync(harness, Draft(stack, config => UseServer(config, postgres.Username, Wrong))), "database-admin");
        var inCluster = Check(await PreflightAsync(harness, Draft(stack, config => config["postgresql"] = new() { ["mode"] = "in-cluster" })), "database-admin");

        Assert.Equal(PreflightOutcome.Fail, wrong.Outcome);
        Assert.Contains($"Cannot log in as {postgres.Username}", wrong.Detail, StringComparison.Ordinal);
        Assert.Contains("admin-password", wrong.Remedy, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, wrong.Detail + wrong.Remedy, StringComparison.Ordinal);
        Assert.DoesNotContain(postgres.Password, wrong.Detail + wrong.Remedy, StringComparison.Ordinal);
        Assert.Equal(PreflightOutcome.Pass, inCluster.Outcome);
        Assert.Contains("runs in the cluster", inCluster.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_acme_directory_warns_that_the_cluster_may_still_reach_it()
    {
        await using var harness = await DraftHarness.StartAsync();

        var report = await PreflightAsync(harness, Draft("acme"));

        var check = Check(report, "acme-directory");
        Assert.Equal(PreflightOutcome.Warn, check.Outcome);
        Assert.Contains($"{Unreachable} is not reachable from the portal", check.Detail, StringComparison.Ordinal);
        Assert.Contains("The cluster may still reach it", check.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_internal_ca_needs_no_acme_server()
    {
        await using var harness = await DraftHarness.StartAsync();

        var report = await PreflightAsync(harness, Draft("internal", config => config["lego"]["issuer"] = "internal-ca"));

        var check = Check(report, "acme-directory");
        Assert.Equal(PreflightOutcome.Pass, check.Outcome);
        Assert.Contains("internal CA: no ACME server needed", check.Detail, StringComparison.Ordinal);
        Assert.Null(check.Remedy);
    }

    [Fact]
    public async Task A_private_acme_server_is_trusted_only_through_acme_ca_certificates()
    {
        await using var acme = await AcmeDirectoryServer.StartAsync();
        await using var harness = await DraftHarness.StartAsync();

        var untrusted = Check(await PreflightAsync(harness, Draft("private", config => config["lego"]["server"] = acme.DirectoryUrl)), "acme-directory");
        var trusted = Check(await PreflightAsync(harness, Draft("private", config =>
        {
            config["lego"]["server"] = acme.DirectoryUrl;
            config["lego"]["acme-ca-certificates"] = acme.CaPem;
        })), "acme-directory");

        Assert.Equal(PreflightOutcome.Warn, untrusted.Outcome);
        Assert.Contains("is not reachable from the portal", untrusted.Detail, StringComparison.Ordinal);
        Assert.Equal(PreflightOutcome.Pass, trusted.Outcome);
        Assert.Contains("answered the portal", trusted.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostname_another_ingress_routes_fails_naming_that_ingress_and_its_namespace()
    {
        await using var harness = await DraftHarness.StartAsync();
        await NamespaceAsync(harness, "elsewhere");
        await harness.Client.NetworkingV1.CreateNamespacedIngressAsync(new V1Ingress
        {
            Metadata = new V1ObjectMeta { Name = "legacy" },
            Spec = new V1IngressSpec { IngressClassName = "nginx", Rules = [new V1IngressRule { Host = "hosts.example.com" }] },
        }, "elsewhere", cancellationToken: Ct);

        var taken = Check(await PreflightAsync(harness, Draft("hosts")), "hostnames");
        var free = Check(await PreflightAsync(harness, Draft("other")), "hostnames");

        Assert.Equal(PreflightOutcome.Fail, taken.Outcome);
        Assert.Contains("hosts.example.com is already routed by Ingress legacy in namespace elsewhere", taken.Detail, StringComparison.Ordinal);
        Assert.NotNull(taken.Remedy);
        Assert.Equal(PreflightOutcome.Pass, free.Outcome);
        Assert.Contains("other.example.com", free.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_draft_is_invalid_before_the_cluster_is_asked()
    {
        await using var harness = await DraftHarness.StartAsync();

        var result = await harness.Drafts.PreflightAsync(Draft("bad") with { Blueprint = "nope" }, Ct);

        Assert.Equal(ServiceStatus.Invalid, result.Status);
    }

    /// <summary>A valid draft whose outside servers fail fast (nothing listens): a test sets the ones it checks.</summary>
    private static CreateStackCommand Draft(string name, Action<Dictionary<string, Dictionary<string, string?>>>? configure = null, string? @namespace = null) =>
        DraftCommands.Valid(name, @namespace, config =>
        {
            config["lego"]["server"] = Unreachable;
            config["postgresql"]["host"] = "127.0.0.1";
            config["postgresql"]["port"] = "1";
            config["postgresql"]["sslmode"] = "disable";
            configure?.Invoke(config);
        });

    private static void UseServer(Dictionary<string, Dictionary<string, string?>> config, string username, string password) =>
        config["postgresql"] = new()
        {
            ["mode"] = "external",
            ["host"] = ExternalPostgres.Host,
            ["port"] = ExternalPostgres.Port.ToString(CultureInfo.InvariantCulture),
            ["sslmode"] = "disable",
            ["admin-username"] = username,
            ["admin-password"] = password,
        };

    private static async Task<PreflightReport> PreflightAsync(DraftHarness harness, CreateStackCommand command)
    {
        var result = await harness.Drafts.PreflightAsync(command, Ct);
        Assert.True(result.IsSuccess, $"{result.Status}: {result.Message} {string.Join("; ", result.Errors)}");
        Assert.Equal(8, result.Value.Checks.Count);
        return result.Value;
    }

    private static PreflightCheck Check(PreflightReport report, string id) => report.Checks.Single(c => c.Id == id);

    private static async Task NamespaceAsync(DraftHarness harness, string name, Dictionary<string, string>? labels = null)
    {
        await harness.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name, Labels = labels } }, cancellationToken: Ct);
        await harness.Sandbox.WaitForIdleAsync(Ct);
    }

    private static async Task QuotaAsync(DraftHarness harness, string ns, Dictionary<string, string> hard)
    {
        await harness.Client.CoreV1.CreateNamespacedResourceQuotaAsync(new V1ResourceQuota
        {
            Metadata = new V1ObjectMeta { Name = "team" },
            Spec = new V1ResourceQuotaSpec { Hard = hard.ToDictionary(p => p.Key, p => new ResourceQuantity(p.Value)) },
        }, ns, cancellationToken: Ct);
        await harness.Sandbox.WaitForIdleAsync(Ct);
    }

    private static async Task SetDefaultClassAsync(DraftHarness harness, string name, bool isDefault)
    {
        var value = isDefault ? "true" : "false";
        var patch = new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject
            {
                ["annotations"] = new System.Text.Json.Nodes.JsonObject { ["storageclass.kubernetes.io/is-default-class"] = value },
            },
        }.ToJsonString();
        await harness.Client.StorageV1.PatchStorageClassAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, cancellationToken: Ct);
    }
}
