using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests;

/// <summary>Creating, reading and validating stacks through <c>/api/v1/stacks</c>.</summary>
public sealed class StacksApiTests : IClassFixture<PortalApiFactory>
{
    private readonly PortalApiFactory _factory;
    private readonly HttpClient _client;

    public StacksApiTests(PortalApiFactory factory)
    {
        _factory = factory;
        _factory.ConnectTestCluster();
        _client = factory.Client();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_ValidStack_Returns202WithLocationAndStartsTheDeploy()
    {
        var response = await _client.PostJsonAsync("/api/v1/stacks", CreateBody("alpha"));

        var body = await JsonAsync(response, HttpStatusCode.Accepted);
        Assert.Equal("/api/v1/stacks/alpha", response.Headers.Location?.ToString());
        var operationId = body.GetProperty("operationId").GetGuid();
        var stack = body.GetProperty("stack");
        Assert.Equal("alpha", stack.GetProperty("name").GetString());
        Assert.Equal("alpha", stack.GetProperty("namespace").GetString());
        Assert.Equal("Running", stack.GetProperty("activeOperation").GetProperty("state").GetString());
        Assert.Equal("Deploy", stack.GetProperty("activeOperation").GetProperty("kind").GetString());

        await using var context = _factory.Database();
        var record = await context.Stacks.SingleAsync(s => s.Name == "alpha", Ct);
        Assert.Equal(operationId, record.ActiveOperationId);
        Assert.True(record.Version > 0);
        Assert.Null(record.Spec.Component("oauth2-proxy").Config.GetValueOrDefault("client-secret"));
        Assert.Equal("5432", record.Spec.Component("postgresql").Config["port"]);
        var operation = await context.Operations.Include(o => o.Steps).SingleAsync(o => o.Id == operationId, Ct);
        Assert.Equal("bootstrap-token", operation.RequestedBy);
        var due = operation.Steps.Where(s => s.State == Domain.Operations.StepState.Queued).Select(s => s.Id).ToList();
        Assert.NotEmpty(due);
        Assert.All(due, id => Assert.Contains(id, _factory.Scheduler.Enqueued));

        // The secret inputs went to the secret store, with their values, and nowhere else.
        var stored = _factory.Secrets.Stored.Last(s => s.Name == "alpha");
        Assert.Equal(ClientSecret, stored.Component("oauth2-proxy").Config["client-secret"]);
        var audit = await context.Audit.SingleAsync(a => a.Stack == "alpha" && a.Action == "create", Ct);
        Assert.Equal("bootstrap-token", audit.Actor);
        Assert.Equal(operationId, audit.OperationId);
        Assert.StartsWith("accepted", audit.Result, StringComparison.Ordinal);
        Assert.Contains("oauth2-proxy.client-secret = (secret)", audit.Diff, StringComparison.Ordinal);
        await AssertNoSecretStoredAsync();
    }

    [Fact]
    public async Task Get_ShowsSecretOptionsMaskedAndTheActiveOperation()
    {
        await CreateAsync("beta");

        var stack = await JsonAsync(await _client.GetAsync("/api/v1/stacks/beta", Ct), HttpStatusCode.OK);

        var components = stack.GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("(secret)", components["oauth2-proxy"].GetProperty("config").GetProperty("client-secret").GetString());
        Assert.Equal("(secret)", components["postgresql"].GetProperty("config").GetProperty("admin-password").GetString());
        Assert.Equal("github", components["oauth2-proxy"].GetProperty("config").GetProperty("provider").GetString());
        Assert.Contains(stack.GetProperty("relations").EnumerateArray(), r =>
            r.GetProperty("requirer").GetString() == "airbyte:db" && r.GetProperty("provider").GetString() == "postgresql:database");
        Assert.Equal("Deploy", stack.GetProperty("activeOperation").GetProperty("kind").GetString());
        Assert.False(stack.GetProperty("deployed").GetBoolean());

        var list = await JsonAsync(await _client.GetAsync("/api/v1/stacks", Ct), HttpStatusCode.OK);
        Assert.Contains(list.EnumerateArray(), s => s.GetProperty("name").GetString() == "beta");
    }

    [Fact]
    public async Task Get_ShowsAnOptionalSecretAsSetOnlyWhenItWasGiven()
    {
        var body = CreateBody("theta");
        body["config"]!["lego"]!["eab-kid"] = "kid-1";
        body["config"]!["lego"]!["eab-hmac"] = "eab-hmac-value-never-shown";
        var created = await _client.PostJsonAsync("/api/v1/stacks", body);
        await JsonAsync(created, HttpStatusCode.Accepted);

        var stack = await JsonAsync(await _client.GetAsync("/api/v1/stacks/theta", Ct), HttpStatusCode.OK);

        var lego = stack.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "lego").GetProperty("config");
        Assert.Equal("(secret)", lego.GetProperty("eab-hmac").GetString());
        Assert.False(lego.TryGetProperty("plugin-credentials", out _), "plugin-credentials was never given, so it must not show as set");
        Assert.DoesNotContain("eab-hmac-value-never-shown", stack.GetRawText(), StringComparison.Ordinal);
        await using var context = _factory.Database();
        var record = await context.Stacks.SingleAsync(s => s.Name == "theta", Ct);
        Assert.Contains("lego.eab-hmac", record.SecretOptions);
        await AssertNoSecretStoredAsync();
    }

    [Theory]
    [InlineData("/api/v1/stacks/nope")]
    [InlineData("/api/v1/stacks/nope/manifests")]
    [InlineData("/api/v1/stacks/nope/export/juju-bundle")]
    [InlineData("/api/v1/stacks/nope/export/kubernetes")]
    public async Task Get_UnknownStack_Returns404Problem(string url)
    {
        var problem = await ProblemAsync(await _client.GetAsync(url, Ct), HttpStatusCode.NotFound);

        Assert.Contains("no stack named nope", Detail(problem), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithManyProblems_Returns400ListingEveryPathAndPersistsNothing()
    {
        var body = CreateBody("Bad_Name");
        body["cluster"] = "tset";
        body["config"]!["ingress"] = new JsonObject { ["whitelist-source-range"] = "10.0.0.0/33" };
        body["config"]!["airbyte"]!["log-level"] = "LOUD";
        body["config"]!["oauth2-proxy"]!.AsObject().Remove("client-id");

        var problem = await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks", body), HttpStatusCode.BadRequest);

        var paths = ErrorPaths(problem);
        Assert.Contains("name", paths);
        Assert.Contains("cluster", paths);
        Assert.Contains("ingress.whitelist-source-range", paths);
        Assert.Contains("airbyte.log-level", paths);
        Assert.Contains("oauth2-proxy.client-id", paths);
        Assert.Contains("not a known cluster", problem.GetProperty("errors").GetProperty("cluster")[0].GetString(), StringComparison.Ordinal);
        await AssertNothingPersistedAsync("Bad_Name");
        Assert.DoesNotContain(_factory.Secrets.Stored, s => s.Name == "Bad_Name");
    }

    public static TheoryData<string, string?, string> MalformedBodies => new()
    {
        { "{\"name\": \"x\",", "application/json", "not valid JSON" },
        { "name=x", "application/x-www-form-urlencoded", "must be JSON" },
        { "{\"name\": \"x\"}", "text/plain", "must be JSON" },
        { "", "application/json", "needs a JSON body" },
        { "[1, 2]", "application/json", "must be a JSON object" },
        { "\"text\"", "application/json", "must be a JSON object" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Create_MalformedBody_Returns400WithASentence(string raw, string? contentType, string expected)
    {
        var content = new StringContent(raw);
        content.Headers.ContentType = contentType is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);

        var response = await _client.PostAsync("/api/v1/stacks", content, Ct);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(expected, Detail(problem), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WrongJsonTypes_Returns400WithEveryPath()
    {
        var body = CreateBody("gamma");
        body["name"] = 5;
        body["namespace"] = new JsonArray();
        body["config"]!["airbyte"]!["external-hostname"] = new JsonObject { ["x"] = 1 };
        body["config"]!["lego"] = "ops@example.com";
        body["config"]!["postgresql"]!["port"] = new JsonArray(5432);
        body["relations"] = new JsonArray(new JsonObject { ["requirer"] = 1, ["provider"] = "postgresql:database" }, "airbyte:db");
        body["confg"] = new JsonObject();

        var problem = await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks", body), HttpStatusCode.BadRequest);

        Assert.Equal(
            ["airbyte.external-hostname", "confg", "lego", "name", "namespace", "postgresql.port", "relations[0].requirer", "relations[1]"],
            ErrorPaths(problem));
        await AssertNothingPersistedAsync("gamma");
    }

    [Fact]
    public async Task Create_NumbersAndBooleansAsOptionValues_AreAcceptedAsText()
    {
        var body = CreateBody("delta");
        body["config"]!["airbyte"]!["replicas"] = 2;
        // No kind has a boolean option; a free-text option shows the conversion as well.
        body["config"]!["oauth2-proxy"]!["client-id"] = true;

        var response = await _client.PostJsonAsync("/api/v1/stacks", body);

        var accepted = await JsonAsync(response, HttpStatusCode.Accepted);
        var components = accepted.GetProperty("stack").GetProperty("components").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("2", components["airbyte"].GetProperty("config").GetProperty("replicas").GetString());
        Assert.Equal("true", components["oauth2-proxy"].GetProperty("config").GetProperty("client-id").GetString());
    }

    [Fact]
    public async Task Create_SameNameTwice_Returns409AndKeepsTheFirst()
    {
        await CreateAsync("epsilon");
        var again = CreateBody("epsilon");
        again["namespace"] = "elsewhere";

        var problem = await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks", again), HttpStatusCode.Conflict);

        Assert.Contains("A stack named epsilon already exists", Detail(problem), StringComparison.Ordinal);
        await using var context = _factory.Database();
        Assert.Equal("epsilon", (await context.Stacks.SingleAsync(s => s.Name == "epsilon", Ct)).Namespace);
        Assert.Single(context.Operations.Where(o => o.Stack == "epsilon"));
    }

    [Fact]
    public async Task Create_SameClusterAndNamespace_Returns409()
    {
        await CreateAsync("zeta");
        var other = CreateBody("zeta-two");
        other["namespace"] = "zeta";

        var problem = await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks", other), HttpStatusCode.Conflict);

        Assert.Contains("Namespace zeta on cluster test already holds stack zeta", Detail(problem), StringComparison.Ordinal);
        await AssertNothingPersistedAsync("zeta-two");
    }

    [Fact]
    public async Task Create_WhenTheClusterCannotTakeTheSecrets_Returns503AndSavesNothing()
    {
        var problem = await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks", CreateBody("unreachable-one")), HttpStatusCode.ServiceUnavailable);

        Assert.Contains("nothing was saved", Detail(problem), StringComparison.Ordinal);
        Assert.Contains("not reachable", Detail(problem), StringComparison.Ordinal);
        await AssertNothingPersistedAsync("unreachable-one");
    }

    [Fact]
    public async Task Create_WhenABugThrows_Returns500ProblemWithATraceIdAndSavesNothing()
    {
        var response = await _factory.Client(allowServerErrors: true).PostJsonAsync("/api/v1/stacks", CreateBody("crash-one"));

        var problem = await ProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.Contains("trace id", Detail(problem), StringComparison.Ordinal);
        Assert.DoesNotContain("A bug in the secret store", problem.ToString(), StringComparison.Ordinal);
        Assert.Contains(_factory.Logs, line => line.StartsWith("Error: API call POST /api/v1/stacks failed unexpectedly", StringComparison.Ordinal));
        await AssertNothingPersistedAsync("crash-one");
    }

    [Fact]
    public async Task Manifests_AreMultiDocumentYamlWithoutSecretValues()
    {
        await CreateAsync("eta");

        var response = await _client.GetAsync("/api/v1/stacks/eta/manifests", Ct);

        var yaml = await BodyAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/yaml", response.Content.Headers.ContentType?.MediaType);
        var documents = yaml.Split("\n---\n");
        Assert.True(documents.Length > 10, $"Only {documents.Length} documents.");
        Assert.Contains(documents, d => d.Contains("kind: Deployment", StringComparison.Ordinal));
        Assert.All(documents, d => Assert.Contains("namespace: eta", d, StringComparison.Ordinal));
        Assert.Contains("secretKeyRef", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exports_download_kubernetes_yaml_and_a_juju_bundle_without_secret_values()
    {
        await CreateAsync("iota");

        var kubernetes = await _client.GetAsync("/api/v1/stacks/iota/export/kubernetes", Ct);
        var manifests = await BodyAsync(await _client.GetAsync("/api/v1/stacks/iota/manifests", Ct));
        Assert.Equal(HttpStatusCode.OK, kubernetes.StatusCode);
        Assert.Equal("iota-kubernetes.yaml", kubernetes.Content.Headers.ContentDisposition?.FileNameStar ?? kubernetes.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal(manifests, await BodyAsync(kubernetes));

        var bundle = await _client.GetAsync("/api/v1/stacks/iota/export/juju-bundle", Ct);
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.Equal("application/yaml", bundle.Content.Headers.ContentType?.MediaType);
        Assert.Equal("iota-bundle.yaml", bundle.Content.Headers.ContentDisposition?.FileNameStar ?? bundle.Content.Headers.ContentDisposition?.FileName);
        var yaml = await BodyAsync(bundle);
        var document = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(yaml);
        Assert.Equal("kubernetes", document["bundle"]);
        var applications = (Dictionary<object, object>)document["applications"];
        Assert.Contains("airbyte", applications.Keys);
        Assert.Equal(12, ((List<object>)document["relations"]).Count);
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, yaml, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/stacks/prod%0A/export/juju-bundle")]
    [InlineData("/stacks/prod/export/juju%01bundle")]
    public async Task The_browser_download_refuses_control_characters_in_its_address_with_a_400(string url)
    {
        using var browser = await Security.Browser.SignedInAsync(_factory, Portal.Domain.Access.PortalRole.Viewer);

        var response = await browser.GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_export_format_is_a_400_naming_the_formats()
    {
        await CreateAsync("kappa");

        var problem = await ProblemAsync(await _client.GetAsync("/api/v1/stacks/kappa/export/helm", Ct), HttpStatusCode.BadRequest);

        Assert.Contains("'helm' is not an export format; use kubernetes or juju-bundle.", problem.GetProperty("errors").GetProperty("format")[0].GetString(), StringComparison.Ordinal);
    }

    private async Task CreateAsync(string name)
    {
        var response = await _client.PostJsonAsync("/api/v1/stacks", CreateBody(name));
        await JsonAsync(response, HttpStatusCode.Accepted);
    }

    private async Task AssertNothingPersistedAsync(string name)
    {
        await using var context = _factory.Database();
        Assert.False(await context.Stacks.AnyAsync(s => s.Name == name, Ct));
        Assert.False(await context.Operations.AnyAsync(o => o.Stack == name, Ct));
    }

    private async Task AssertNoSecretStoredAsync()
    {
        await using var context = _factory.Database();
        var stacks = await context.Stacks.AsNoTracking().ToListAsync(Ct);
        var audit = await context.Audit.AsNoTracking().ToListAsync(Ct);
        var text = JsonSerializer.Serialize(stacks.Select(s => s.Spec)) + JsonSerializer.Serialize(audit);
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }
}
