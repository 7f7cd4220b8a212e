using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Portal.Crash.Tests;

/// <summary>The portal killed with SIGKILL at a random moment of each of <see cref="ChaosSettings.Kills"/> operations — deploys of new
/// stacks, reconfigures, secret rotations and certificate rotations, chosen by the seeded random source — and started again on the same
/// PostgreSQL database each time. After each: the operation ends (succeeded: nothing else goes wrong in this scenario) within a bounded
/// wait, steps under way at the kill finish only in the next life, no operation is left running, every stack's objects exist exactly
/// once, no Secret revision is lost or rewritten (kept <c>-rev-N</c> copies as they were), every TLS Secret holds its own key, and the
/// database password in each relation Secret logs in.</summary>
/// <remarks>The first three kills are always a deploy, a secret rotation and a certificate rotation (CI's short variant covers each);
/// the rest are random.</remarks>
public sealed class PortalKillChaosTests
{
    private const string Scenario = "kill";
    private const int MaxStacks = 3;

    // Bounded: an operation that needs longer after a restart is stuck, and that is what it catches.
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task The_portal_killed_at_random_moments_of_deploys_and_rotations_finishes_every_operation_and_loses_no_object_or_revision()
    {
        var ct = TestContext.Current.CancellationToken;
        var random = ChaosSettings.RandomFor(Scenario);
        var clock = Stopwatch.StartNew();
        ChaosLog.Trace(Scenario, $"seed {ChaosSettings.Seed}, {ChaosSettings.Kills} kills, budget {ChaosSettings.Budget}");
        await using var world = await ChaosWorld.StartAsync(Scenario, ct);
        var stacks = new List<ChaosStack>();
        var operations = new List<Guid>();
        var kills = new List<string>();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var midway = 0;

        for (var kill = 1; kill <= ChaosSettings.Kills; kill++)
        {
            Assert.True(clock.Elapsed < ChaosSettings.Budget,
                $"the budget of {ChaosSettings.Budget} ran out after {kill - 1} of {ChaosSettings.Kills} kills:\n{string.Join("\n", kills)}");
            var before = await LedgersAsync(world, stacks, ct);
            var action = await StartActionAsync(world, kill, random, stacks, ct);
            operations.Add(action.OperationId);

            // Kill once k of the operation's steps have succeeded, plus a random moment more.
            var first = await world.PollAsync(action.OperationId, _ => true, TimeSpan.FromSeconds(30), ct);
            var target = random.Next(0, first.Steps.Count);
            var jitter = TimeSpan.FromMilliseconds(random.Next(0, 1000));
            await world.PollAsync(action.OperationId, o => o.IsFinished || o.Steps.Count(s => s.State == "Succeeded") >= target, OperationTimeout, ct);
            await Task.Delay(jitter, ct);
            var snapshot = await world.PollAsync(action.OperationId, _ => true, TimeSpan.FromSeconds(30), ct);
            await world.KillPortalAsync();
            var killedAt = DateTimeOffset.UtcNow;
            var unfinished = snapshot.Steps.Where(s => s.State != "Succeeded").Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
            ChaosLog.Trace(Scenario, $"kill {kill}: {action.Description}: killed after {snapshot.Steps.Count - unfinished.Count} of {snapshot.Steps.Count} steps ({snapshot.State})");

            var restartedAt = DateTimeOffset.UtcNow;
            await world.StartPortalAsync(ct);
            var done = await world.WaitFinishedAsync(action.OperationId, OperationTimeout, ct);
            var recovered = DateTimeOffset.UtcNow - restartedAt;
            Assert.True(done.State == "Succeeded", $"kill {kill}: {action.Description} ended {done.State} after the restart:\n{done}\n{world.PortalOutput()}");

            // A step unfinished at the kill finished before it (in the moment between the snapshot and the kill) or in the next life,
            // never while no portal ran; each step ran.
            Assert.All(done.Steps, s => Assert.True(s.Runs >= 1, $"{s.Key} never ran"));
            Assert.All(done.Steps.Where(s => unfinished.Contains(s.Key)), s => Assert.True(
                s.FinishedAt < killedAt || s.FinishedAt > restartedAt, $"{s.Key} finished at {s.FinishedAt:O}, while no portal ran"));
            var landed = done.Steps.Any(s => s.FinishedAt > restartedAt);
            midway += landed ? 1 : 0;

            if (action.Deployed is { } deployed)
            {
                stacks.Add(deployed);
            }

            await AssertEverythingAsync(world, stacks, operations, before, ct);
            await action.Check(ct);
            counts[action.Kind] = counts.GetValueOrDefault(action.Kind) + 1;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"kill {kill}: {action.Description}: killed after {snapshot.Steps.Count - unfinished.Count}/{snapshot.Steps.Count} steps{(landed ? "" : " (the operation had ended)")}, {done.State} {recovered.TotalSeconds:0}s after the restart");
            kills.Add(line);
            ChaosLog.Trace(Scenario, line + "; every check holds");
        }

        ChaosLog.Summary(Scenario, string.Create(CultureInfo.InvariantCulture,
            $"kills={ChaosSettings.Kills} mid-operation={midway} {string.Join(" ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"))} stacks={stacks.Count} all-succeeded=yes checks=passed time={clock.Elapsed.TotalSeconds:0}s"));
        foreach (var line in kills)
        {
            ChaosLog.Trace(Scenario, line);
        }
    }

    // The first three kills cover a deploy, a secret rotation and a certificate rotation; then the seeded source picks.
    private static async Task<ChaosAction> StartActionAsync(ChaosWorld world, int kill, Random random, List<ChaosStack> stacks, CancellationToken ct)
    {
        var kind = kill switch
        {
            1 => "deploy",
            2 => "rotate-secret",
            3 => "rotate-certificate",
            _ => random.NextDouble() switch
            {
                < 0.2 when stacks.Count < MaxStacks => "deploy",
                < 0.35 => "reconfigure",
                < 0.75 => "rotate-secret",
                _ => "rotate-certificate",
            },
        };
        if (stacks.Count == 0)
        {
            kind = "deploy";
        }

        return kind switch
        {
            "deploy" => await DeployAsync(world, stacks.Count + 1, ct),
            "reconfigure" => await ReconfigureAsync(world, stacks[random.Next(stacks.Count)], ct),
            "rotate-secret" => await RotateSecretAsync(world, stacks[random.Next(stacks.Count)], random, ct),
            _ => await RotateCertificateAsync(world, stacks[random.Next(stacks.Count)], random, ct),
        };
    }

    private static async Task<ChaosAction> DeployAsync(ChaosWorld world, int number, CancellationToken ct)
    {
        var stack = new ChaosStack($"chaos{world.Suffix}{number}", $"chaos-{world.Suffix}-{number}");
        var id = await world.StartOperationAsync(HttpMethod.Post, "/api/v1/stacks", world.Postgres.StackBody(stack.Name, stack.Namespace, ChaosWorld.Cluster), ct);
        return new ChaosAction("deploy", $"deploy of {stack.Name}", id, _ => Task.CompletedTask) { Deployed = stack };
    }

    private static async Task<ChaosAction> ReconfigureAsync(ChaosWorld world, ChaosStack stack, CancellationToken ct)
    {
        var view = await world.GetJsonAsync($"/api/v1/stacks/{stack.Name}", ct);
        var airbyte = view["components"]!.AsArray().First(c => (string)c!["name"]! == "airbyte")!;
        var level = airbyte["config"]?["log-level"]?.GetValue<string>() == "DEBUG" ? "INFO" : "DEBUG";
        var id = await world.StartOperationAsync(HttpMethod.Patch, $"/api/v1/stacks/{stack.Name}", new
        {
            config = new Dictionary<string, Dictionary<string, string>> { ["airbyte"] = new() { ["log-level"] = level } },
            reason = "chaos: reconfigure",
        }, ct);
        return new ChaosAction("reconfigure", $"reconfigure of {stack.Name} (airbyte log-level {level})", id, async c =>
        {
            var after = await world.GetJsonAsync($"/api/v1/stacks/{stack.Name}", c);
            Assert.Equal(level, after["components"]!.AsArray().First(x => (string)x!["name"]! == "airbyte")!["config"]!["log-level"]!.GetValue<string>());
        });
    }

    // A random secret the inventory offers to rotate; one the portal refuses right now (a dual-validity secret in its grace period)
    // is passed over for the next.
    private static async Task<ChaosAction> RotateSecretAsync(ChaosWorld world, ChaosStack stack, Random random, CancellationToken ct)
    {
        var inventory = await world.GetJsonAsync($"/api/v1/stacks/{stack.Name}/secrets", ct);
        var candidates = inventory["secrets"]!.AsArray().Where(s => s!["notRotatable"] is null).Select(s => s!).ToList();
        Assert.NotEmpty(candidates);
        var refusals = new List<string>();
        foreach (var secret in candidates.OrderBy(_ => random.Next()).ToList())
        {
            var id = (string)secret["id"]!;
            var body = new JsonObject { ["reason"] = "chaos: rotate" };
            if ((string?)secret["rotation"] == "operator-supplied")
            {
                body["value"] = $"chaos-{Convert.ToHexString(RandomNumberGenerator.GetBytes(12))}";
            }

            using var response = await world.Api.PostAsJsonAsync($"/api/v1/stacks/{stack.Name}/secrets/{id}/rotate", body, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                Assert.True((int)response.StatusCode is 400 or 409, $"rotating {id} answered {(int)response.StatusCode}: {text}");
                refusals.Add($"{id}: {text}");
                continue;
            }

            var revision = (int)secret["revision"]!;
            var fingerprint = (string?)secret["fingerprint"];
            var operation = JsonNode.Parse(text)!["operationId"]!.GetValue<Guid>();
            return new ChaosAction("rotate-secret", $"rotation of {stack.Name}/{id} (revision {revision})", operation, async c =>
            {
                var now = (await world.GetJsonAsync($"/api/v1/stacks/{stack.Name}/secrets", c))["secrets"]!.AsArray().First(s => (string)s!["id"]! == id)!;
                Assert.True((int)now["revision"]! == revision + 1, $"{id} is at revision {now["revision"]} after its rotation from revision {revision}");
                Assert.NotEqual(fingerprint, (string?)now["fingerprint"]);
                Assert.Contains(revision, now["keptRevisions"]!.AsArray().Select(r => (int)r!));
            });
        }

        Assert.Fail($"every rotatable secret of {stack.Name} was refused:\n{string.Join("\n", refusals)}");
        return null!;
    }

    private static async Task<ChaosAction> RotateCertificateAsync(ChaosWorld world, ChaosStack stack, Random random, CancellationToken ct)
    {
        var lanes = (await world.GetJsonAsync($"/api/v1/stacks/{stack.Name}/certificates", ct))["lanes"]!.AsArray().Select(l => l!).ToList();
        Assert.NotEmpty(lanes);
        var lane = lanes[random.Next(lanes.Count)];
        var host = (string)lane["host"]!;
        var serial = (string?)lane["live"]?["serialNumber"];
        var id = await world.StartOperationAsync(HttpMethod.Post, $"/api/v1/stacks/{stack.Name}/certificates/{host}/rotate", new { reason = "chaos: rotate" }, ct);
        return new ChaosAction("rotate-certificate", $"certificate rotation of {stack.Name}/{host}", id, async c =>
        {
            var now = (await world.GetJsonAsync($"/api/v1/stacks/{stack.Name}/certificates", c))["lanes"]!.AsArray().First(l => (string)l!["host"]! == host)!;
            Assert.NotNull(now["live"]);
            Assert.NotEqual(serial, (string?)now["live"]!["serialNumber"]);
        });
    }

    private static async Task<Dictionary<string, SecretLedger>> LedgersAsync(ChaosWorld world, IEnumerable<ChaosStack> stacks, CancellationToken ct)
    {
        using var client = world.Kube();
        var ledgers = new Dictionary<string, SecretLedger>(StringComparer.Ordinal);
        foreach (var stack in stacks)
        {
            ledgers[stack.Namespace] = await SecretLedger.ReadAsync(client, stack.Namespace, ct);
        }

        return ledgers;
    }

    // Every invariant, over every stack: no operation left running, every object once, no revision lost, TLS Secrets whole, every
    // relation's password logs in.
    private static async Task AssertEverythingAsync(
        ChaosWorld world, List<ChaosStack> stacks, List<Guid> operations, Dictionary<string, SecretLedger> before, CancellationToken ct)
    {
        foreach (var id in operations)
        {
            var operation = await world.PollAsync(id, _ => true, TimeSpan.FromSeconds(30), ct);
            Assert.True(operation.IsFinished, $"operation {id} is still {operation.State}:\n{operation}");
        }

        // The stack is free again once its operation has ended (the runner frees it, or the next start does).
        foreach (var stack in stacks)
        {
            var free = await WaitAsync(async () => (await world.GetJsonAsync($"/api/v1/stacks/{stack.Name}", ct))["activeOperation"] is null, TimeSpan.FromSeconds(30), ct);
            Assert.True(free, $"stack {stack.Name} still has an active operation, though every operation has ended");
        }

        using var client = world.Kube();
        var problems = new List<string>();
        foreach (var stack in stacks)
        {
            var manifests = await world.Api.GetStringAsync($"/api/v1/stacks/{stack.Name}/manifests", ct);
            await StackChecks.AssertObjectsExactlyOnceAsync(client, stack.Namespace, manifests, ct);
            await StackChecks.AssertTlsSecretsAsync(client, stack.Namespace, ct);
            await CrashPostgres.AssertDatabasesAsync(client, stack.Namespace, stack.Name, ct);
            var ledger = await SecretLedger.ReadAsync(client, stack.Namespace, ct);
            problems.AddRange(ledger.ProblemsSince(before.GetValueOrDefault(stack.Namespace) ?? SecretLedger.Empty, stack.Namespace));

            // The inventory's revisions agree: every kept revision of a secret is older than its live one.
            var inventory = await world.GetJsonAsync($"/api/v1/stacks/{stack.Name}/secrets", ct);
            foreach (var secret in inventory["secrets"]!.AsArray())
            {
                var revision = (int)secret!["revision"]!;
                var kept = secret["keptRevisions"]!.AsArray().Select(r => (int)r!).ToList();
                if (kept.Any(r => r >= revision) || kept.Distinct().Count() != kept.Count)
                {
                    problems.Add($"{stack.Name}/{secret["id"]}: revision {revision} live, kept {string.Join(", ", kept)}");
                }
            }
        }

        Assert.True(problems.Count == 0, $"secret revisions:\n{string.Join("\n", problems)}");
    }

    private static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(200, ct);
        }

        return true;
    }
}

/// <summary>A stack the chaos test deployed.</summary>
internal sealed record ChaosStack(string Name, string Namespace);

/// <summary>An operation the chaos test started: its kind and description, its id, what must hold once it has succeeded, and the stack
/// it deploys (for a deploy).</summary>
internal sealed record ChaosAction(string Kind, string Description, Guid OperationId, Func<CancellationToken, Task> Check)
{
    public ChaosStack? Deployed { get; init; }
}
