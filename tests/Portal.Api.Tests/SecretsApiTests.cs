using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Naming;
using Portal.Provisioning.Clusters;
using Portal.Sandbox;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests;

/// <summary><c>/api/v1/stacks/{name}/secrets</c>: the inventory with fingerprints (never values), the blast-radius preview and the
/// rotation policy, over a stack whose Secrets are in a real sandbox.</summary>
public sealed class SecretsApiTests : IClassFixture<PortalApiFactory>, IAsyncLifetime
{
    private const string LiveCluster = "secrets-sandbox";
    private const string CookieSecret = "cookie-Value-9fQ2xLm4Rt8w";
    private const string DatabasePassword = "db-Password-Hq7Zp3Kx0Vb1";

    private readonly PortalApiFactory _factory;
    private readonly HttpClient _client;
    private SandboxCluster? _sandbox;

    public SecretsApiTests(PortalApiFactory factory)
    {
        _factory = factory;
        _factory.ConnectTestCluster();
        _client = factory.Client();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions { Seed = 5 }, Ct);
        var connected = _factory.Services.GetRequiredService<IClusterRegistry>().Connect(LiveCluster, _sandbox.Kubeconfig(), null);
        Assert.True(connected.IsSuccess, string.Join("; ", connected.Errors));
    }

    public async ValueTask DisposeAsync()
    {
        _factory.Services.GetRequiredService<IClusterRegistry>().Disconnect(LiveCluster);
        if (_sandbox is not null)
        {
            await _sandbox.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_unknown_stack_is_404()
    {
        var problem = await ProblemAsync(await _client.GetAsync("/api/v1/stacks/no-such-stack/secrets", Ct), HttpStatusCode.NotFound);
        Assert.Equal("There is no stack named no-such-stack.", Detail(problem));
        await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks/no-such-stack/secrets/minio.root-credentials/preview-rotation", new JsonObject()), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_inventory_shows_fingerprints_not_values_and_the_policy_and_preview_answer_with_their_fields()
    {
        var ns = await DeployedAsync("secapi");
        await WriteSecretAsync(ns, "oauth2-proxy-secrets", "oauth2-proxy", new() { ["cookie-secret"] = CookieSecret, ["client-secret"] = ClientSecret });
        await WriteSecretAsync(ns, "airbyte-db-relation", "postgresql", new() { [RelationData.Password] = DatabasePassword, [RelationData.Host] = "db.example.com" });

        var listed = await SecretsAsync("secapi");
        Assert.Equal(ns, listed.GetProperty("namespace").GetString());
        var cookie = Secret(listed, "oauth2-proxy.cookie-secret");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CookieSecret)))[..12], cookie.GetProperty("fingerprint").GetString());
        Assert.Equal(1, cookie.GetProperty("revision").GetInt32());
        Assert.Equal("never", cookie.GetProperty("policy").GetString());
        Assert.Equal("generated", cookie.GetProperty("source").GetString());
        Assert.Equal("Everyone is signed out and must sign in again.", cookie.GetProperty("userImpact").GetString());
        Assert.Equal("operator-supplied", Secret(listed, "oauth2-proxy.client-secret").GetProperty("rotation").GetString());
        Assert.Equal("airbyte-db-relation/password", Secret(listed, "postgresql.airbyte-db").GetProperty("kubernetesSecret").GetString());

        var bad = await ProblemAsync(await _client.SendJsonAsync(HttpMethod.Put, "/api/v1/stacks/secapi/secrets/oauth2-proxy.cookie-secret/policy", new JsonObject { ["policy"] = "hourly" }),
            HttpStatusCode.BadRequest);
        Assert.Equal(["policy"], ErrorPaths(bad));
        Assert.Equal("never", Secret(await SecretsAsync("secapi"), "oauth2-proxy.cookie-secret").GetProperty("policy").GetString());

        var set = await JsonAsync(await _client.SendJsonAsync(HttpMethod.Put, "/api/v1/stacks/secapi/secrets/oauth2-proxy.cookie-secret/policy", new JsonObject { ["policy"] = "weekly" }),
            HttpStatusCode.OK);
        Assert.Equal("weekly", set.GetProperty("policy").GetString());
        Assert.Equal(JsonValueKind.String, set.GetProperty("nextRotation").ValueKind);

        var preview = await JsonAsync(await _client.PostJsonAsync("/api/v1/stacks/secapi/secrets/oauth2-proxy.cookie-secret/preview-rotation", new JsonObject()), HttpStatusCode.OK);
        Assert.Equal("Everyone is signed out and must sign in again.", preview.GetProperty("userImpact").GetString());
        Assert.False(preview.GetProperty("needsValue").GetBoolean());
        Assert.NotEmpty(preview.GetProperty("steps").EnumerateArray());

        var readOnly = await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks/secapi/secrets/postgresql.admin-credentials/preview-rotation", new JsonObject()),
            HttpStatusCode.BadRequest);
        Assert.Equal(["secret"], ErrorPaths(readOnly));

        var badId = await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks/secapi/secrets/Minio/preview-rotation", new JsonObject()), HttpStatusCode.BadRequest);
        Assert.Equal(["secret"], ErrorPaths(badId));

        // An operator-supplied value starts the rotation; it is never echoed, and a second rotation meanwhile is refused.
        var rotate = await _client.PostJsonAsync("/api/v1/stacks/secapi/secrets/oauth2-proxy.client-secret/rotate", new JsonObject { ["reason"] = "test", ["value"] = NewClientSecret });
        var text = await BodyAsync(rotate);
        var change = await JsonAsync(rotate, HttpStatusCode.Accepted);
        Assert.StartsWith("Rotate secret oauth2-proxy.client-secret of secapi", change.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(NewClientSecret, text, StringComparison.Ordinal);
        var again = await _client.PostJsonAsync("/api/v1/stacks/secapi/secrets/oauth2-proxy.cookie-secret/rotate", new JsonObject { ["reason"] = "test" });
        Assert.DoesNotContain(NewClientSecret, await BodyAsync(again), StringComparison.Ordinal);
        await ProblemAsync(again, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_just_rotated_webhook_secret_is_revealed_once_uncached_and_audited_without_its_value_and_everything_else_is_refused()
    {
        const string NewSigning = "whsec-New-Signing-7Gm2Qa9Lr4Xt";
        const string OldSigning = "whsec-Old-Signing-3Kp8Vn1Zc6Yw";
        var ns = await DeployedAsync("secrev");
        await WriteSecretAsync(ns, "oauth2-proxy-secrets", "oauth2-proxy", new() { ["cookie-secret"] = CookieSecret, ["client-secret"] = ClientSecret });
        await WriteSecretAsync(ns, "airbyte-webhooks-secrets", "airbyte-webhooks", new() { ["signing-secret"] = NewSigning, ["signing-secret-previous"] = OldSigning },
            new()
            {
                [PortalLabels.RevisionAnnotation] = "2",
                ["portal.airbyte.io/secret-operation"] = Guid.NewGuid().ToString(),
                ["portal.airbyte.io/rotated-at"] = DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["portal.airbyte.io/rotated-by"] = "ops@example.com",
            });
        Assert.True(Secret(await SecretsAsync("secrev"), "airbyte-webhooks.signing-secret").GetProperty("revealable").GetBoolean());
        Assert.False(Secret(await SecretsAsync("secrev"), "oauth2-proxy.cookie-secret").GetProperty("revealable").GetBoolean());

        const string Url = "/api/v1/stacks/secrev/secrets/airbyte-webhooks.signing-secret/reveal";
        var bad = await _client.PostJsonAsync(Url, new JsonObject { ["reason"] = "x", ["why"] = "unknown field" });
        Assert.Equal(["why"], ErrorPaths(await ProblemAsync(bad, HttpStatusCode.BadRequest)));
        Assert.True(bad.Headers.CacheControl?.NoStore);

        var revealed = await _client.PostJsonAsync(Url, new JsonObject { ["reason"] = "give it to the CRM team" });
        Assert.True(revealed.Headers.CacheControl?.NoStore, "the reveal must not be cached");
        var text = await revealed.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(NewSigning, body.GetProperty("value").GetString());
        Assert.Equal(2, body.GetProperty("revision").GetInt32());
        Assert.DoesNotContain(OldSigning, text, StringComparison.Ordinal);

        // Once only: the second reveal is refused, says by whom it was revealed, and carries no value.
        var twice = await _client.PostJsonAsync(Url, new JsonObject());
        var twiceText = await twice.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain(NewSigning, twiceText, StringComparison.Ordinal);
        Assert.True(twice.Headers.CacheControl?.NoStore);
        Assert.Contains("already revealed", Detail(await ProblemAsync(twice, HttpStatusCode.Conflict)), StringComparison.Ordinal);
        Assert.False(Secret(await SecretsAsync("secrev"), "airbyte-webhooks.signing-secret").GetProperty("revealable").GetBoolean());

        // Any other secret is refused on its field; an unknown stack is 404.
        var cookie = await _client.PostJsonAsync("/api/v1/stacks/secrev/secrets/oauth2-proxy.cookie-secret/reveal", new JsonObject());
        Assert.Equal(["secret"], ErrorPaths(await ProblemAsync(cookie, HttpStatusCode.BadRequest)));
        await ProblemAsync(await _client.PostJsonAsync("/api/v1/stacks/no-such-stack/secrets/airbyte-webhooks.signing-secret/reveal", new JsonObject()), HttpStatusCode.NotFound);

        // Audited, accepted once and refused after, never with the value.
        var audit = await _client.GetAsync("/api/v1/audit?action=reveal-secret&stack=secrev", Ct);
        var auditText = await audit.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain(NewSigning, auditText, StringComparison.Ordinal);
        Assert.DoesNotContain(OldSigning, auditText, StringComparison.Ordinal);
        var entries = JsonDocument.Parse(auditText).RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count(e => e.GetProperty("result").GetString()!.StartsWith("refused", StringComparison.Ordinal)));
        var accepted = Assert.Single(entries, e => e.GetProperty("result").GetString()!.StartsWith("accepted", StringComparison.Ordinal));
        Assert.Equal("give it to the CRM team", accepted.GetProperty("reason").GetString());
        Assert.Equal("secrev/airbyte-webhooks.signing-secret", accepted.GetProperty("target").GetString());
    }

    private async Task<string> DeployedAsync(string name)
    {
        var body = CreateBody(name);
        body["cluster"] = LiveCluster;
        await JsonAsync(await _client.PostAsync("/api/v1/stacks", Json(body), Ct), HttpStatusCode.Accepted);
        await _factory.CompleteActiveOperationAsync(name);
        var ns = (await SecretsAsync(name)).GetProperty("namespace").GetString()!;
        using var client = Kube();
        try
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }, cancellationToken: Ct);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // The deploy's steps were only marked done; a namespace may exist from an earlier run of the sandbox.
        }

        return ns;
    }

    private Kubernetes Kube()
    {
        using var kubeconfig = new MemoryStream(Encoding.UTF8.GetBytes(_sandbox!.Kubeconfig()));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
    }

    private async Task WriteSecretAsync(string ns, string name, string component, Dictionary<string, string> values, Dictionary<string, string>? annotations = null)
    {
        using var client = Kube();
        await client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta
                {
                    Name = name,
                    Labels = new Dictionary<string, string> { [PortalLabels.ManagedBy] = PortalLabels.ManagedByValue, [PortalLabels.Component] = component },
                    Annotations = annotations ?? new Dictionary<string, string> { [PortalLabels.RevisionAnnotation] = "1" },
                },
                Data = values.ToDictionary(p => p.Key, p => Encoding.UTF8.GetBytes(p.Value)),
            },
            ns, cancellationToken: Ct);
    }

    // Every response passes through here and the ApiTestData helpers, which refuse any known secret value in a body.
    private async Task<JsonElement> SecretsAsync(string stack)
    {
        var response = await _client.GetAsync($"/api/v1/stacks/{stack}/secrets", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain(CookieSecret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(DatabasePassword, text, StringComparison.Ordinal);
        return await JsonAsync(response, HttpStatusCode.OK);
    }

    private static JsonElement Secret(JsonElement inventory, string id) =>
        inventory.GetProperty("secrets").EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);
}
