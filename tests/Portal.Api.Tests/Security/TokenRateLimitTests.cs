using System.Net;
using static Portal.Api.Tests.ApiTestData;

namespace Portal.Api.Tests.Security;

/// <summary>After a few failed token authentications a client gets 429 for every token until the window ends.</summary>
public sealed class TokenRateLimitTests : IAsyncLifetime
{
    private const int Limit = 3;
    private readonly PortalApiFactory _factory = new();

    public ValueTask InitializeAsync()
    {
        _factory.Settings["Portal:Auth:FailedTokenLimit:PermitLimit"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _factory.Settings["Portal:Auth:FailedTokenLimit:Window"] = "01:00:00";
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Failures_past_the_limit_answer_429_with_retry_after_even_for_the_right_token()
    {
        var wrong = _factory.Client("guess");
        for (var i = 0; i < Limit; i++)
        {
            await ProblemAsync(await wrong.GetAsync("/api/v1/stacks", Browser.Ct), HttpStatusCode.Unauthorized);
        }

        var limited = await wrong.GetAsync("/api/v1/stacks", Browser.Ct);
        var rightToken = await _factory.Client().GetAsync("/api/v1/stacks", Browser.Ct);

        var problem = await ProblemAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.Contains("Too many failed token authentications", Detail(problem), StringComparison.Ordinal);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 says when to try again");
        await ProblemAsync(rightToken, HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Successful_calls_never_count_against_the_limit()
    {
        for (var i = 0; i < Limit * 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await _factory.Client().GetAsync("/api/v1/stacks", Browser.Ct)).StatusCode);
        }

        await ProblemAsync(await _factory.Client("guess").GetAsync("/api/v1/stacks", Browser.Ct), HttpStatusCode.Unauthorized);
    }
}
