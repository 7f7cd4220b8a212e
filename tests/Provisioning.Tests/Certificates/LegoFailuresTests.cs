using Portal.Provisioning.Certificates.Issuers;

namespace Portal.Provisioning.Tests.Certificates;

/// <summary>Outputs pebble cannot produce (it has no rate limits), as Let's Encrypt and lego print them.</summary>
public sealed class LegoFailuresTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 13, 16, 49, 33, TimeSpan.Zero);

    private static readonly LegoFailures.RunFacts Facts = new("lego", "https://acme-v02.api.letsencrypt.org/directory", "app.example.com", "ops@example.com", "http-01", false);

    [Theory]
    [InlineData("too many certificates (5) already issued for this exact set of domains in the last 168h0m0s, retry after 2024-05-13 17:49:33 UTC: see https://letsencrypt.org/docs/rate-limits/", 3600)]
    [InlineData("too many new orders recently: retry after 2024-05-13T16:59:33Z", 600)]
    [InlineData("too many failed authorizations recently, retry after 90 seconds", 90)]
    [InlineData("too many registrations for this IP", null)]
    public void A_rate_limit_is_transient_and_says_when_to_come_back(string detail, int? seconds)
    {
        var output = "2024/05/13 16:49:33 [INFO] [app.example.com] acme: Obtaining bundled SAN certificate\n"
            + "2024/05/13 16:49:33 Could not obtain certificates:\n\t"
            + $"acme: error: 429 :: POST :: https://acme-v02.api.letsencrypt.org/acme/new-order :: urn:ietf:params:acme:error:rateLimited :: {detail}\n";

        var failure = LegoFailures.Classify(output, 1, Facts, Now);

        Assert.True(failure.Transient);
        Assert.StartsWith("The ACME server https://acme-v02.api.letsencrypt.org/directory rate-limited the request for app.example.com: too many", failure.Message, StringComparison.Ordinal);
        Assert.Equal(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), failure.RetryAfter);
    }

    [Fact]
    public void A_failed_http_01_validation_is_transient_and_says_what_to_check()
    {
        var output = "2024/05/13 16:49:33 Could not obtain certificates:\n\terror: one or more domains had a problem:\n"
            + "[app.example.com] acme: error: 403 :: urn:ietf:params:acme:error:unauthorized :: 203.0.113.7: Invalid response from http://app.example.com/.well-known/acme-challenge/x: 404\n"
            + "acme: error: 403 :: POST :: https://acme/chall :: urn:ietf:params:acme:error:unauthorized :: 203.0.113.7: Invalid response: 404\n";

        var failure = LegoFailures.Classify(output, 1, Facts, Now);

        Assert.True(failure.Transient);
        Assert.Contains("could not validate app.example.com with http-01", failure.Message, StringComparison.Ordinal);
        Assert.Contains("routes /.well-known/acme-challenge/ to the portal", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_and_the_working_folder_are_scrubbed_from_the_output()
    {
        var scrubbed = LegoFailures.Scrub("key hmac-123456 token CF=tok-abcdef in /tmp/portal-lego-x/accounts", ["hmac-123456", "tok-abcdef", ""], "/tmp/portal-lego-x");

        Assert.Equal("key [redacted] token CF=[redacted] in <lego folder>/accounts", scrubbed);
    }

    [Fact]
    public void An_unknown_failure_quotes_legos_last_line()
    {
        var failure = LegoFailures.Classify("2024/05/13 16:49:33 [INFO] starting\n2024/05/13 16:49:34 something odd happened\n", 2, Facts, Now);

        Assert.False(failure.Transient);
        Assert.Equal("lego could not get a certificate for app.example.com from https://acme-v02.api.letsencrypt.org/directory (exit code 2): something odd happened", failure.Message);
    }
}
