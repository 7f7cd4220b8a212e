using System.Net;
using System.Net.Http.Headers;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Portal.Sandbox;

namespace Portal.Api.Tests.BadInput;

/// <summary>The shrunk examples of what the API's bad-input properties found, kept as plain tests, and a check that the properties'
/// before/after snapshot does see a change.</summary>
[Collection(BadInputCollection.Name)]
public sealed class ApiBadInputRegressionTests(BadInputPortal portal)
{
    private const string Rotate = "/api/v1/stacks/prod/certificates/airbyte.example.com/rotate";

    [Fact]
    public async Task Bytes_that_are_not_utf8_in_a_body_are_refused_not_a_500()
    {
        byte[] body = [.. "{\"name\":\"bad-input-stack\",\"kubeconfig\":\"AAA"u8, 0xC0, 0x80, .. "BBB\",\"context\":\"bad input\"}"u8];

        var problem = await RefusedAsync(HttpMethod.Post, "/api/v1/clusters", Json(body));

        Assert.Contains("not valid Unicode", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lone_surrogate_escape_in_a_body_is_refused_not_a_500() =>
        await RefusedAsync(HttpMethod.Post, "/api/v1/tokens", Json("{\"name\":\"\\ud800\",\"role\":\"Viewer\"}"u8.ToArray()));

    [Fact]
    public async Task A_nul_in_a_cluster_name_is_refused_on_that_field_not_a_500()
    {
        var problem = await RefusedAsync(HttpMethod.Post, "/api/v1/clusters", Json("{\"name\":\"eapakpt\\u0000mhd\",\"kubeconfig\":\"f9\\uFF11\\uFF12a\"}"u8.ToArray()));

        Assert.Contains("name", BadInputCheck.Fields(problem));
    }

    [Fact]
    public async Task A_field_given_twice_is_refused_even_when_the_last_one_would_do()
    {
        var problem = await RefusedAsync(HttpMethod.Post, Rotate, Json("{\"reason\":1,\"reason\":\"renew\"}"u8.ToArray()));

        Assert.Contains("gives reason twice", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reason_with_an_escape_sequence_is_refused_on_the_reason()
    {
        var problem = await RefusedAsync(HttpMethod.Post, Rotate, Json("{\"reason\":\"renew\\u001b[31m\"}"u8.ToArray()));

        Assert.Equal(["reason"], BadInputCheck.Fields(problem));
    }

    [Theory]
    [InlineData("/api/v1/audit?actor=%00")]
    [InlineData("/api/v1/audit/export.csv?actor=%00")]
    [InlineData("/api/v1/audit?stack=prod%00")]
    public async Task A_nul_in_an_audit_filter_is_refused_not_a_database_failure(string url)
    {
        var problem = await RefusedAsync(HttpMethod.Get, url, null);

        Assert.NotEmpty(BadInputCheck.Fields(problem));
    }

    [Fact]
    public async Task A_nul_in_a_query_parameter_is_refused_before_it_reaches_the_audit_log() =>
        Assert.Equal(["reason"], BadInputCheck.Fields(await RefusedAsync(HttpMethod.Delete, "/api/v1/stacks/prod?reason=gone%00", null)));

    [Fact]
    public async Task A_name_of_100000_characters_gets_a_detail_of_sentence_size()
    {
        var problem = await RefusedAsync(HttpMethod.Patch, "/api/v1/clusters/" + new string('a', 100_000), Json("{\"name\":\"x\"}"u8.ToArray()), HttpStatusCode.NotFound);

        Assert.InRange(problem.GetProperty("detail").GetString()!.Length, 1, 1_000);
    }

    [Fact]
    public async Task The_snapshot_sees_a_token_added_and_a_write_to_the_sandbox()
    {
        var before = await portal.SnapshotAsync();
        using var created = await portal.Admin.PostJsonAsync("/api/v1/tokens", new System.Text.Json.Nodes.JsonObject { ["name"] = "snapshot check", ["role"] = "Viewer" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var afterToken = await portal.SnapshotAsync();

        var sandbox = portal.Factory.Services.GetRequiredService<SandboxClusterHost>();
        using var kubernetes = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(sandbox.KubeconfigPath));
        await kubernetes.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"snapshot-check-{Guid.NewGuid():N}" } }, "default", cancellationToken: TestContext.Current.CancellationToken);
        var afterWrite = await portal.SnapshotAsync();

        Assert.Equal(before.Tokens + 1, afterToken.Tokens);
        Assert.True(afterWrite.SandboxVersion > afterToken.SandboxVersion);
    }

    private async Task<System.Text.Json.JsonElement> RefusedAsync(HttpMethod method, string url, HttpContent? content, HttpStatusCode expected = HttpStatusCode.BadRequest)
    {
        var before = await portal.SnapshotAsync();
        using var request = new HttpRequestMessage(method, url) { Content = content };
        using var response = await portal.Admin.SendAsync(request, TestContext.Current.CancellationToken);
        var problem = await BadInputCheck.RefusedAsync(response, $"{method} {BadInputCheck.Show(url)}");
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(before, await portal.SnapshotAsync());
        return problem;
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
