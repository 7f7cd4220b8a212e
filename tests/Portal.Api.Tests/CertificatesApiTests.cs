using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Provisioning.Clusters;
using Portal.Sandbox;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests;

/// <summary><c>/api/v1/certificates</c> and <c>/api/v1/stacks/{name}/certificates</c>: the inventory, rotate, roll back and manual
/// upload as the API answers them — every problem of a body at once with its field, 404 and 409 in words, no key ever echoed.</summary>
public sealed class CertificatesApiTests : IClassFixture<PortalApiFactory>
{
    private readonly PortalApiFactory _factory;
    private readonly HttpClient _client;

    public CertificatesApiTests(PortalApiFactory factory)
    {
        _factory = factory;
        _factory.ConnectTestCluster();
        _client = factory.Client();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stack_whose_cluster_does_not_answer_is_503_in_words_and_listed_with_its_problem_among_all()
    {
        await DeployedAsync("certs-list");

        var problem = await ProblemAsync(await _client.GetAsync("/api/v1/stacks/certs-list/certificates", Ct), HttpStatusCode.ServiceUnavailable);
        var all = await JsonAsync(await _client.GetAsync("/api/v1/certificates", Ct), HttpStatusCode.OK);

        Assert.StartsWith("The certificates of stack certs-list could not be read", Detail(problem), StringComparison.Ordinal);
        var entry = Assert.Single(all.EnumerateArray(), s => s.GetProperty("stack").GetString() == "certs-list");
        Assert.Empty(entry.GetProperty("certificates").EnumerateArray());
        Assert.False(string.IsNullOrEmpty(entry.GetProperty("problem").GetString()));
    }

    [Fact]
    public async Task Rotate_is_accepted_as_an_operation_with_the_reason_and_refused_while_the_stack_is_busy()
    {
        // A cluster that answers, so the rotation can read the hostname's Secret (the factory's test cluster does not).
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { Seed = 5 }, Ct);
        var connected = _factory.Services.GetRequiredService<IClusterRegistry>().Connect("certs-sandbox", sandbox.Kubeconfig(), null);
        Assert.True(connected.IsSuccess, string.Join("; ", connected.Errors));
        await DeployedAsync("certs-rotate", "certs-sandbox");

        var change = await JsonAsync(await _client.PostJsonAsync("/api/v1/stacks/certs-rotate/certificates/certs-rotate.example.com/rotate", new JsonObject { ["reason"] = "key shared by mistake" }), HttpStatusCode.Accepted);
        var busy = await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks/certs-rotate/certificates/certs-rotate.example.com/rotate", new JsonObject { ["reason"] = "again" }), HttpStatusCode.Conflict);

        var id = change.GetProperty("operationId").GetGuid();
        var operation = await JsonAsync(await _client.GetAsync($"/api/v1/operations/{id}", Ct), HttpStatusCode.OK);
        Assert.Equal("RotateCertificate", operation.GetProperty("kind").GetString());
        Assert.Equal(["issue:certs-rotate.example.com", "verify:certs-rotate.example.com"], operation.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("key").GetString()));
        Assert.Contains("busy", Detail(busy), StringComparison.Ordinal);
        await using var context = _factory.Database();
        var audit = await context.Audit.SingleAsync(a => a.Stack == "certs-rotate" && a.Action == "rotate-certificate" && a.Reason == "key shared by mistake", Ct);
        Assert.Equal("certs-rotate/certs-rotate.example.com", audit.Target);
    }

    [Theory]
    [InlineData("rotate", "{}", "reason")]
    [InlineData("rotate", "{\"reason\": 5}", "reason")]
    [InlineData("rotate", "{\"reason\": \"r\", \"color\": \"blue\"}", "color")]
    [InlineData("rollback", "{\"reason\": \"r\", \"revision\": \"two\"}", "revision")]
    [InlineData("rollback", "{\"revision\": 1}", "reason")]
    public async Task A_bad_body_is_400_naming_the_field_and_starts_nothing(string action, string body, string field)
    {
        await DeployedAsync($"certs-bad-{action}");
        var stack = $"certs-bad-{action}";
        var before = await OperationCountAsync(stack);

        var problem = await ProblemAsync(await _client.PostAsync($"/api/v1/stacks/{stack}/certificates/{stack}.example.com/{action}", Json(body), Ct), HttpStatusCode.BadRequest);

        Assert.Contains(field, ErrorPaths(problem));
        Assert.Equal(before, await OperationCountAsync(stack));
    }

    [Fact]
    public async Task Unknown_stacks_and_hostnames_are_404_or_400_in_words()
    {
        await DeployedAsync("certs-unknown");

        var stack = await ProblemAsync(await _client.GetAsync("/api/v1/stacks/ghost/certificates", Ct), HttpStatusCode.NotFound);
        var host = await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks/certs-unknown/certificates/nowhere.example.com/rotate", new JsonObject { ["reason"] = "r" }), HttpStatusCode.BadRequest);

        Assert.Contains("ghost", Detail(stack), StringComparison.Ordinal);
        Assert.Contains("host", ErrorPaths(host));
    }

    [Fact]
    public async Task A_bad_upload_lists_every_problem_by_field_never_echoes_the_key_and_changes_nothing()
    {
        await DeployedAsync("certs-upload");
        var before = await OperationCountAsync("certs-upload");
        using var key = RSA.Create(1024);
        var request = new CertificateRequest("CN=other.example.com", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));
        var keyPem = key.ExportPkcs8PrivateKeyPem();

        var response = await _client.SendJsonAsync(HttpMethod.Put, "/api/v1/stacks/certs-upload/certificates/certs-upload.example.com", new JsonObject
        {
            ["certificate"] = certificate.ExportCertificatePem(),
            ["key"] = keyPem,
        });

        var text = await BodyAsync(response);
        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("reason", ErrorPaths(problem));
        Assert.Contains("certificate", ErrorPaths(problem));
        Assert.Contains("host", ErrorPaths(problem));
        Assert.Contains("1024", text, StringComparison.Ordinal);
        Assert.DoesNotContain(keyPem.Split('\n')[1], text, StringComparison.Ordinal);
        Assert.Equal(before, await OperationCountAsync("certs-upload"));
    }

    private async Task<int> OperationCountAsync(string stack)
    {
        await using var context = _factory.Database();
        return await context.Operations.CountAsync(o => o.Stack == stack, Ct);
    }

    private async Task DeployedAsync(string name, string? cluster = null)
    {
        var body = CreateBody(name);
        if (cluster is not null)
        {
            body["cluster"] = cluster;
        }

        var response = await _client.PostJsonAsync("/api/v1/stacks", body);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            await _factory.CompleteActiveOperationAsync(name);
        }
    }
}
