using System.Net.Http.Json;
using System.Text.Json;
using k8s;
using k8s.Models;
using Portal.Domain.Naming;
using Portal.Testing;

namespace Portal.Crash.Tests;

/// <summary>The portal killed with SIGKILL in the middle of a deploy, then started again on the same PostgreSQL
/// database: the operation completes from its persisted steps, and the cluster holds every object exactly once.</summary>
public sealed class CrashRecoveryTests
{
    // Generous: a hang, not a slow start on a loaded machine, is what it catches.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromMinutes(3);

    // The kinds whose objects the stack's manifests list; live objects of these kinds must match them one for one.
    private static readonly string[] RenderedKinds = ["Deployment", "StatefulSet", "Job", "Ingress", "Service"];

    [Fact]
    public async Task A_deploy_killed_mid_way_completes_after_a_restart_with_every_object_exactly_once()
    {
        var ct = TestContext.Current.CancellationToken;
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var stack = $"crash{suffix}";
        var @namespace = $"crash-{suffix}";
        var work = Directory.CreateTempSubdirectory("portal-crash-");
        await using var postgres = await CrashPostgres.CreateAsync(stack, suffix);
        Trace($"databases created; work folder {work.FullName}");
        await using var sandbox = await SandboxProcess.StartAsync(work.FullName, StartTimeout, ct);
        Trace("sandbox listening");
        var kubeconfig = sandbox.Kubeconfig;
        var token = PortalProcess.NewToken();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Portal"] = postgres.PortalConnectionString,
            ["Portal__EmbeddedSandbox"] = "false",
            ["Portal__Clusters__0__Name"] = "crash",
            ["Portal__Clusters__0__Kubeconfig"] = kubeconfig,
            ["Portal__BootstrapToken"] = token,
            ["Portal__DataDirectory"] = Path.Combine(work.FullName, "portal-data"),
        };

        PortalProcess? portal = null;
        try
        {
            // First life: start the deploy and wait until it is well under way.
            portal = await PortalProcess.StartAsync(environment, token, StartTimeout, ct);
            Trace($"portal listening on {portal.BaseAddress}");
            var created = await portal.Api.PostAsJsonAsync("/api/v1/stacks", postgres.StackBody(stack, @namespace), ct);
            var createdBody = await created.Content.ReadAsStringAsync(ct);
            Assert.True(created.IsSuccessStatusCode, $"POST /api/v1/stacks answered {(int)created.StatusCode}: {createdBody}");
            var operationId = JsonDocument.Parse(createdBody).RootElement.GetProperty("operationId").GetGuid();
            Trace($"deploy {operationId} accepted");

            var midway = await OperationSnapshot.PollAsync(portal.Api, operationId, o => o.State != "Running" || o.Steps.Count(s => s.State == "Succeeded") >= 3, StartTimeout, ct);
            Assert.True(midway.State == "Running", $"the deploy finished before the crash could interrupt it:\n{midway}");
            Trace($"mid-way: {midway.Steps.Count(s => s.State == "Succeeded")} of {midway.Steps.Count} steps done");
            await portal.KillAsync();
            var killedAt = DateTimeOffset.UtcNow;
            Trace("portal killed");
            var unfinished = midway.Steps.Where(s => s.State != "Succeeded").Select(s => s.Key).ToHashSet();
            await portal.DisposeAsync();
            portal = null;

            // Second life: same database, same configuration; the dispatcher re-delivers the orphaned steps.
            var restartedAt = DateTimeOffset.UtcNow;
            portal = await PortalProcess.StartAsync(environment, token, StartTimeout, ct);
            Trace($"portal restarted on {portal.BaseAddress}");
            var done = await OperationSnapshot.PollAsync(portal.Api, operationId, o => o.IsFinished, RecoveryTimeout, ct);
            Trace($"recovered in {DateTimeOffset.UtcNow - restartedAt}:\n{done}");
            Assert.True(done.State == "Succeeded", $"the deploy did not complete after the restart:\n{done}\n{portal.Tail()}");

            // Recovery happened: steps under way at the crash (started by the first process) were finished by the
            // second one, and the steps still to come ran there too. A step the snapshot saw unfinished may have
            // finished in the moment before the kill: the first process's own work, not recovery.
            Assert.All(done.Steps, s => Assert.True(s.Runs >= 1, $"{s.Key} never ran"));
            Assert.Contains(done.Steps, s => s.StartedAt < killedAt && s.FinishedAt > restartedAt);
            Assert.Contains(done.Steps, s => s.StartedAt > restartedAt);
            Assert.All(done.Steps.Where(s => unfinished.Contains(s.Key)), s => Assert.True(
                s.FinishedAt < killedAt || s.FinishedAt > restartedAt, $"{s.Key} finished at {s.FinishedAt}, while no portal ran"));

            var manifests = await portal.Api.GetStringAsync($"/api/v1/stacks/{stack}/manifests", ct);
            await AssertObjectsExactlyOnceAsync(kubeconfig, @namespace, manifests, ct);
            await postgres.AssertDatabasesAsync(kubeconfig, @namespace, ct);
            Trace("every object exactly once; every relation's password logs in");
        }
        finally
        {
            Trace("cleaning up");
            if (portal is not null)
            {
                await portal.DisposeAsync();
            }

            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }

    // Progress as it happens (the runner prints diagnostic messages with -diagnostics): if the test process ever dies, the
    // last line says where.
    private static void Trace(string message) =>
        TestContext.Current.SendDiagnosticMessage($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {message}");

    private static async Task AssertObjectsExactlyOnceAsync(string kubeconfig, string @namespace, string manifests, CancellationToken ct)
    {
        var expected = KubernetesYaml.LoadAllFromString(manifests)
            .OfType<IKubernetesObject<V1ObjectMeta>>()
            .Where(o => RenderedKinds.Contains(o.Kind))
            .Select(o => $"{o.Kind}/{o.Metadata.Name}")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains(expected, k => k.StartsWith("Deployment/", StringComparison.Ordinal));

        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        var live = new List<IKubernetesObject<V1ObjectMeta>>();
        live.AddRange((await client.AppsV1.ListNamespacedDeploymentAsync(@namespace, cancellationToken: ct)).Items.Select(o => Kinded(o, "Deployment")));
        live.AddRange((await client.AppsV1.ListNamespacedStatefulSetAsync(@namespace, cancellationToken: ct)).Items.Select(o => Kinded(o, "StatefulSet")));
        live.AddRange((await client.BatchV1.ListNamespacedJobAsync(@namespace, cancellationToken: ct)).Items.Select(o => Kinded(o, "Job")));
        live.AddRange((await client.NetworkingV1.ListNamespacedIngressAsync(@namespace, cancellationToken: ct)).Items.Select(o => Kinded(o, "Ingress")));
        live.AddRange((await client.CoreV1.ListNamespacedServiceAsync(@namespace, cancellationToken: ct)).Items.Select(o => Kinded(o, "Service")));
        var secrets = (await client.CoreV1.ListNamespacedSecretAsync(@namespace, cancellationToken: ct)).Items;
        live.AddRange(secrets.Select(o => Kinded(o, "Secret")));

        // No object was made twice under a generated name, and each kind/name is there once.
        Assert.All(live, o => Assert.True(string.IsNullOrEmpty(o.Metadata.GenerateName), $"{o.Kind}/{o.Metadata.Name} has a generated name"));
        var keys = live.Select(o => $"{o.Kind}/{o.Metadata.Name}").ToList();
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());

        // The rendered workloads, Services and Ingresses are all there, and nothing else of those kinds; the only Jobs
        // beyond the rendered ones are the relations' own (buckets, databases), labelled with their relation.
        var rendered = keys.Where(k => RenderedKinds.Contains(k.Split('/')[0])).ToHashSet(StringComparer.Ordinal);
        var relationJobs = live.Where(o => o.Kind == "Job" && o.Metadata.Labels?.ContainsKey(PortalLabels.Relation) == true)
            .Select(o => $"Job/{o.Metadata.Name}").Where(k => !expected.Contains(k)).ToList();
        Assert.Equal(expected, rendered.Except(relationJobs).Order(StringComparer.Ordinal).ToList());

        // Each relation has exactly one Secret.
        var relationSecrets = secrets.Where(s => s.Metadata.Labels?.ContainsKey(PortalLabels.Relation) == true).ToList();
        Assert.NotEmpty(relationSecrets);
        Assert.Equal(relationSecrets.Count, relationSecrets.Select(s => s.Metadata.Labels[PortalLabels.Relation]).Distinct(StringComparer.Ordinal).Count());
    }

    // List items come without their kind.
    private static IKubernetesObject<V1ObjectMeta> Kinded(IKubernetesObject<V1ObjectMeta> item, string kind)
    {
        item.Kind = kind;
        return item;
    }
}
