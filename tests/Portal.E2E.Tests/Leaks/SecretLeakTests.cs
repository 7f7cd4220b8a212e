using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.Playwright;
using Npgsql;
using Portal.Domain.Naming;
using Portal.Testing;

namespace Portal.E2E.Tests.Leaks;

/// <summary>Issue #8's leak test: a stack deployed and every secret the portal rotates rotated, through the API of a portal on
/// PostgreSQL; then every secret value in the cluster (live, kept revisions, pending) and every secret the portal was given
/// (the stack's admin password and client secret, the operator-supplied values, its own bootstrap token and OIDC client
/// secret) is searched for — raw and base64 — in the portal's whole log, every row of every table of its database
/// (Hangfire's included), every API response, and the rendered pages (Blazor and the Hangfire dashboard). None may be found.</summary>
[Collection(LeakCollection.Name)]
public sealed class SecretLeakTests(LeakFixture portal, BrowserFixture browser)
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMinutes(4);

    // Keys whose values are secret, by their name; other keys (host, port, username, database, bucket, tls.crt…) are not.
    private static readonly string[] SecretKeyWords = ["password", "secret", "tls.key", "private", "hmac", "token", "account", "credentials"];

    [Fact]
    public async Task After_every_secret_is_rotated_no_value_is_in_logs_database_responses_or_pages()
    {
        var ct = TestContext.Current.CancellationToken;
        var stack = $"leak{portal.Suffix}";
        var responses = new List<(string Request, string Body)>();
        using var api = new HttpClient(new RecordingHandler(responses)) { BaseAddress = portal.BaseUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", portal.Token);
        var given = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["the portal's bootstrap token"] = portal.Token,
            ["the portal's OIDC client secret"] = OidcProvider.ClientSecret,
            ["the external PostgreSQL admin password"] = portal.Postgres.AdminPassword,
        };

        // Deploy.
        var config = portal.Postgres.AirbyteConfig(stack, $"{stack}.example.com");
        given["the OAuth client secret given at deploy"] = (string)config["oauth2-proxy"]["client-secret"];
        var body = new { name = stack, blueprint = "charmed-airbyte", cluster = LeakFixture.Cluster, @namespace = stack, config };
        var operations = new List<Guid> { await StartAsync(api.PostAsJsonAsync("/api/v1/stacks", body, ct), "the deploy", ct) };
        await FinishedAsync(api, operations[0], "the deploy", mustSucceed: true, ct);
        Trace("deployed");

        // Rotate every secret the inventory says the portal rotates, one operation at a time.
        var inventory = await JsonAsync(api, $"/api/v1/stacks/{stack}/secrets", ct);
        var rotatable = inventory["secrets"]!.AsArray()
            .Where(s => s!["notRotatable"] is null)
            .Select(s => (Id: (string)s!["id"]!, OperatorSupplied: (string?)s["rotation"] == "operator-supplied"))
            .ToList();
        Assert.Contains(rotatable, s => s.Id == "oauth2-proxy.cookie-secret");
        Assert.Contains(rotatable, s => s.Id == "oauth2-proxy.client-secret");
        Assert.Contains(rotatable, s => s.Id.StartsWith("postgresql.", StringComparison.Ordinal));
        var outcomes = new List<string>();
        var refused = new List<string>();
        foreach (var (id, operatorSupplied) in rotatable)
        {
            var request = new JsonObject { ["reason"] = $"leak test rotates {id}" };
            if (operatorSupplied)
            {
                var value = $"supplied-{Convert.ToHexString(RandomNumberGenerator.GetBytes(12))}";
                given[$"the value supplied for {id}"] = value;
                request["value"] = value;
            }

            using var rotate = await api.PostAsJsonAsync($"/api/v1/stacks/{stack}/secrets/{id}/rotate", request, ct);
            if (!rotate.IsSuccessStatusCode)
            {
                refused.Add($"{id}: {(int)rotate.StatusCode} {await rotate.Content.ReadAsStringAsync(ct)}");
                continue;
            }

            var operation = JsonDocument.Parse(await rotate.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("operationId").GetGuid();
            operations.Add(operation);
            outcomes.Add($"{id}: {await FinishedAsync(api, operation, $"the rotation of {id}", mustSucceed: false, ct)}");
            Trace(outcomes[^1]);
        }

        Assert.True(outcomes.Count(o => o.EndsWith(": Succeeded", StringComparison.Ordinal)) >= 3, string.Join("\n", outcomes));

        // Every value: the cluster's Secrets of the stack (live, kept revisions, pending ones) and what the portal was given.
        var values = await ClusterValuesAsync(stack, ct);
        foreach (var (what, value) in given)
        {
            values[what] = value;
        }

        Assert.True(values.Count >= 10, $"only {values.Count} secret values were found to look for: {string.Join(", ", values.Keys)}");
        Assert.Equal(values.Count, Found(values, string.Join("\n", values.Values)).Count());

        // The API's answers: every one above, and every read endpoint once more now.
        foreach (var path in ReadPaths(stack, operations))
        {
            using var answer = await api.GetAsync(path, ct);
            Assert.True((int)answer.StatusCode < 500, $"GET {path} answered {(int)answer.StatusCode}");
        }

        foreach (var id in rotatable.Select(r => r.Id))
        {
            using var preview = await api.PostAsJsonAsync($"/api/v1/stacks/{stack}/secrets/{id}/preview-rotation", new JsonObject(), ct);
        }

        var leaks = new List<string>();
        foreach (var (request, text) in responses)
        {
            leaks.AddRange(Found(values, text).Select(what => $"{what} in the answer to {request}"));
        }

        // The portal's whole log.
        leaks.AddRange(Found(values, string.Join("\n", portal.PortalOutput)).Select(what => $"{what} in the portal's log"));

        // Every row of every table of the portal's database, Hangfire's schema included.
        var tables = await TablesAsync(ct);
        Assert.Contains(tables, t => t.Schema == "hangfire" && t.Name == "job" && t.Rows > 0);
        Assert.Contains(tables, t => t.Schema != "hangfire" && t.Rows > 0);
        foreach (var table in tables)
        {
            leaks.AddRange(Found(values, table.Text).Select(what => $"{what} in table {table.Schema}.{table.Name}"));
        }

        Trace($"{responses.Count} answers, {portal.PortalOutput.Count} log lines and {tables.Count} tables searched");

        // The rendered pages, signed in as an Admin through the provider.
        await using var tab = await browser.NewTabAsync(portal.BaseUrl);
        await tab.SignInWithProviderAsync($"/stacks/{stack}/secrets", "adam");
        // The page shows the live data (the cookie secret's new fingerprint): what is searched is a page with the values near.
        var cookie = (await JsonAsync(api, $"/api/v1/stacks/{stack}/secrets", ct))["secrets"]!.AsArray().First(s => (string)s!["id"]! == "oauth2-proxy.cookie-secret")!;
        await Assertions.Expect(tab.Page.GetByText((string)cookie["fingerprint"]!).First).ToBeVisibleAsync();
        var components = (await JsonAsync(api, $"/api/v1/stacks/{stack}/topology", ct))["nodes"]!.AsArray().Select(n => (string)n!["component"]!).ToList();
        Assert.Equal(10, components.Count);
        foreach (var path in PagePaths(stack, components, operations))
        {
            await tab.Page.GotoAsync(path);
            await SettledAsync(tab.Page);
            leaks.AddRange(Found(values, await tab.Page.ContentAsync()).Select(what => $"{what} in page {path}"));
        }

        Trace("pages searched");
        await tab.OpenAsync($"/stacks/{stack}/secrets");
        await Assertions.Expect(tab.Page.GetByText((string)cookie["fingerprint"]!).First).ToBeVisibleAsync();
        await tab.ScreenshotAsync("secrets-after-every-rotation");

        // The ledger on the graph: a revision of OAuth2 Proxy's Secret its pods have not loaded flags the node until they do.
        await SetRevisionAsync(stack, "oauth2-proxy-secrets", +1, ct);
        await tab.OpenAsync($"/stacks/{stack}/components/oauth2-proxy");
        var flag = tab.Page.GetByTestId("node-flag-oauth2-proxy");
        await Assertions.Expect(flag).ToBeVisibleAsync();
        await Assertions.Expect(tab.Page.GetByTestId("stale-secrets")).ToContainTextAsync("still runs revision");
        await tab.ScreenshotAsync("topology-old-secret-revision");
        await SetRevisionAsync(stack, "oauth2-proxy-secrets", -1, ct);
        await Assertions.Expect(flag).ToHaveCountAsync(0);

        Assert.True(leaks.Count == 0, $"secret values found:\n{string.Join("\n", leaks.Distinct(StringComparer.Ordinal))}");
        Assert.Empty(tab.Errors);

        // The inventory offers Rotate only for what the rotations accept.
        Assert.True(refused.Count == 0, $"the inventory offered a rotation the portal refused:\n{string.Join("\n", refused)}");
    }

    private static void Trace(string message) => TestContext.Current.TestOutputHelper?.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {message}");

    private static IEnumerable<string> ReadPaths(string stack, IEnumerable<Guid> operations) =>
    [
        "/api/v1/stacks", $"/api/v1/stacks/{stack}", $"/api/v1/stacks/{stack}/topology", $"/api/v1/stacks/{stack}/manifests",
        $"/api/v1/stacks/{stack}/secrets", $"/api/v1/stacks/{stack}/certificates", "/api/v1/certificates", "/api/v1/clusters",
        $"/api/v1/clusters/{LeakFixture.Cluster}", "/api/v1/audit", "/api/v1/audit/export.csv", "/api/v1/blueprints", "/api/v1/tokens",
        .. operations.Select(o => $"/api/v1/operations/{o}"),
    ];

    private static IEnumerable<string> PagePaths(string stack, IEnumerable<string> components, IEnumerable<Guid> operations) =>
    [
        "/", "/tokens", $"/stacks/{stack}", $"/stacks/{stack}/secrets", $"/stacks/{stack}/certificates", $"/stacks/{stack}/edit", "/certificates",
        "/audit", "/clusters", "/deploy", "/jobs", "/jobs/jobs/succeeded", "/jobs/jobs/failed", "/jobs/recurring",
        .. components.Select(c => $"/stacks/{stack}/components/{c}"),
        .. operations.Select(o => $"/operations/{o}"),
    ];

    // Waits until the page shows no spinner any more (its data has come); a page that keeps one is searched as it stands after a
    // while. The Hangfire dashboard's pages are plain HTML.
    private static async Task SettledAsync(IPage page)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "() => document.body.innerText.length > 0 && !document.querySelector('.mud-progress-indeterminate, .mud-skeleton')",
                null, new PageWaitForFunctionOptions { Timeout = 15_000 });
        }
        catch (TimeoutException)
        {
            // Searched as it is.
        }
    }

    private async Task<Dictionary<string, string>> ClusterValuesAsync(string @namespace, CancellationToken ct)
    {
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(portal.Kubeconfig));
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var secret in (await client.CoreV1.ListNamespacedSecretAsync(@namespace, cancellationToken: ct)).Items)
        {
            foreach (var (key, bytes) in secret.Data ?? new Dictionary<string, byte[]>())
            {
                var value = Encoding.UTF8.GetString(bytes);
                if (value.Length >= 12 && SecretKeyWords.Any(word => key.Contains(word, StringComparison.OrdinalIgnoreCase)))
                {
                    values[$"{secret.Metadata.Name}/{key}"] = value;
                }
            }
        }

        return values;
    }

    // Moves the revision annotation of a Secret by delta, as a writer other than the portal would (its pods do not roll).
    private async Task SetRevisionAsync(string @namespace, string name, int delta, CancellationToken ct)
    {
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(portal.Kubeconfig));
        var secret = await client.CoreV1.ReadNamespacedSecretAsync(name, @namespace, cancellationToken: ct);
        var revision = int.Parse(secret.Metadata.Annotations[PortalLabels.RevisionAnnotation], System.Globalization.CultureInfo.InvariantCulture) + delta;
        var patch = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [PortalLabels.RevisionAnnotation] = $"{revision}" } } }.ToJsonString();
        await client.CoreV1.PatchNamespacedSecretAsync(new k8s.Models.V1Patch(patch, k8s.Models.V1Patch.PatchType.MergePatch), name, @namespace, cancellationToken: ct);
    }

    private async Task<List<(string Schema, string Name, int Rows, string Text)>> TablesAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(portal.PortalConnectionString);
        await connection.OpenAsync(ct);
        var names = new List<(string Schema, string Name)>();
        await using (var list = new NpgsqlCommand(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')",
            connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                names.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        var tables = new List<(string, string, int, string)>();
        foreach (var (schema, name) in names)
        {
            await using var rows = new NpgsqlCommand($"SELECT t::text FROM \"{schema}\".\"{name}\" t", connection);
            await using var reader = await rows.ExecuteReaderAsync(ct);
            var text = new StringBuilder();
            var count = 0;
            while (await reader.ReadAsync(ct))
            {
                text.AppendLine(reader.GetString(0));
                count++;
            }

            tables.Add((schema, name, count, text.ToString()));
        }

        return tables;
    }

    // The names of the values found in text, raw or base64 (as a Secret's data or a serialized byte array would carry them).
    private static IEnumerable<string> Found(Dictionary<string, string> values, string text) =>
        values.Where(v => text.Contains(v.Value, StringComparison.Ordinal) || text.Contains(Convert.ToBase64String(Encoding.UTF8.GetBytes(v.Value)), StringComparison.Ordinal))
            .Select(v => v.Key);

    private static async Task<JsonNode> JsonAsync(HttpClient api, string path, CancellationToken ct)
    {
        using var response = await api.GetAsync(path, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<Guid> StartAsync(Task<HttpResponseMessage> request, string what, CancellationToken ct)
    {
        using var response = await request;
        var text = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, $"{what} answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("operationId").GetGuid();
    }

    private async Task<string> FinishedAsync(HttpClient api, Guid operation, string what, bool mustSucceed, CancellationToken ct)
    {
        var done = await OperationSnapshot.PollAsync(api, operation, o => o.IsFinished, OperationTimeout, ct);
        Assert.True(!mustSucceed || done.State == "Succeeded", $"{what} ended {done}\n{portal.Output()}");
        return done.State;
    }

    /// <summary>Keeps every answer's body with its request line.</summary>
    private sealed class RecordingHandler(List<(string Request, string Body)> responses) : DelegatingHandler(new HttpClientHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
            lock (responses)
            {
                responses.Add(($"{request.Method} {request.RequestUri?.PathAndQuery}", headers + "\n" + body));
            }

            return response;
        }
    }
}
