using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Blueprints;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests;

/// <summary>Day 2 beyond options: adding and removing optional relations through PATCH, and previewing a change with
/// <c>POST /api/v1/stacks/{name}/preview-update</c>.</summary>
public sealed class StackDay2Tests : IClassFixture<PortalApiFactory>
{
    private const string AirbyteRoute = "airbyte:nginx-route";

    private readonly PortalApiFactory _factory;
    private readonly HttpClient _client;

    public StackDay2Tests(PortalApiFactory factory)
    {
        _factory = factory;
        _factory.ConnectTestCluster();
        _client = factory.Client();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Patch_without_an_optional_relation_removes_it_and_nothing_else()
    {
        await DeployedAsync("unroute");

        var response = await _client.PatchAsync("/api/v1/stacks/unroute", new JsonObject
        {
            ["relations"] = Relations(without: AirbyteRoute),
            ["reason"] = "only through the proxy",
        });

        var change = await JsonAsync(response, HttpStatusCode.Accepted);
        var operation = await JsonAsync(await _client.GetAsync($"/api/v1/operations/{change.GetProperty("operationId").GetGuid()}", Ct), HttpStatusCode.OK);
        var keys = operation.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("key").GetString()).ToList();
        // The route lives in the ingress's objects: removing it touches nothing else, and airbyte's pods do not roll.
        Assert.Equal(["unrelate:airbyte:nginx-route--ingress:nginx-route"], keys);
        Assert.DoesNotContain(change.GetProperty("stack").GetProperty("relations").EnumerateArray(), r => r.GetProperty("requirer").GetString() == AirbyteRoute);
        await using var context = _factory.Database();
        var audit = await context.Audit.SingleAsync(a => a.Stack == "unroute" && a.Action == "reconfigure", Ct);
        Assert.Equal("- relation airbyte:nginx-route → ingress:nginx-route", audit.Diff);
        Assert.DoesNotContain((await context.Stacks.SingleAsync(s => s.Name == "unroute", Ct)).Spec.Relations, r => r.Requirer.ToString() == AirbyteRoute);
    }

    [Fact]
    public async Task Patch_that_adds_an_optional_relation_back_provisions_it()
    {
        await DeployedAsync("reroute");
        await JsonAsync(await _client.PatchAsync("/api/v1/stacks/reroute", new JsonObject { ["relations"] = Relations(without: AirbyteRoute) }), HttpStatusCode.Accepted);
        await _factory.CompleteActiveOperationAsync("reroute");

        var response = await _client.PatchAsync("/api/v1/stacks/reroute", new JsonObject { ["relations"] = Relations() });

        var change = await JsonAsync(response, HttpStatusCode.Accepted);
        var operation = await JsonAsync(await _client.GetAsync($"/api/v1/operations/{change.GetProperty("operationId").GetGuid()}", Ct), HttpStatusCode.OK);
        Assert.Contains(operation.GetProperty("steps").EnumerateArray(), s => s.GetProperty("key").GetString() == "relate:airbyte:nginx-route--ingress:nginx-route");
    }

    [Fact]
    public async Task Patch_with_relations_and_options_the_Domain_refuses_lists_every_error_and_saves_nothing()
    {
        await DeployedAsync("broken");
        var before = await AuditCountAsync("broken");

        var response = await _client.PatchAsync("/api/v1/stacks/broken", BrokenChange());

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["airbyte.log-level", "airbyte:db", "oauth2-proxy:nginx-route"], ErrorPaths(problem).Order(StringComparer.Ordinal));
        await using var context = _factory.Database();
        var stack = await context.Stacks.SingleAsync(s => s.Name == "broken", Ct);
        Assert.Equal(BlueprintCatalog.CharmedAirbyte.Relations.Count, stack.Spec.Relations.Count);
        Assert.Single(context.Operations.Where(o => o.Stack == "broken"));
        Assert.Equal(before + 1, await AuditCountAsync("broken"));
    }

    [Theory]
    [InlineData("{\"relations\": {}}", "relations")]
    [InlineData("{\"relations\": [{\"requirer\": 5, \"provider\": \"ingress:nginx-route\"}]}", "relations[0].requirer")]
    public async Task Patch_with_malformed_relations_answers_400_with_the_path(string raw, string path)
    {
        await DeployedAsync("malformed");

        var problem = await ProblemAsync(await _client.PatchAsync("/api/v1/stacks/malformed", Json(raw), Ct), HttpStatusCode.BadRequest);

        Assert.Contains(path, ErrorPaths(problem));
    }

    [Fact]
    public async Task Preview_shows_the_changed_options_relations_plan_and_what_rolls_without_saving_auditing_or_storing_a_secret()
    {
        await DeployedAsync("preview");
        var audits = await AuditCountAsync("preview");
        var secretsStored = _factory.Secrets.Stored.Count;

        var response = await _client.PostJsonAsync("/api/v1/stacks/preview/preview-update", new JsonObject
        {
            ["config"] = new JsonObject
            {
                ["airbyte"] = new JsonObject { ["log-level"] = "DEBUG" },
                ["oauth2-proxy"] = new JsonObject { ["client-secret"] = NewClientSecret },
            },
            ["relations"] = Relations(without: AirbyteRoute),
        });

        var raw = await BodyAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(Secrets, secret => Assert.DoesNotContain(secret, raw, StringComparison.Ordinal));
        var preview = JsonDocument.Parse(raw).RootElement;
        Assert.True(preview.GetProperty("changes").GetBoolean());
        var options = preview.GetProperty("options").EnumerateArray().ToDictionary(o => $"{o.GetProperty("component").GetString()}.{o.GetProperty("option").GetString()}");
        Assert.Equal(["airbyte.log-level", "oauth2-proxy.client-secret"], options.Keys);
        Assert.Equal(JsonValueKind.Null, options["airbyte.log-level"].GetProperty("before").ValueKind);
        Assert.Equal("DEBUG", options["airbyte.log-level"].GetProperty("after").GetString());
        Assert.True(options["oauth2-proxy.client-secret"].GetProperty("secret").GetBoolean());
        Assert.Equal("(secret)", options["oauth2-proxy.client-secret"].GetProperty("after").GetString());
        var relation = Assert.Single(preview.GetProperty("relations").EnumerateArray());
        Assert.Equal(AirbyteRoute, relation.GetProperty("requirer").GetString());
        Assert.False(relation.GetProperty("added").GetBoolean());
        Assert.StartsWith("Reconfigure preview", preview.GetProperty("summary").GetString(), StringComparison.Ordinal);
        var steps = preview.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("key").GetString()).ToList();
        Assert.Contains("apply:airbyte", steps);
        var airbyte = Assert.Single(preview.GetProperty("rolls").EnumerateArray(), r => r.GetProperty("component").GetString() == "airbyte");
        Assert.Equal("airbyte log-level changed", airbyte.GetProperty("why").GetString());
        Assert.Contains("unrelate:airbyte:nginx-route--ingress:nginx-route", steps);
        Assert.Contains("~ oauth2-proxy.client-secret changed ((secret))", preview.GetProperty("diff").GetString(), StringComparison.Ordinal);

        // Nothing was saved: the spec, the operations, the audit log and the cluster's secrets are as they were.
        await using var context = _factory.Database();
        var stack = await context.Stacks.SingleAsync(s => s.Name == "preview", Ct);
        Assert.DoesNotContain("log-level", stack.Spec.Component("airbyte").Config.Keys);
        Assert.Contains(stack.Spec.Relations, r => r.Requirer.ToString() == AirbyteRoute);
        Assert.Null(stack.ActiveOperationId);
        Assert.Single(context.Operations.Where(o => o.Stack == "preview"));
        Assert.Equal(audits, await AuditCountAsync("preview"));
        Assert.Equal(secretsStored, _factory.Secrets.Stored.Count);
    }

    [Fact]
    public async Task Preview_of_a_change_the_Domain_refuses_lists_every_error_at_once_and_audits_nothing()
    {
        await DeployedAsync("preview-bad");
        var audits = await AuditCountAsync("preview-bad");

        var problem = await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks/preview-bad/preview-update", BrokenChange()), HttpStatusCode.BadRequest);

        Assert.Equal(["airbyte.log-level", "airbyte:db", "oauth2-proxy:nginx-route"], ErrorPaths(problem).Order(StringComparer.Ordinal));
        Assert.Equal(audits, await AuditCountAsync("preview-bad"));
    }

    [Fact]
    public async Task Preview_of_the_current_config_says_nothing_would_change()
    {
        await DeployedAsync("preview-same");

        var preview = await JsonAsync(await _client.PostJsonAsync("/api/v1/stacks/preview-same/preview-update", new JsonObject
        {
            ["config"] = new JsonObject { ["airbyte"] = new JsonObject { ["external-hostname"] = "preview-same.example.com" } },
            ["relations"] = Relations(),
        }), HttpStatusCode.OK);

        Assert.False(preview.GetProperty("changes").GetBoolean());
        Assert.Empty(preview.GetProperty("steps").EnumerateArray());
        Assert.Contains("Nothing changed", preview.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_is_refused_like_the_update_while_an_operation_runs_or_for_an_unknown_stack()
    {
        await _client.PostJsonAsync("/api/v1/stacks", CreateBody("preview-busy"));
        var body = new JsonObject { ["config"] = new JsonObject { ["airbyte"] = new JsonObject { ["log-level"] = "DEBUG" } } };

        var busy = await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks/preview-busy/preview-update", body), HttpStatusCode.Conflict);
        await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks/ghost/preview-update", body.DeepClone()), HttpStatusCode.NotFound);

        Assert.Contains("is busy", Detail(busy), StringComparison.Ordinal);
    }

    private static JsonObject BrokenChange() => new()
    {
        ["config"] = new JsonObject { ["airbyte"] = new JsonObject { ["log-level"] = "LOUD" } },
        ["relations"] = Relations(without: "airbyte:db", replace: (AirbyteRoute, "ingress-webhooks:nginx-route")),
    };

    /// <summary>The blueprint's relations as a request, one left out or one provider replaced.</summary>
    private static JsonArray Relations(string? without = null, (string Requirer, string Provider)? replace = null)
    {
        var array = new JsonArray();
        foreach (var relation in BlueprintCatalog.CharmedAirbyte.Relations.Where(r => r.Requirer.ToString() != without))
        {
            var provider = replace is { } r && r.Requirer == relation.Requirer.ToString() ? r.Provider : relation.Provider.ToString();
            array.Add(new JsonObject { ["requirer"] = relation.Requirer.ToString(), ["provider"] = provider });
        }

        return array;
    }

    private async Task DeployedAsync(string name)
    {
        var response = await _client.PostJsonAsync("/api/v1/stacks", CreateBody(name));
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            await _factory.CompleteActiveOperationAsync(name);
        }
    }

    private async Task<int> AuditCountAsync(string stack)
    {
        await using var context = _factory.Database();
        return await context.Audit.CountAsync(a => a.Stack == stack, Ct);
    }
}
