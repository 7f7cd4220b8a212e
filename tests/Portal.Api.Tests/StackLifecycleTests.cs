using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests;

/// <summary>Day 2 through the API: reconfigure, tear down, and one operation at a time.</summary>
public sealed class StackLifecycleTests : IClassFixture<PortalApiFactory>
{
    private readonly PortalApiFactory _factory;
    private readonly HttpClient _client;

    public StackLifecycleTests(PortalApiFactory factory)
    {
        _factory = factory;
        _factory.ConnectTestCluster();
        _client = factory.Client();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_change_while_an_operation_runs_is_refused_with_409_naming_it()
    {
        var deploy = await CreateAsync("busy");

        var patch = await _client.PatchAsync("/api/v1/stacks/busy", Config("airbyte", "log-level", "DEBUG"));
        var delete = await _client.DeleteAsync("/api/v1/stacks/busy?reason=cleanup", Ct);

        foreach (var response in new[] { patch, delete })
        {
            var problem = await ProblemAsync(response, HttpStatusCode.Conflict);
            Assert.Equal($"stack busy is busy: operation {deploy} (Deploy) is running", Detail(problem));
        }

        await using var context = _factory.Database();
        Assert.Single(context.Operations.Where(o => o.Stack == "busy"));
        Assert.DoesNotContain("log-level", (await context.Stacks.SingleAsync(s => s.Name == "busy", Ct)).Spec.Component("airbyte").Config.Keys);
    }

    [Fact]
    public async Task Patch_after_deploy_starts_a_reconfigure_of_what_changed_and_audits_the_diff()
    {
        await CreateAsync("recon");
        await _factory.CompleteActiveOperationAsync("recon");

        var response = await _client.PatchAsync("/api/v1/stacks/recon", new JsonObject
        {
            ["config"] = new JsonObject { ["airbyte"] = new JsonObject { ["log-level"] = "DEBUG" } },
            ["reason"] = "chasing a sync bug",
        });

        var change = await JsonAsync(response, HttpStatusCode.Accepted);
        var operationId = change.GetProperty("operationId").GetGuid();
        var operation = await JsonAsync(await _client.GetAsync($"/api/v1/operations/{operationId}", Ct), HttpStatusCode.OK);
        Assert.Equal("Reconfigure", operation.GetProperty("kind").GetString());
        Assert.Equal("chasing a sync bug", operation.GetProperty("reason").GetString());
        var keys = operation.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("key").GetString()).ToList();
        Assert.Contains("apply:airbyte", keys);
        Assert.DoesNotContain("apply:temporal", keys);
        await using var context = _factory.Database();
        var audit = await context.Audit.SingleAsync(a => a.Stack == "recon" && a.Action == "reconfigure", Ct);
        Assert.Equal("chasing a sync bug", audit.Reason);
        Assert.Equal("+ airbyte.log-level = DEBUG", audit.Diff);
        Assert.Equal(operationId, audit.OperationId);
    }

    [Fact]
    public async Task Patch_with_the_same_config_answers_200_nothing_changed_without_an_operation()
    {
        await CreateAsync("same");
        await _factory.CompleteActiveOperationAsync("same");

        var response = await _client.PatchAsync("/api/v1/stacks/same", Config("airbyte", "external-hostname", "same.example.com"));

        var change = await JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal(JsonValueKindNull, change.GetProperty("operationId").ValueKind);
        Assert.Contains("Nothing changed", change.GetProperty("message").GetString(), StringComparison.Ordinal);
        await using var context = _factory.Database();
        Assert.Single(context.Operations.Where(o => o.Stack == "same"));
    }

    [Fact]
    public async Task Patch_with_null_removes_the_explicit_value_so_the_default_applies()
    {
        var body = CreateBody("nulls");
        body["config"]!["airbyte"]!["log-level"] = "DEBUG";
        await JsonAsync(await _client.PostJsonAsync("/api/v1/stacks", body), HttpStatusCode.Accepted);
        await _factory.CompleteActiveOperationAsync("nulls");

        var response = await _client.PatchAsync("/api/v1/stacks/nulls", Config("airbyte", "log-level", null));

        await JsonAsync(response, HttpStatusCode.Accepted);
        await using var context = _factory.Database();
        Assert.DoesNotContain("log-level", (await context.Stacks.SingleAsync(s => s.Name == "nulls", Ct)).Spec.Component("airbyte").Config.Keys);
    }

    [Fact]
    public async Task Patch_with_a_new_secret_stores_it_and_audits_it_masked()
    {
        await CreateAsync("rotate");
        await _factory.CompleteActiveOperationAsync("rotate");

        var response = await _client.PatchAsync("/api/v1/stacks/rotate", Config("oauth2-proxy", "client-secret", NewClientSecret));

        await BodyAsync(response);
        Assert.True(response.IsSuccessStatusCode, response.StatusCode.ToString());
        Assert.Contains(_factory.Secrets.Stored, s => s.Name == "rotate" && s.Component("oauth2-proxy").Config["client-secret"] == NewClientSecret);
        await using var context = _factory.Database();
        var audit = await context.Audit.SingleAsync(a => a.Stack == "rotate" && a.Action == "reconfigure", Ct);
        Assert.Contains("oauth2-proxy.client-secret changed ((secret))", audit.Diff, StringComparison.Ordinal);
        Assert.DoesNotContain(NewClientSecret, audit.Diff + audit.Result, StringComparison.Ordinal);
        Assert.DoesNotContain(NewClientSecret, (await context.Stacks.SingleAsync(s => s.Name == "rotate", Ct)).Spec.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_with_invalid_values_lists_every_error_and_changes_nothing()
    {
        await CreateAsync("invalid");
        await _factory.CompleteActiveOperationAsync("invalid");

        var response = await _client.PatchAsync("/api/v1/stacks/invalid", new JsonObject
        {
            ["config"] = new JsonObject
            {
                ["airbyte"] = new JsonObject { ["log-level"] = "LOUD" },
                ["ingress"] = new JsonObject { ["whitelist-source-range"] = "300.1.1.1/8" },
                ["postgresql"] = new JsonObject { ["port"] = 0 },
            },
        });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["airbyte.log-level", "ingress.whitelist-source-range", "postgresql.port"], ErrorPaths(problem));
        await using var context = _factory.Database();
        Assert.Single(context.Operations.Where(o => o.Stack == "invalid"));
        var spec = (await context.Stacks.SingleAsync(s => s.Name == "invalid", Ct)).Spec;
        Assert.Equal("5432", spec.Component("postgresql").Config["port"]);
    }

    public static TheoryData<string, string> BadPatches => new()
    {
        { "{}", "config" },
        { "{\"config\": []}", "config" },
        { "{\"config\": {\"airbyte\": {\"log-level\": [\"DEBUG\"]}}}", "airbyte.log-level" },
        { "{\"config\": {}, \"reason\": 5}", "reason" },
        { "{\"config\": {}, \"why\": \"x\"}", "why" },
    };

    [Theory]
    [MemberData(nameof(BadPatches))]
    public async Task Patch_with_a_bad_body_answers_400_with_the_path(string raw, string path)
    {
        await EnsureAsync("patchy");

        var response = await _client.PatchAsync("/api/v1/stacks/patchy", Json(raw), Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(path, ErrorPaths(problem));
    }

    [Fact]
    public async Task A_reason_over_the_limit_answers_400_naming_the_reason_and_changes_nothing()
    {
        await CreateAsync("wordy");
        await _factory.CompleteActiveOperationAsync("wordy");
        int version;
        await using (var before = _factory.Database())
        {
            version = (await before.Stacks.SingleAsync(s => s.Name == "wordy", Ct)).Version;
        }

        var response = await _client.PatchAsync("/api/v1/stacks/wordy", new JsonObject
        {
            ["config"] = new JsonObject { ["airbyte"] = new JsonObject { ["log-level"] = "DEBUG" } },
            ["reason"] = new string('x', Domain.Values.ReasonText.MaxLength + 1),
        });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["reason"], ErrorPaths(problem));
        Assert.Equal("The reason is 1001 characters long; at most 1000 are allowed.", problem.GetProperty("errors").GetProperty("reason")[0].GetString());
        await using var context = _factory.Database();
        var stack = await context.Stacks.SingleAsync(s => s.Name == "wordy", Ct);
        Assert.Equal(version, stack.Version);
        Assert.DoesNotContain("log-level", stack.Spec.Component("airbyte").Config.Keys);
        Assert.DoesNotContain(context.Operations, o => o.Stack == "wordy" && o.Kind == Domain.Operations.OperationKind.Reconfigure);
        var audit = await context.Audit.SingleAsync(a => a.Stack == "wordy" && a.Action == "reconfigure", Ct);
        Assert.StartsWith("refused: reason: The reason is 1001 characters long", audit.Result, StringComparison.Ordinal);
        Assert.True(audit.Reason!.Length <= Domain.Values.ReasonText.MaxLength, $"{audit.Reason.Length} characters audited");
    }

    [Fact]
    public async Task Patch_or_delete_an_unknown_stack_answers_404()
    {
        await ProblemAsync(await _client.PatchAsync("/api/v1/stacks/ghost", Config("airbyte", "log-level", "DEBUG")), HttpStatusCode.NotFound);
        await ProblemAsync(await _client.DeleteAsync("/api/v1/stacks/ghost?reason=x", Ct), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/api/v1/stacks/keep", new[] { "reason" })]
    [InlineData("/api/v1/stacks/keep?deleteNamespace=true", new[] { "delete-namespace", "reason" })]
    [InlineData("/api/v1/stacks/keep?deleteVolumes=maybe&reason=x", new[] { "deleteVolumes" })]
    [InlineData("/api/v1/stacks/keep?deleteVolumes=maybe", new[] { "deleteVolumes", "reason" })]
    public async Task Delete_with_bad_options_lists_every_problem_and_starts_nothing(string url, string[] paths)
    {
        await EnsureAsync("keep");

        var problem = await ProblemAsync(await _client.DeleteAsync(url, Ct), HttpStatusCode.BadRequest);

        Assert.Equal(paths, ErrorPaths(problem));
        await using var context = _factory.Database();
        Assert.DoesNotContain(context.Operations, o => o.Stack == "keep" && o.Kind == Domain.Operations.OperationKind.Teardown);
    }

    [Fact]
    public async Task Delete_with_a_reason_in_the_body_starts_a_teardown_that_reports_what_it_keeps()
    {
        await CreateAsync("gone");
        await _factory.CompleteActiveOperationAsync("gone");

        var response = await _client.SendJsonAsync(HttpMethod.Delete, "/api/v1/stacks/gone?dropDatabases=true", new JsonObject { ["reason"] = "moved to new cluster" });

        var change = await JsonAsync(response, HttpStatusCode.Accepted);
        var id = change.GetProperty("operationId").GetGuid();
        Assert.Equal($"/api/v1/operations/{id}", response.Headers.Location?.ToString());
        var operation = await JsonAsync(await _client.GetAsync($"/api/v1/operations/{id}", Ct), HttpStatusCode.OK);
        Assert.Equal("Teardown", operation.GetProperty("kind").GetString());
        Assert.Contains(operation.GetProperty("keeps").EnumerateArray(), k => k.GetString()!.Contains("namespace gone", StringComparison.Ordinal));
        await using var context = _factory.Database();
        var audit = await context.Audit.SingleAsync(a => a.Stack == "gone" && a.Action == "teardown", Ct);
        Assert.Equal("moved to new cluster", audit.Reason);
        Assert.Contains("drop databases: yes", audit.Diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stack_torn_down_can_be_created_again_under_its_name()
    {
        await CreateAsync("phoenix");
        await _factory.CompleteActiveOperationAsync("phoenix");
        await JsonAsync(await _client.DeleteAsync("/api/v1/stacks/phoenix?reason=rebuild", Ct), HttpStatusCode.Accepted);
        var refused = await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks", CreateBody("phoenix")), HttpStatusCode.Conflict);
        Assert.Contains("A stack named phoenix already exists", Detail(refused), StringComparison.Ordinal);
        await _factory.CompleteActiveOperationAsync("phoenix");

        var again = await JsonAsync(await _client.PostJsonAsync("/api/v1/stacks", CreateBody("phoenix")), HttpStatusCode.Accepted);

        Assert.Equal("Deploy", again.GetProperty("stack").GetProperty("activeOperation").GetProperty("kind").GetString());
        await using var context = _factory.Database();
        Assert.Single(context.Stacks.Where(s => s.Name == "phoenix"));
        Assert.Equal(3, context.Operations.Count(o => o.Stack == "phoenix"));
    }

    [Fact]
    public async Task An_operation_shows_its_steps_and_can_be_cancelled_then_retried()
    {
        var id = await CreateAsync("ops");

        var operation = await JsonAsync(await _client.GetAsync($"/api/v1/operations/{id}", Ct), HttpStatusCode.OK);
        Assert.Equal("Running", operation.GetProperty("state").GetString());
        Assert.Equal("ops", operation.GetProperty("stack").GetString());
        var first = operation.GetProperty("steps")[0];
        Assert.Equal("Queued", first.GetProperty("state").GetString());
        Assert.Equal(0, first.GetProperty("attempts").GetInt32());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("description").GetString()));
        Assert.Contains(operation.GetProperty("steps").EnumerateArray(), s => s.GetProperty("waitsFor").GetString()!.StartsWith("waits for", StringComparison.Ordinal));

        var retryRunning = await ProblemAsync(await _client.PostAsync($"/api/v1/operations/{id}/retry", null, Ct), HttpStatusCode.Conflict);
        Assert.Contains("only a failed or cancelled operation can be retried", Detail(retryRunning), StringComparison.Ordinal);

        var cancelled = await JsonAsync(await _client.PostAsync($"/api/v1/operations/{id}/cancel", null, Ct), HttpStatusCode.Accepted);
        Assert.Equal("Cancelled", cancelled.GetProperty("state").GetString());
        var stack = await JsonAsync(await _client.GetAsync("/api/v1/stacks/ops", Ct), HttpStatusCode.OK);
        Assert.Equal(JsonValueKindNull, stack.GetProperty("activeOperation").ValueKind);

        var again = await ProblemAsync(await _client.PostAsync($"/api/v1/operations/{id}/cancel", null, Ct), HttpStatusCode.Conflict);
        Assert.Contains("only a running operation can be cancelled", Detail(again), StringComparison.Ordinal);

        var retried = await JsonAsync(await _client.PostAsync($"/api/v1/operations/{id}/retry", null, Ct), HttpStatusCode.Accepted);
        Assert.Equal("Running", retried.GetProperty("state").GetString());
        stack = await JsonAsync(await _client.GetAsync("/api/v1/stacks/ops", Ct), HttpStatusCode.OK);
        Assert.Equal(id, stack.GetProperty("activeOperation").GetProperty("id").GetGuid());
        await using var context = _factory.Database();
        Assert.Equal(["cancel", "cancel", "create", "retry", "retry"], context.Audit.Where(a => a.Stack == "ops").Select(a => a.Action).AsEnumerable().Order().ToArray());
    }

    [Theory]
    [InlineData("/api/v1/operations/not-a-guid")]
    [InlineData("/api/v1/operations/6f1e4a7b-0000-4000-8000-000000000000")]
    public async Task An_unknown_operation_answers_404_on_every_verb(string url)
    {
        await ProblemAsync(await _client.GetAsync(url, Ct), HttpStatusCode.NotFound);
        await ProblemAsync(await _client.PostAsync(url + "/retry", null, Ct), HttpStatusCode.NotFound);
        await ProblemAsync(await _client.PostAsync(url + "/cancel", null, Ct), HttpStatusCode.NotFound);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    private static JsonObject Config(string component, string option, string? value) =>
        new() { ["config"] = new JsonObject { [component] = new JsonObject { [option] = value } } };

    private async Task<Guid> CreateAsync(string name)
    {
        var body = await JsonAsync(await _client.PostJsonAsync("/api/v1/stacks", CreateBody(name)), HttpStatusCode.Accepted);
        return body.GetProperty("operationId").GetGuid();
    }

    private async Task EnsureAsync(string name)
    {
        var response = await _client.PostJsonAsync("/api/v1/stacks", CreateBody(name));
        Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict, response.StatusCode.ToString());
    }
}
