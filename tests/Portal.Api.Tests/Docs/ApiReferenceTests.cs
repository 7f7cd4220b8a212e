using System.Net;
using System.Text.Json;
using Portal.Api.Tests.Security;
using Portal.Testing;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests.Docs;

/// <summary><c>docs/api.md</c> is the portal's OpenAPI document rendered as Markdown, with the role of each endpoint from the
/// authorization matrix: it fails while the file and the document differ. With <c>PORTAL_UPDATE_DOCS=1</c> it writes the file
/// instead.</summary>
public sealed class ApiReferenceTests(PortalApiFactory factory) : IClassFixture<PortalApiFactory>
{
    private static string ReferencePath => Path.Combine(Builds.RepositoryRoot, "docs", "api.md");

    [Fact]
    public async Task Docs_api_md_is_the_rendering_of_the_OpenAPI_document()
    {
        var rendered = ApiReferenceMarkdown.Render(await DocumentAsync(), AuthorizationMatrixTests.RoleOf);

        if (Environment.GetEnvironmentVariable("PORTAL_UPDATE_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ReferencePath)!);
            await File.WriteAllTextAsync(ReferencePath, rendered, TestContext.Current.CancellationToken);
            TestContext.Current.TestOutputHelper?.WriteLine($"wrote {ReferencePath}");
            return;
        }

        Assert.True(File.Exists(ReferencePath), $"{ReferencePath} does not exist; write it with: {ApiReferenceMarkdown.UpdateCommand}");
        var committed = (await File.ReadAllTextAsync(ReferencePath, TestContext.Current.CancellationToken)).ReplaceLineEndings("\n");
        if (committed != rendered)
        {
            Assert.Fail($"docs/api.md differs from the OpenAPI document ({FirstDifference(committed, rendered)}); write it again with: {ApiReferenceMarkdown.UpdateCommand}");
        }
    }

    [Fact]
    public async Task The_reference_has_every_endpoint_with_its_role_and_every_request_body_schema()
    {
        var document = await DocumentAsync();
        var rendered = ApiReferenceMarkdown.Render(document, AuthorizationMatrixTests.RoleOf);

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject())
            {
                var heading = $"### {method.Name.ToUpperInvariant()} {path.Name}\n";
                var at = rendered.IndexOf(heading, StringComparison.Ordinal);
                Assert.True(at >= 0, $"The reference has no section {heading.Trim()}.");
                var section = rendered[at..];
                var end = section.IndexOf("\n### ", heading.Length, StringComparison.Ordinal);
                section = end < 0 ? section : section[..end];
                Assert.Contains($"Role: **{AuthorizationMatrixTests.RoleOf(method.Name.ToUpperInvariant(), path.Name)}**", section, StringComparison.Ordinal);
            }
        }

        foreach (var body in new[] { "CreateStackBody", "UpdateStackBody", "CreateTokenBody", "UploadCertificateBody", "RotateSecretBody" })
        {
            Assert.Contains($"\n### {body}\n", rendered, StringComparison.Ordinal);
        }

        Assert.Contains("| `name` | `string` | yes |", rendered, StringComparison.Ordinal);
        // A relation's two ends are fields of an object defined in place.
        Assert.Contains("| `relations[].requirer` | `string` | yes |", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_reason_the_API_takes_says_the_longest_the_services_accept()
    {
        var document = await DocumentAsync();

        var bodies = document.GetProperty("components").GetProperty("schemas").EnumerateObject()
            .Where(s => s.Value.TryGetProperty("properties", out var properties) && properties.TryGetProperty("reason", out _))
            .ToList();
        var query = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject())
            .Where(m => m.Value.TryGetProperty("parameters", out _))
            .SelectMany(m => m.Value.GetProperty("parameters").EnumerateArray())
            .Where(p => p.GetProperty("name").GetString() == "reason")
            .ToList();

        Assert.Contains(bodies, s => s.Name == "TeardownBody");
        Assert.Single(query);
        Assert.All(bodies, s => Assert.Equal(Domain.Values.ReasonText.MaxLength, s.Value.GetProperty("properties").GetProperty("reason").GetProperty("maxLength").GetInt32()));
        Assert.All(query, p => Assert.Equal(Domain.Values.ReasonText.MaxLength, p.GetProperty("schema").GetProperty("maxLength").GetInt32()));
    }

    [Fact]
    public async Task An_endpoint_without_a_known_role_stops_the_rendering()
    {
        var document = await DocumentAsync();

        var failure = Assert.Throws<InvalidOperationException>(() =>
            ApiReferenceMarkdown.Render(document, (method, path) => path == "/api/v1/tokens" && method == "POST" ? null : "Viewer"));

        Assert.Contains("POST /api/v1/tokens", failure.Message, StringComparison.Ordinal);
    }

    private async Task<JsonElement> DocumentAsync()
    {
        var response = await factory.Client(token: null).GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        return await JsonAsync(response, HttpStatusCode.OK);
    }

    /// <summary>"line 12: '…' in the file, '…' in the document".</summary>
    private static string FirstDifference(string committed, string rendered)
    {
        var left = committed.Split('\n');
        var right = rendered.Split('\n');
        for (var i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            var a = i < left.Length ? left[i] : "(end of file)";
            var b = i < right.Length ? right[i] : "(end of document)";
            if (a != b)
            {
                return $"line {i + 1}: '{a}' in the file, '{b}' from the document";
            }
        }

        return "only in line endings";
    }
}
