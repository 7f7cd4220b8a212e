using k8s;
using k8s.Models;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Status;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Live;
using Portal.Provisioning.Tests.Steps;
using Portal.Sandbox;

namespace Portal.Provisioning.Tests.Live;

/// <summary>The whole blueprint deployed into the sandbox through the real step handlers while the live state watches: it turns
/// all active; a crash loop in Airbyte turns Airbyte to error and its dependents to waiting, and removing it heals the stack.</summary>
public sealed class LiveStatusEndToEndTests
{
    [Fact]
    public async Task A_deployed_stack_turns_all_active_a_crash_loop_in_airbyte_shows_with_its_reason_and_removing_it_heals_the_stack()
    {
        var ct = TestContext.Current.CancellationToken;
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var spec = TestStacks.Minimal($"lv{suffix}", $"lv-{suffix}", config => config["postgresql"] = new() { ["mode"] = "in-cluster" });
        await using var harness = await StackHarness.StartAsync();
        await using var live = await LiveStacksHarness.StartAsync(harness.Database, harness.Get<ClusterRegistry>());
        await live.AddStackAsync(spec);
        using var subscription = live.Live.Subscribe(spec.Name);
        var initial = await LiveStacksHarness.NextAsync(subscription.Updates, "the initial update");
        Assert.True(initial.IsInitial);
        Assert.NotEqual(ComponentStatus.Active, initial.Stack.Status.Status);
        var updates = new System.Collections.Concurrent.ConcurrentQueue<LiveUpdate>();
        var reader = Task.Run(async () =>
        {
            await foreach (var update in subscription.Updates.ReadAllAsync(CancellationToken.None))
            {
                updates.Enqueue(update);
            }
        }, CancellationToken.None);

        await harness.StackSecrets.StoreInputsAsync(spec, ct);
        var deploy = await harness.RunAsync(OperationKind.Deploy, StackPlanner.Default.Deploy(spec).Value, spec);
        Assert.Equal(OperationState.Succeeded, deploy.State);

        var active = await live.WaitForAsync(spec.Name, s => s.Status.IsActive, "every component is active", TimeSpan.FromSeconds(60));
        Assert.True(active.Reachable);
        Assert.All(active.Status.Components, c => Assert.Equal(ComponentStatus.Active, c.Status));
        Assert.All(active.Status.Relations, r => Assert.True(r.Status == RelationStatus.Healthy, r.ToString()));

        // A crash loop in the Airbyte server's new pods.
        await AnnotateAsync(harness.Client, spec.Namespace, "airbyte-server", "crash-loop", ct);
        // Between restarts the pod shows CrashLoopBackOff; while a restarted container runs, "not ready after n restarts".
        var erring = await live.WaitForAsync(spec.Name, s => s.Status.Component("airbyte").Status == ComponentStatus.Error,
            "airbyte is in error", TimeSpan.FromSeconds(30));
        Assert.Contains(erring.Status.Component("airbyte").Cause!.Resource!.Reason, new[] { "CrashLoopBackOff", "NotReadyAfterRestart" });
        // The pod's status and its BackOff event come by two watches, in either order: wait for a snapshot that has both.
        var broken = await live.WaitForAsync(
            spec.Name,
            s => s.Status.Component("airbyte").Cause?.Resource?.Reason == "CrashLoopBackOff"
                && s.Observation.Events.Any(e => e.Reason == "BackOff" && e.Type == Domain.Status.Observation.EventType.Warning),
            "airbyte is in error with the crash loop as the reason, and its BackOff event is seen", TimeSpan.FromSeconds(30));
        var airbyte = broken.Status.Component("airbyte");
        Assert.Equal(ComponentStatus.Error, airbyte.Status);
        Assert.StartsWith("airbyte-server: back-off restarting failed container", airbyte.Message, StringComparison.Ordinal);
        Assert.Contains(broken.Observation.Events, e => e.Reason == "BackOff" && e.Type == Domain.Status.Observation.EventType.Warning);

        var dependents = spec.Relations.Where(r => r.Provider.Component == "airbyte").Select(r => r.Requirer.Component).Distinct().ToList();
        Assert.NotEmpty(dependents);
        foreach (var dependent in dependents)
        {
            var state = broken.Status.Component(dependent);
            Assert.True(state.Status == ComponentStatus.Waiting, $"{dependent} should wait for airbyte: {state}");
            Assert.Contains("waiting for airbyte", state.Message, StringComparison.Ordinal);
            Assert.Equal("airbyte", state.Cause!.WaitingOn);
        }

        Assert.Equal(ComponentStatus.Error, broken.Status.Status);
        var why = WhyNotGreen.Explain(broken.Status, dependents[0]);
        Assert.Equal("airbyte", why.Steps.First(s => s.Subject == DiagnosisSubject.Component && s.Name != dependents[0]).Name);

        // The fault is removed: the stack heals without any operation.
        await AnnotateAsync(harness.Client, spec.Namespace, "airbyte-server", null, ct);
        var healed = await live.WaitForAsync(spec.Name, s => s.Status.IsActive, "the stack is active again", TimeSpan.FromSeconds(60));
        Assert.True(healed.Version > broken.Version);

        // The subscriber followed along: a batch named airbyte when it broke, and the last one shows it healed.
        await live.WaitForAsync(spec.Name, _ => updates.LastOrDefault()?.Stack.Version == healed.Version, "the subscriber has the healed snapshot");
        subscription.Dispose();
        await reader.WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.DoesNotContain(updates, u => u.IsInitial);
        Assert.Contains(updates, u => u.ChangedComponents.Contains("airbyte") && u.Stack.Status.Component("airbyte").Status == ComponentStatus.Error);
        Assert.Contains(updates, u => u.Stack.Status.IsActive);

        // The secret ledger: a new revision of the Secret Airbyte loads flags Airbyte's workloads until they load it.
        var secret = Domain.Naming.ObjectNames.RelationSecret(spec.Relations.First(r => r.Requirer.Component == "airbyte" && r.Interface == Domain.Catalog.Interfaces.PostgresqlClient));
        Assert.All(healed.Status.Components, c => Assert.Empty(c.StaleSecrets));
        await SetRevisionAsync(harness.Client, spec.Namespace, secret, "2", ct);
        var flagged = await live.WaitForAsync(spec.Name, s => s.Status.Component("airbyte").StaleSecrets.Count > 0, "airbyte is flagged as running an old revision", TimeSpan.FromSeconds(30));
        Assert.All(flagged.Status.Component("airbyte").StaleSecrets, l => Assert.Equal((secret, 1, 2), (l.Secret, l.LoadedRevision, l.LiveRevision)));
        Assert.Contains(flagged.Status.Component("airbyte").StaleSecrets, l => l.Workload == "airbyte-server");
        Assert.Empty(flagged.Status.Component("minio").StaleSecrets);
        await SetRevisionAsync(harness.Client, spec.Namespace, secret, "1", ct);
        await live.WaitForAsync(spec.Name, s => s.Status.Component("airbyte").StaleSecrets.Count == 0, "the flag is gone with the revision the pods loaded", TimeSpan.FromSeconds(30));
    }

    private static Task<V1Secret> SetRevisionAsync(IKubernetes client, string @namespace, string secret, string revision, CancellationToken ct) =>
        client.CoreV1.PatchNamespacedSecretAsync(
            new V1Patch("{\"metadata\":{\"annotations\":{\"" + Domain.Naming.PortalLabels.RevisionAnnotation + "\":\"" + revision + "\"}}}", V1Patch.PatchType.MergePatch),
            secret, @namespace, cancellationToken: ct);

    private static Task<V1Deployment> AnnotateAsync(IKubernetes client, string @namespace, string deployment, string? fault, CancellationToken ct)
    {
        var value = fault is null ? "null" : $"\"{fault}\"";
        var patch = new V1Patch("{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + FaultSettings.PodAnnotation + "\":" + value + "}}}}}", V1Patch.PatchType.MergePatch);
        return client.AppsV1.PatchNamespacedDeploymentAsync(patch, deployment, @namespace, cancellationToken: ct);
    }
}
