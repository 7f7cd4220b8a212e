using System.Diagnostics;
using System.Globalization;

namespace Portal.Crash.Tests;

/// <summary>The portal's PostgreSQL restarted in the middle of a deploy: a private server (never the shared one other tests use) stopped
/// at a random moment, kept down a few seconds, and started again. The portal recovers without anyone touching it — the same process,
/// never restarted — and the deploy completes with every object once; an operation started afterwards runs too.</summary>
public sealed class PostgresRestartChaosTests
{
    private const string Scenario = "postgres-restart";
    private static readonly TimeSpan DeployTimeout = TimeSpan.FromMinutes(8);
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task The_portal_database_restarted_mid_deploy_is_recovered_from_without_intervention_and_the_deploy_completes()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = ChaosSettings.RandomFor(Scenario);
        var clock = Stopwatch.StartNew();
        await using var server = await PrivatePostgres.StartAsync(ct);
        ChaosLog.Trace(Scenario, $"private PostgreSQL on port {server.Port}");
        await using var world = await ChaosWorld.StartAsync(Scenario, ct, server.AdminConnectionString);

        var stack = new ChaosStack($"pgrestart{world.Suffix}", $"pgrestart-{world.Suffix}");
        var id = await world.StartOperationAsync(HttpMethod.Post, "/api/v1/stacks", world.Postgres.StackBody(stack.Name, stack.Namespace, ChaosWorld.Cluster), ct);
        var first = await world.PollAsync(id, _ => true, TimeSpan.FromSeconds(30), ct);
        var target = random.Next(1, first.Steps.Count * 2 / 3);
        var midway = await world.PollAsync(id, o => o.IsFinished || o.Steps.Count(s => s.State == "Succeeded") >= target, DeployTimeout, ct);
        Assert.True(midway.State == "Running", $"the deploy finished before PostgreSQL could be restarted under it:\n{midway}");

        var down = TimeSpan.FromMilliseconds(random.Next(2000, 8000));
        await server.StopAsync(ct);
        ChaosLog.Trace(Scenario, $"PostgreSQL stopped after {midway.Steps.Count(s => s.State == "Succeeded")} of {midway.Steps.Count} steps; down for {down.TotalSeconds:0.0}s");

        // The outage itself: the time the server stays down is the chaos, not a wait for a state.
        await Task.Delay(down, ct);
        await server.StartServerAsync(ct);
        var startedAt = DateTimeOffset.UtcNow;
        ChaosLog.Trace(Scenario, "PostgreSQL started again");

        var done = await world.WaitFinishedAsync(id, DeployTimeout, ct);
        var recovered = DateTimeOffset.UtcNow - startedAt;
        Assert.True(done.State == "Succeeded", $"the deploy ended {done.State} after PostgreSQL came back:\n{done}\n{world.PortalOutput()}\n{server.Log()}");
        Assert.True(world.Lives == 1 && world.Portal?.Process.HasExited == false, $"the portal did not keep running through the restart:\n{world.PortalOutput()}");
        Assert.Contains(done.Steps, s => s.FinishedAt > startedAt);

        using var client = world.Kube();
        var manifests = await world.Api.GetStringAsync($"/api/v1/stacks/{stack.Name}/manifests", ct);
        await StackChecks.AssertObjectsExactlyOnceAsync(client, stack.Namespace, manifests, ct);
        await CrashPostgres.AssertDatabasesAsync(client, stack.Namespace, stack.Name, ct);

        // The runner still takes new work: a certificate rotation starts and completes on the restarted database.
        var lanes = (await world.GetJsonAsync($"/api/v1/stacks/{stack.Name}/certificates", ct))["lanes"]!.AsArray();
        var host = (string)lanes[random.Next(lanes.Count)]!["host"]!;
        var rotation = await world.StartOperationAsync(HttpMethod.Post, $"/api/v1/stacks/{stack.Name}/certificates/{host}/rotate", new { reason = "chaos: after the restart" }, ct);
        var rotated = await world.WaitFinishedAsync(rotation, OperationTimeout, ct);
        Assert.True(rotated.State == "Succeeded", $"a certificate rotation after the restart ended {rotated.State}:\n{rotated}\n{world.PortalOutput()}");
        await StackChecks.AssertTlsSecretsAsync(client, stack.Namespace, ct);

        ChaosLog.Summary(Scenario, string.Create(CultureInfo.InvariantCulture,
            $"deploy=Succeeded stopped-after={midway.Steps.Count(s => s.State == "Succeeded")}/{midway.Steps.Count} down={down.TotalSeconds:0.0}s recovered-in={recovered.TotalSeconds:0}s portal-restarts=0 rotation-after=Succeeded checks=passed time={clock.Elapsed.TotalSeconds:0}s"));
    }
}
