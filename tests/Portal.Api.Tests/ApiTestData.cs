using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Api.Tests;

/// <summary>Request bodies and response checks shared by the API tests.</summary>
internal static class ApiTestData
{
    /// <summary>Distinctive secret values, so that tests can assert they never show up anywhere.</summary>
    public const string ClientSecret = "gh0-client-secret-Zq81xw";
    public const string AdminPassword = "pg-Admin-pass-7Tq2";
    public const string NewClientSecret = "rotated-client-secret-Pw55";

    public static readonly string[] Secrets = [ClientSecret, AdminPassword, NewClientSecret, PortalApiFactory.KubeToken];

    /// <summary>The least config that validates, as JSON (the port as a number, to show numbers are accepted).</summary>
    public static JsonObject CreateBody(string name) => new()
    {
        ["name"] = name,
        ["blueprint"] = "charmed-airbyte",
        ["cluster"] = PortalApiFactory.Cluster,
        ["config"] = new JsonObject
        {
            ["airbyte"] = new JsonObject { ["external-hostname"] = $"{name}.example.com" },
            ["airbyte-webhooks"] = new JsonObject
            {
                ["external-hostname"] = $"hooks-{name}.example.com",
                ["image"] = "registry.example.com/airbyte-webhooks:1.0",
            },
            ["oauth2-proxy"] = new JsonObject
            {
                ["provider"] = "github",
                ["client-id"] = "Iv1.0123456789abcdef",
                ["client-secret"] = ClientSecret,
            },
            ["lego"] = new JsonObject { ["email"] = "ops@example.com", ["issuer"] = "internal-ca" },
            ["postgresql"] = new JsonObject
            {
                ["mode"] = "external",
                ["host"] = "db.example.com",
                ["port"] = 5432,
                ["sslmode"] = "require",
                ["admin-username"] = "portal_admin",
                ["admin-password"] = AdminPassword,
            },
        },
    };

    public static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    public static StringContent Json(string raw) => new(raw, Encoding.UTF8, "application/json");

    /// <summary>Reads the body, asserting that no secret value is in it.</summary>
    public static async Task<string> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        return text;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await BodyAsync(response);
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 7807 problem with the status and returns it.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await JsonAsync(response, expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>The paths of a validation problem's <c>errors</c>.</summary>
    public static IReadOnlyList<string> ErrorPaths(JsonElement problem) =>
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();

    public static string Detail(JsonElement problem) => problem.GetProperty("detail").GetString() ?? "";

    public static Task<HttpResponseMessage> PatchAsync(this HttpClient client, string url, JsonNode body) =>
        client.PatchAsync(url, Json(body), TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string url, JsonNode body) =>
        client.PostAsync(url, Json(body), TestContext.Current.CancellationToken);

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string url, JsonNode? body = null) =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = body is null ? null : Json(body) }, TestContext.Current.CancellationToken);
}
