using System.Net;
using System.Text;
using Portal.Api.Tests.Security;
using Portal.Domain.Access;
using Portal.Provisioning.Persistence;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests;

/// <summary><c>GET /api/v1/audit</c> and the CSV export, over a known set of entries.</summary>
public sealed class AuditApiTests : IClassFixture<PortalApiFactory>
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Guid Op1 = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid Op2 = Guid.Parse("22222222-2222-2222-2222-222222222222");
    private static readonly Guid Op6 = Guid.Parse("66666666-6666-6666-6666-666666666666");

    /// <summary>The seeded entries, oldest first; tests name them by their number (1–6).</summary>
    private static readonly AuditRecord[] Seeds =
    [
        Seed(0, "alice", "create", "prod", "first deploy", "accepted: 12 steps", Op1, "+ airbyte.log-level = INFO\n+ oauth2-proxy.client-secret = (secret)"),
        Seed(1, "bob", "reconfigure", "prod", "raise, log level", "accepted: 1 step", Op2, "~ airbyte.log-level: INFO → DEBUG"),
        Seed(2, "bob", "teardown", "staging", null, "refused: Say why the stack is torn down", null, null),
        Seed(3, "alice", "connect-cluster", null, null, "connected", null, "+ cluster lab: context lab, server https://lab.example.com", target: "lab"),
        Seed(4, "mallory", "reconfigure", "prod", "=HYPERLINK(\"http://evil.example.com\")", "refused: stack prod is \"busy\"", null, null),
        Seed(5, "carol", "create", "staging", "two\nlines", "accepted: 10 steps", Op6, "+ airbyte.log-level = DEBUG"),
    ];

    private readonly PortalApiFactory _factory;
    private readonly HttpClient _client;

    public AuditApiTests(PortalApiFactory factory)
    {
        _factory = factory;
        _client = factory.Client();
        using var db = factory.Database();
        if (!db.Audit.Any(a => a.Actor == "mallory"))
        {
            db.Audit.AddRange(Seeds.Select(Copy));
            db.SaveChanges();
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The API is called with a token; the browser's download with a viewer signed in to the UI, as the page's link is.</summary>
    private async Task<HttpClient> CallerAsync(string url) =>
        url.StartsWith("/api/", StringComparison.Ordinal) ? _factory.Client() : await _factory.SignedInAsync(PortalRole.Viewer);

    [Fact]
    public async Task The_log_lists_every_entry_newest_first_with_outcome_operation_and_diff()
    {
        var page = await JsonAsync(await _client.GetAsync("/api/v1/audit", Ct), HttpStatusCode.OK);

        Assert.Equal(6, page.GetProperty("total").GetInt32());
        Assert.Equal(1, page.GetProperty("page").GetInt32());
        Assert.Equal(1, page.GetProperty("pages").GetInt32());
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["carol", "mallory", "alice", "bob", "bob", "alice"], items.Select(i => i.GetProperty("actor").GetString()));
        var first = items[^1];
        Assert.Equal("create", first.GetProperty("action").GetString());
        Assert.Equal("prod", first.GetProperty("stack").GetString());
        Assert.Equal("first deploy", first.GetProperty("reason").GetString());
        Assert.Equal("accepted", first.GetProperty("outcome").GetString());
        Assert.Equal(Op1, first.GetProperty("operationId").GetGuid());
        Assert.Equal(T0, first.GetProperty("at").GetDateTimeOffset());
        Assert.Contains("oauth2-proxy.client-secret = (secret)", first.GetProperty("diff").GetString(), StringComparison.Ordinal);
        Assert.Equal("refused", items[3].GetProperty("outcome").GetString());
    }

    public static TheoryData<string, int[]> Filters => new()
    {
        { "stack=prod", [5, 2, 1] },
        { "actor=bob", [3, 2] },
        { "action=reconfigure", [5, 2] },
        { "result=refused", [5, 3] },
        { "result=accepted", [6, 4, 2, 1] },
        { "from=2030-01-01T01:00:00Z&to=2030-01-01T04:00:00Z", [4, 3, 2] },
        { "from=2030-01-01T04:00", [6, 5] },
        { "to=2030-01-01", [] },
        { "stack=prod&actor=bob", [2] },
        { "stack=prod&result=refused&action=reconfigure", [5] },
        { "actor=nobody", [] },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Filters_select_the_matching_entries(string query, int[] expected)
    {
        var page = await JsonAsync(await _client.GetAsync($"/api/v1/audit?{query}", Ct), HttpStatusCode.OK);

        Assert.Equal(expected.Length, page.GetProperty("total").GetInt32());
        Assert.Equal(expected, page.GetProperty("items").EnumerateArray().Select(i => NumberAt(i.GetProperty("at").GetDateTimeOffset())));
    }

    [Theory]
    [InlineData(1, new[] { 6, 5 })]
    [InlineData(2, new[] { 4, 3 })]
    [InlineData(3, new[] { 2, 1 })]
    [InlineData(4, new int[0])]
    public async Task Pages_split_the_entries_and_keep_the_total(int pageNumber, int[] expected)
    {
        var page = await JsonAsync(await _client.GetAsync($"/api/v1/audit?pageSize=2&page={pageNumber}", Ct), HttpStatusCode.OK);

        Assert.Equal(6, page.GetProperty("total").GetInt32());
        Assert.Equal(3, page.GetProperty("pages").GetInt32());
        Assert.Equal(2, page.GetProperty("pageSize").GetInt32());
        Assert.Equal(expected, page.GetProperty("items").EnumerateArray().Select(i => NumberAt(i.GetProperty("at").GetDateTimeOffset())));
    }

    [Theory]
    [InlineData("/api/v1/audit?page=abc&pageSize=0&from=yesterday&result=maybe&sort=at", new[] { "from", "page", "pageSize", "result", "sort" })]
    [InlineData("/api/v1/audit?from=2030-01-02&to=2030-01-01&pageSize=501", new[] { "pageSize", "to" })]
    [InlineData("/api/v1/audit?page=-1&actor=a&actor=b", new[] { "actor", "page" })]
    [InlineData("/api/v1/audit/export.csv?page=2&to=soon", new[] { "page", "to" })]
    [InlineData("/audit/export.csv?result=failed", new[] { "result" })]
    public async Task A_bad_filter_lists_every_problem_at_once(string url, string[] paths)
    {
        using var caller = await CallerAsync(url);
        var problem = await ProblemAsync(await caller.GetAsync(url, Ct), HttpStatusCode.BadRequest);

        Assert.Equal(paths, ErrorPaths(problem));
    }

    [Theory]
    [InlineData("/api/v1/audit/export.csv?stack=prod")]
    [InlineData("/audit/export.csv?stack=prod")]
    public async Task The_csv_export_is_an_attachment_with_every_matching_entry_quoted_properly(string url)
    {
        using var caller = await CallerAsync(url);
        var response = await caller.GetAsync(url, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Matches(@"^audit-\d{8}-\d{6}\.csv$", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        Assert.StartsWith("id,at,actor,action,stack,target,reason,outcome,result,operation,diff\r\n", text, StringComparison.Ordinal);

        var rows = ParseCsv(text);
        Assert.Equal(4, rows.Count);
        Assert.All(rows, row => Assert.Equal(11, row.Count));
        var (mallory, bob, alice) = (rows[1], rows[2], rows[3]);
        Assert.Equal(["2030-01-01T04:00:00.000Z", "mallory", "reconfigure", "prod", "prod"], mallory[1..6]);
        Assert.Equal("'=HYPERLINK(\"http://evil.example.com\")", mallory[6]);
        Assert.Equal(["refused", "refused: stack prod is \"busy\"", ""], mallory[7..10]);
        Assert.Equal("raise, log level", bob[6]);
        Assert.Equal(Op2.ToString(), bob[9]);
        Assert.Equal("~ airbyte.log-level: INFO → DEBUG", bob[10]);
        Assert.Equal("'+ airbyte.log-level = INFO\n+ oauth2-proxy.client-secret = (secret)", alice[10]);
        Assert.Contains("\"raise, log level\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_csv_export_without_a_filter_holds_every_entry_and_multiline_fields_stay_one_record()
    {
        var text = await _client.GetStringAsync("/api/v1/audit/export.csv", Ct);

        var rows = ParseCsv(text.TrimStart('\uFEFF'));
        Assert.Equal(7, rows.Count);
        Assert.Equal("two\nlines", rows[1][6]);
        Assert.Equal(["carol", "mallory", "alice", "bob", "bob", "alice"], rows.Skip(1).Select(r => r[2]));
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_audit_and_cluster_endpoints_with_the_audit_filters()
    {
        var document = await JsonAsync(await _factory.Client(token: null).GetAsync("/openapi/v1.json", Ct), HttpStatusCode.OK);

        var paths = document.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/v1/clusters/test").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/api/v1/clusters/{name}").TryGetProperty("patch", out _));
        Assert.True(paths.GetProperty("/api/v1/clusters/{name}").TryGetProperty("delete", out _));
        var list = paths.GetProperty("/api/v1/audit").GetProperty("get");
        Assert.Equal(["stack", "actor", "action", "result", "from", "to", "page", "pageSize"],
            list.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        var export = paths.GetProperty("/api/v1/audit/export.csv").GetProperty("get");
        Assert.Equal(6, export.GetProperty("parameters").GetArrayLength());
        Assert.False(paths.TryGetProperty("/audit/export.csv", out _), "the browser's download is not part of the API");
    }

    private static AuditRecord Seed(int hours, string actor, string action, string? stack, string? reason, string result, Guid? operation, string? diff, string? target = null) => new()
    {
        At = T0.AddHours(hours),
        Actor = actor,
        Action = action,
        Stack = stack,
        Target = target ?? stack,
        Reason = reason,
        Result = result,
        OperationId = operation,
        Diff = diff,
    };

    // Each factory gets fresh instances: EF Core tracks and numbers the ones it saves.
    private static AuditRecord Copy(AuditRecord seed) => new()
    {
        At = seed.At,
        Actor = seed.Actor,
        Action = seed.Action,
        Stack = seed.Stack,
        Target = seed.Target,
        Reason = seed.Reason,
        Result = seed.Result,
        OperationId = seed.OperationId,
        Diff = seed.Diff,
    };

    private static int NumberAt(DateTimeOffset at) => (int)(at - T0).TotalHours + 1;

    /// <summary>A strict RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks; rows end in CRLF.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                Assert.True(field.Length == 0, "a quote inside an unquoted field");
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r')
            {
                Assert.True(i + 1 < text.Length && text[i + 1] == '\n', "a CR that does not end a row");
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                Assert.True(c != '\n', "a bare LF outside a quoted field");
                field.Append(c);
            }
        }

        Assert.False(quoted, "the text ends inside a quoted field");
        Assert.True(field.Length == 0 && row.Count == 0, "the last row does not end in CRLF");
        return rows;
    }
}
