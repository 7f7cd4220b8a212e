using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests.Security;

/// <summary>API tokens: created by admins and shown once, stored as a digest, limited by their role, refused once revoked or
/// expired; the bootstrap token is retired by the first of them.</summary>
/// <remarks>Each test has its own portal: creating a token retires the bootstrap token for the whole portal.</remarks>
public sealed class ApiTokenTests : IAsyncLifetime
{
    private readonly PortalApiFactory _factory = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    private async Task<(string Id, string Value, JsonObject Created)> CreateAsync(string role, string name = "ci deploy", HttpClient? admin = null)
    {
        admin ??= _factory.Client();
        var response = await admin.PostJsonAsync("/api/v1/tokens", new JsonObject { ["name"] = name, ["role"] = role, ["expiresInDays"] = 30 });
        var created = await JsonAsync(response, HttpStatusCode.Created);
        var node = JsonNode.Parse(created.GetRawText())!.AsObject();
        return (created.GetProperty("token").GetProperty("id").GetString()!, created.GetProperty("value").GetString()!, node);
    }

    [Fact]
    public async Task A_created_token_is_shown_once_and_never_listed_with_its_value()
    {
        var (id, value, created) = await CreateAsync("Admin");

        Assert.StartsWith($"apt_{id}_", value, StringComparison.Ordinal);
        Assert.Equal("Admin", created["token"]!["role"]!.GetValue<string>());
        Assert.Equal("Active", created["token"]!["state"]!.GetValue<string>());
        var admin = _factory.Client(value);
        var listed = await admin.GetStringAsync("/api/v1/tokens", Browser.Ct);
        var single = await admin.GetStringAsync($"/api/v1/tokens/{id}", Browser.Ct);
        Assert.Contains(id, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(value, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(value[^20..], listed, StringComparison.Ordinal);
        Assert.DoesNotContain(value, single, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_database_keeps_a_sha256_digest_of_the_token_and_never_the_token()
    {
        var (id, value, _) = await CreateAsync("Viewer");

        await using var context = _factory.Database();
        var record = await context.ApiTokens.SingleAsync(t => t.Id == id, Browser.Ct);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(value)), record.Hash);
        Assert.DoesNotContain(value[(5 + id.Length)..], $"{record.Name}{record.CreatedBy}{record.RevokedBy}", StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_api_token_retires_the_bootstrap_token()
    {
        Assert.Equal(HttpStatusCode.OK, (await _factory.Client().GetAsync("/api/v1/stacks", Browser.Ct)).StatusCode);

        await CreateAsync("Admin");

        var problem = await ProblemAsync(await _factory.Client().GetAsync("/api/v1/stacks", Browser.Ct), HttpStatusCode.Unauthorized);
        Assert.Contains("bootstrap token is retired", Detail(problem), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_can_do_what_its_role_allows_and_nothing_more()
    {
        var (_, viewer, _) = await CreateAsync("Viewer");
        var client = _factory.Client(viewer);

        var read = await client.GetAsync("/api/v1/stacks", Browser.Ct);
        var deploy = await client.PostJsonAsync("/api/v1/stacks", CreateBody("viewer-try"));
        var mint = await client.PostJsonAsync("/api/v1/tokens", new JsonObject { ["name"] = "escalate", ["role"] = "Admin" });

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Contains("needs the Operator role; the token has Viewer", Detail(await ProblemAsync(deploy, HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        Assert.Contains("needs the Admin role; the token has Viewer", Detail(await ProblemAsync(mint, HttpStatusCode.Forbidden)), StringComparison.Ordinal);
        await using var context = _factory.Database();
        Assert.DoesNotContain(context.Stacks, s => s.Name == "viewer-try");
        Assert.Single(context.ApiTokens);
    }

    [Fact]
    public async Task A_revoked_token_gets_401_at_once_and_revoking_it_again_is_a_conflict()
    {
        var (adminId, adminValue, _) = await CreateAsync("Admin", "admin automation");
        var admin = _factory.Client(adminValue);
        var (id, operatorToken, _) = await CreateAsync("Operator", admin: admin);
        Assert.Equal(HttpStatusCode.OK, (await _factory.Client(operatorToken).GetAsync("/api/v1/stacks", Browser.Ct)).StatusCode);

        var revoked = await JsonAsync(await admin.DeleteAsync($"/api/v1/tokens/{id}", Browser.Ct), HttpStatusCode.OK);
        var again = await admin.DeleteAsync($"/api/v1/tokens/{id}", Browser.Ct);

        Assert.Equal("Revoked", revoked.GetProperty("state").GetString());
        Assert.Equal($"admin automation (token {adminId})", revoked.GetProperty("revokedBy").GetString());
        var refused = await ProblemAsync(await _factory.Client(operatorToken).GetAsync("/api/v1/stacks", Browser.Ct), HttpStatusCode.Unauthorized);
        Assert.Contains("revoked", Detail(refused), StringComparison.Ordinal);
        await ProblemAsync(again, HttpStatusCode.Conflict);
        await ProblemAsync(await admin.DeleteAsync("/api/v1/tokens/nosuchtoken1", Browser.Ct), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_expired_token_gets_401()
    {
        var (id, value, _) = await CreateAsync("Operator");
        await using (var context = _factory.Database())
        {
            var record = await context.ApiTokens.SingleAsync(t => t.Id == id, Browser.Ct);
            record.ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-1);
            await context.SaveChangesAsync(Browser.Ct);
        }

        var refused = await ProblemAsync(await _factory.Client(value).GetAsync("/api/v1/stacks", Browser.Ct), HttpStatusCode.Unauthorized);

        Assert.Contains("expired", Detail(refused), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_with_a_known_id_but_another_secret_gets_401()
    {
        var (id, value, _) = await CreateAsync("Admin");
        var forged = $"apt_{id}_{new string('A', value.Length - id.Length - 5)}";

        var refused = await ProblemAsync(await _factory.Client(forged).GetAsync("/api/v1/stacks", Browser.Ct), HttpStatusCode.Unauthorized);

        Assert.Equal("The bearer token is not valid.", Detail(refused));
    }

    [Fact]
    public async Task Creating_a_token_lists_every_problem_of_the_request()
    {
        var response = await _factory.Client().PostJsonAsync("/api/v1/tokens", new JsonObject { ["name"] = "", ["role"] = "Root", ["expiresInDays"] = 4000, ["scope"] = "all" });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["scope"], ErrorPaths(problem));
        var again = await ProblemAsync(await _factory.Client().PostJsonAsync("/api/v1/tokens", new JsonObject { ["name"] = "", ["role"] = "Root", ["expiresInDays"] = 4000 }), HttpStatusCode.BadRequest);
        Assert.Equal(["expiresInDays", "name", "role"], ErrorPaths(again));
    }

    [Fact]
    public async Task Creating_and_revoking_tokens_is_in_the_audit_log_and_use_is_recorded()
    {
        var (id, value, _) = await CreateAsync("Admin", "release bot");
        await _factory.Client(value).GetAsync("/api/v1/stacks", Browser.Ct);
        await _factory.Client(value).DeleteAsync($"/api/v1/tokens/{id}", Browser.Ct);

        await using var context = _factory.Database();
        var audit = await context.Audit.Where(a => a.Action.EndsWith("-token")).OrderBy(a => a.Id).ToListAsync(Browser.Ct);
        Assert.Equal(["create-token", "revoke-token"], audit.Select(a => a.Action));
        Assert.Equal("bootstrap-token", audit[0].Actor);
        Assert.Equal($"release bot (token {id})", audit[1].Actor);
        Assert.All(audit, a => Assert.Equal($"token release bot ({id})", a.Target));
        Assert.NotNull((await context.ApiTokens.SingleAsync(t => t.Id == id, Browser.Ct)).LastUsedAt);
    }
}
