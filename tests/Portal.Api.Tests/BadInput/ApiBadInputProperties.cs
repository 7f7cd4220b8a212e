using System.Net;
using System.Net.Http.Headers;
using CsCheck;
using Portal.Domain.Tests.BadInput;

namespace Portal.Api.Tests.BadInput;

/// <summary>Every API endpoint against bad input: broken and wrongly typed JSON bodies, right-typed bodies with a value no field may
/// take, hostile route parameters and query strings. The answer is always a 4xx problem that says what is wrong, never a 5xx, and
/// nothing is applied: no stack, cluster, operation, accepted audit entry or token added or changed, no step queued, no secret
/// stored, no write to the sandbox cluster.</summary>
[Collection(BadInputCollection.Name)]
public sealed class ApiBadInputProperties(BadInputPortal portal)
{
    /// <summary>Text that could break routing or lookups when it names a stack, host, secret, operation, token or cluster.</summary>
    /// <remarks>"." and ".." alone are not here: every HTTP client removes them from a path (even as %2E), so no request carries them.
    /// Nor is a NUL: the server refuses a path with one before routing (and the test server's client will not send it).</remarks>
    private static readonly string[] RouteHostile =
    [
        "...", "%", "%00", "%2e%2e", "prod/..", "../prod", "prod%2F..", "PROD", " prod", "prod ",
        "prod\n", "prod.", "*", "prod;drop", "' OR '1'='1", "{name}", "00000000-0000-0000-0000-000000000000", "-1", "9223372036854775808",
        "airbyte.example.com.", "AIRBYTE.example.com", "*.example.com", "oauth2-proxy.", ".cookie-secret", "oauth2-proxy..cookie-secret",
    ];

    private IEnumerable<ApiEndpoint> BodyEndpoints => portal.Endpoints.Where(e => e.TakesBody);

    [Fact]
    public void The_endpoints_and_their_bodies_are_found()
    {
        Assert.True(portal.Endpoints.Count >= 39, string.Join(", ", portal.Endpoints));
        Assert.Contains(portal.Endpoints, e => e.Method == "POST" && e.Pattern == "/api/v1/stacks" && e.Body!.Any(p => p is { Name: "config", Kind: JsonKind.Object }));
        Assert.Contains(portal.Endpoints, e => e.Pattern.EndsWith("/rollback", StringComparison.Ordinal) && e.Body!.Any(p => p is { Name: "revision", Kind: JsonKind.Integer }));
        Assert.True(BodyEndpoints.Count() >= 18, string.Join(", ", BodyEndpoints));
    }

    [Fact]
    public async Task A_broken_or_wrongly_typed_body_is_refused_with_the_field_named_and_changes_nothing()
    {
        var endpoints = BodyEndpoints.ToArray();
        await BadInputCheck.RunAsync(
            $"API: broken and wrongly typed JSON bodies on {endpoints.Length} endpoints",
            Gen.OneOf(endpoints).SelectMany(HostileJson.Broken),
            async sample =>
            {
                var problem = await SendRefusedAsync(sample.Endpoint, Content(sample), sample.ToString());
                if (sample.Field is { } field)
                {
                    var fields = BadInputCheck.Fields(problem);
                    Assert.True(fields.Any(f => f == field || f.StartsWith(field, StringComparison.Ordinal)), $"{sample}: the problem names {string.Join(", ", fields)}, not {field}");
                }
            },
            iterations: 400,
            print: s => s.ToString());
    }

    [Fact]
    public async Task A_right_typed_body_with_a_value_no_field_may_take_is_refused_naming_that_field_and_changes_nothing()
    {
        var cases = BodyEndpoints.SelectMany(e => e.Body!.Select(p => (Endpoint: e, Property: p))).ToArray();
        await BadInputCheck.RunAsync(
            $"API: hostile values of the right type in {cases.Length} body fields",
            Gen.OneOf(cases).SelectMany(c => HostileJson.Poisoned(c.Endpoint, c.Property)),
            async sample =>
            {
                var problem = await SendRefusedAsync(sample.Endpoint, Content(sample), sample.ToString());
                var fields = BadInputCheck.Fields(problem);
                if (fields.Count > 0 && sample.Field is { Length: > 0 } field)
                {
                    Assert.True(fields.Any(f => f == field || f.StartsWith(field, StringComparison.Ordinal) || (field == "host" && f == "hostname")),
                        $"{sample}: the problem names {string.Join(", ", fields)}, not {field}");
                }
            },
            iterations: 400,
            print: s => s.ToString());
    }

    [Fact]
    public async Task A_hostile_route_parameter_is_refused_and_changes_nothing()
    {
        var endpoints = portal.Endpoints.Where(e => e.Pattern.Contains('{', StringComparison.Ordinal)).ToArray();
        var values = Gen.Frequency<string>((3, Gen.OneOf(RouteHostile)), (7, HostileText.Any("prod", "airbyte.example.com", "oauth2-proxy.cookie-secret")));
        await BadInputCheck.RunAsync(
            $"API: hostile route parameters on {endpoints.Length} endpoints",
            Gen.Select(Gen.OneOf(endpoints), Gen.Int[0, 3], values.Where(v => v.Length > 0 && v is not ("." or "..") && !v.Contains('\0', StringComparison.Ordinal))),
            async sample =>
            {
                var (endpoint, which, value) = sample;
                var url = WithParameter(endpoint, which, value);
                var content = endpoint.Method is "GET" or "DELETE" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                await SendRefusedAsync(endpoint, content, $"{endpoint.Method} {BadInputCheck.Show(url)}", url, routing: true);
            },
            iterations: 300,
            print: s => $"{s.Item1.Method} {s.Item1.Pattern} parameter {s.Item2} = {BadInputCheck.Show(s.Item3)}");
    }

    [Fact]
    public async Task A_hostile_audit_filter_is_refused_or_finds_nothing_and_never_fails()
    {
        string[] parameters = ["stack", "actor", "action", "result", "from", "to", "page", "pageSize", "unknown"];
        await BadInputCheck.RunAsync(
            "API: hostile audit filters",
            Gen.Select(Gen.OneOf("/api/v1/audit", "/api/v1/audit/export.csv"), Gen.Select(Gen.OneOf(parameters), HostileText.Any("prod", "2025-01-01T00:00:00Z", "1", "refused")).Array[1, 4]),
            async sample =>
            {
                var (path, filters) = sample;
                var url = path + "?" + string.Join("&", filters.Select(f => $"{f.Item1}={Uri.EscapeDataString(Utf16Safe(f.Item2))}"));
                var before = await portal.SnapshotAsync();
                using var response = await portal.Admin.GetAsync(url, TestContext.Current.CancellationToken);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    var problem = await BadInputCheck.RefusedAsync(response, url);
                    Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                    Assert.All(BadInputCheck.Fields(problem), f => Assert.Contains(f, parameters));
                }

                Assert.Equal(before, await portal.SnapshotAsync());
            },
            iterations: 200,
            print: s => $"{s.Item1}?{string.Join("&", s.Item2.Select(f => $"{f.Item1}={BadInputCheck.Show(f.Item2)}"))}");
    }

    /// <summary>Sends the request and asserts a refusal with nothing changed; returns the problem.</summary>
    private async Task<System.Text.Json.JsonElement> SendRefusedAsync(ApiEndpoint endpoint, HttpContent? content, string what, string? url = null, bool routing = false)
    {
        var before = await portal.SnapshotAsync();
        using var request = BadInputPortal.Request(endpoint, content, url);
        using var response = await portal.Admin.SendAsync(request, TestContext.Current.CancellationToken);
        // A route value such as ".." can make the URL another route's, which routing may answer 405 without a problem body.
        var problem = routing && response.StatusCode == HttpStatusCode.MethodNotAllowed
            ? default
            : await BadInputCheck.RefusedAsync(response, what);
        var after = await portal.SnapshotAsync();
        Assert.True(before == after, $"{what} changed something: before {before}, after {after}");
        return problem;
    }

    private static ByteArrayContent Content(BodyCase sample)
    {
        var content = new ByteArrayContent(sample.Body);
        if (sample.ContentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(sample.ContentType);
        }

        return content;
    }

    /// <summary>The sample URL with its <paramref name="which"/>-th route parameter (modulo their number) replaced by the value,
    /// percent-encoded (dots too, so that ".." stays a value and does not climb).</summary>
    private static string WithParameter(ApiEndpoint endpoint, int which, string value)
    {
        var pattern = endpoint.Pattern.Split('/');
        var sample = endpoint.SampleUrl.Split('/');
        var parameters = Enumerable.Range(0, pattern.Length).Where(i => pattern[i].StartsWith('{')).ToList();
        var at = parameters[which % parameters.Count];
        sample[at] = Uri.EscapeDataString(Utf16Safe(value)).Replace(".", "%2E", StringComparison.Ordinal);
        return string.Join('/', sample);
    }

    /// <summary>A URL carries UTF-8: a lone surrogate cannot be sent in one, so it becomes U+FFFD as any client would make it.</summary>
    private static string Utf16Safe(string text) => System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text));
}

/// <summary>One portal for every bad-input property (starting it, PostgreSQL and the sandbox takes seconds).</summary>
[CollectionDefinition(Name)]
public sealed class BadInputCollection : ICollectionFixture<BadInputPortal>
{
    public const string Name = "bad input";
}
