using Portal.Domain.Stacks;
using Portal.Domain.Tests.TestData;
using Portal.Domain.Tests.Values;

namespace Portal.Domain.Tests.Stacks;

/// <summary>Rules of one kind that involve several options, or more than an option's type can say.</summary>
public sealed class StackValidatorRuleTests
{
    private static StackRequest Minimal => StackRequests.Minimal();

    [Fact]
    public void Someone_must_be_able_to_sign_in()
    {
        var nobody = Minimal.With("oauth2-proxy", "email-domains", "");
        Assert.StartsWith("Nobody could sign in", ResultAssert.ErrorAt(nobody.Validate(), "oauth2-proxy.email-domains").Message, StringComparison.Ordinal);

        ResultAssert.Success(nobody.With("oauth2-proxy", "authenticated-emails-list", "ops@example.com").Validate());
        ResultAssert.Success(Minimal.With("oauth2-proxy", "email-domains", "example.com").Validate());
    }

    [Theory]
    [InlineData("--skip-provider-button=true\n--cookie-expire=12h", null)]
    [InlineData("", null)]
    [InlineData("skip-provider-button", "Line 1 of extra-flags is not a flag")]
    [InlineData("--ok=1\n\n--client-secret=hunter2", "Line 3 of extra-flags sets --client-secret")]
    [InlineData("--cookie-secret abc", "sets --cookie-secret")]
    public void Extra_flags_must_be_flags_the_portal_does_not_manage(string flags, string? fragment)
    {
        var result = Minimal.With("oauth2-proxy", "extra-flags", flags).Validate();
        if (fragment is null)
        {
            ResultAssert.Success(result);
            return;
        }

        var error = ResultAssert.ErrorAt(result, "oauth2-proxy.extra-flags");
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void External_account_binding_takes_both_parts()
    {
        ResultAssert.Success(Minimal.With("lego", "eab-kid", "kid-1").With("lego", "eab-hmac", "hmac-value").Validate());
        Assert.StartsWith("eab-hmac is needed when eab-kid is set",
            ResultAssert.ErrorAt(Minimal.With("lego", "eab-kid", "kid-1").Validate(), "lego.eab-hmac").Message, StringComparison.Ordinal);
        var error = ResultAssert.ErrorAt(Minimal.With("lego", "eab-hmac", "hmac-value").Validate(), "lego.eab-kid");
        Assert.StartsWith("eab-kid is needed when eab-hmac is set", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hmac-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void On_day_2_a_kept_eab_hmac_satisfies_the_key_id()
    {
        var deployed = Minimal.With("lego", "eab-kid", "kid-1").With("lego", "eab-hmac", "hmac-value").Validate().Value;
        var stored = deployed.WithoutSecrets(Portal.Domain.Catalog.ComponentCatalog.Default);
        ResultAssert.Success(StackRequest.FromSpec(stored).Validate(stored));
    }

    [Theory]
    [InlineData("http-01", null)]
    [InlineData("cloudflare", null)]
    [InlineData("route53", null)]
    [InlineData("dns-01", "Name the DNS provider")]
    [InlineData("tls-alpn-01", "not supported")]
    [InlineData("Cloud Flare", "not a lego DNS provider code")]
    public void The_lego_plugin_is_http_01_or_a_dns_provider(string plugin, string? fragment)
    {
        var result = Minimal.With("lego", "plugin", plugin).Validate();
        if (fragment is null)
        {
            ResultAssert.Success(result);
        }
        else
        {
            Assert.Contains(fragment, ResultAssert.ErrorAt(result, "lego.plugin").Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("02:00-04:00", null)]
    [InlineData("22:00-02:00", null)]
    [InlineData("2am-4am", "is not a window")]
    [InlineData("25:00-04:00", "is not a window")]
    [InlineData("03:00-03:00", "is empty")]
    public void The_maintenance_window_is_a_daily_utc_window_or_empty(string window, string? fragment)
    {
        var result = Minimal.With("lego", "maintenance-window", window).Validate();
        if (fragment is null)
        {
            ResultAssert.Success(result);
        }
        else
        {
            Assert.Contains(fragment, ResultAssert.ErrorAt(result, "lego.maintenance-window").Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_issuer_is_acme_or_the_internal_ca_and_every_problem_shows_at_once()
    {
        ResultAssert.Success(Minimal.With("lego", "issuer", "internal-ca").Validate());
        ResultAssert.Success(Minimal.With("lego", "issuer", "acme").Validate());

        var result = Minimal.With("lego", "issuer", "vault").With("lego", "maintenance-window", "soon").Validate();
        ResultAssert.ErrorAt(result, "lego.issuer");
        ResultAssert.ErrorAt(result, "lego.maintenance-window");
    }

    [Fact]
    public void Plugin_credentials_are_KEY_value_lines_reported_without_their_content()
    {
        ResultAssert.Success(Minimal.With("lego", "plugin", "cloudflare").With("lego", "plugin-credentials", "# token\nCF_DNS_API_TOKEN=abc=def\n\n").Validate());

        var result = Minimal.With("lego", "plugin", "cloudflare").With("lego", "plugin-credentials", "CF_DNS_API_TOKEN=ok\ncf_token=leaky-value\nno-equals-leaky").Validate();
        var errors = result.Errors.Where(e => e.Path == "lego.plugin-credentials").ToList();
        Assert.Equal(2, errors.Count);
        Assert.StartsWith("Line 2 of plugin-credentials", errors[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("Line 3 of plugin-credentials", errors[1].Message, StringComparison.Ordinal);
        Assert.All(errors, e => Assert.DoesNotContain("leaky", e.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("verify-full")]
    [InlineData("verify-ca")]
    public void Verifying_the_database_server_needs_its_CA(string sslmode)
    {
        var request = Minimal.With("postgresql", "sslmode", sslmode);
        Assert.Equal($"ca-certificate is required when sslmode is {sslmode}: the server's certificate is checked against it.",
            ResultAssert.ErrorAt(request.Validate(), "postgresql.ca-certificate").Message);

        ResultAssert.Success(request.With("postgresql", "ca-certificate", TestCertificates.Root.Pem).Validate());
    }

    [Theory]
    [InlineData("require")]
    [InlineData("disable")]
    public void Other_ssl_modes_need_no_CA(string sslmode) =>
        ResultAssert.Success(Minimal.With("postgresql", "sslmode", sslmode).Validate());

    [Theory]
    [InlineData("proxy-read-timeout", "1500ms", "proxy-read-timeout must be a whole number of seconds, since nginx takes its timeouts in seconds; 1s500ms is not.")]
    [InlineData("proxy-send-timeout", "1.5m", null)]
    [InlineData("proxy-connect-timeout", "2.5s", "proxy-connect-timeout must be a whole number of seconds, since nginx takes its timeouts in seconds; 2s500ms is not.")]
    public void Nginx_timeouts_are_whole_seconds(string option, string value, string? message)
    {
        var result = Minimal.With("ingress", option, value).Validate();
        if (message is null)
        {
            ResultAssert.Success(result);
        }
        else
        {
            Assert.Equal(message, ResultAssert.ErrorAt(result, $"ingress.{option}").Message);
        }
    }

    [Theory]
    [InlineData("job-namespace", "airbyte-jobs", true)]
    [InlineData("job-namespace", "jobs.airbyte", false)]
    [InlineData("storage-bucket-logs", "my.logs-bucket", true)]
    [InlineData("storage-bucket-logs", "ab", false)]
    [InlineData("storage-bucket-state", "10.0.0.1", false)]
    public void Airbyte_namespaces_and_buckets_follow_their_own_naming_rules(string option, string value, bool valid)
    {
        var result = Minimal.With("airbyte", option, value).Validate();
        if (valid)
        {
            ResultAssert.Success(result);
        }
        else
        {
            ResultAssert.ErrorAt(result, $"airbyte.{option}");
        }
    }

    [Fact]
    public void A_request_cannot_exceed_its_limit()
    {
        var result = Minimal.With("airbyte", "job-main-container-cpu-request", "3").With("airbyte", "job-main-container-memory-limit", "256Mi").Validate();
        Assert.Equal("job-main-container-cpu-request (3) is more than job-main-container-cpu-limit (2); a request cannot exceed its limit.",
            ResultAssert.ErrorAt(result, "airbyte.job-main-container-cpu-request").Message);
        Assert.Equal("job-main-container-memory-request (512Mi) is more than job-main-container-memory-limit (256Mi); a request cannot exceed its limit.",
            ResultAssert.ErrorAt(result, "airbyte.job-main-container-memory-request").Message);

        ResultAssert.Success(Minimal.With("airbyte", "job-main-container-cpu-request", "2000m").Validate());
    }

    [Theory]
    [InlineData("airbyte", "job-main-container-memory-limit", "2048m", "2048m is a fraction of a byte ('m' means thousandths or smaller); did you mean 2048Mi?")]
    [InlineData("minio", "storage-size", "10.5", "10.5 is not a whole number of bytes; use a suffix such as Mi or Gi (e.g. 512Mi).")]
    public void Memory_and_storage_are_whole_bytes(string component, string option, string value, string message) =>
        Assert.Equal(message, ResultAssert.ErrorAt(Minimal.With(component, option, value).Validate(), $"{component}.{option}").Message);

    [Fact]
    public void CPU_may_be_fractional() =>
        ResultAssert.Success(Minimal.With("airbyte", "job-main-container-cpu-limit", "1500m").Validate());

    [Fact]
    public void A_signature_header_with_an_underscore_would_be_dropped_by_nginx()
    {
        Assert.Contains("nginx drops such headers",
            ResultAssert.ErrorAt(Minimal.With("airbyte-webhooks", "signature-header", "X_Signature").Validate(), "airbyte-webhooks.signature-header").Message,
            StringComparison.Ordinal);
        ResultAssert.Success(Minimal.With("airbyte-webhooks", "signature-header", "X-Signature").Validate());
    }

    [Fact]
    public void Idle_connections_are_at_most_the_open_ones()
    {
        var result = Minimal.With("temporal", "persistence-max-conns", "10").With("temporal", "visibility-max-idle-conns", "11").Validate();
        ResultAssert.FailureAt(result, "temporal.persistence-max-idle-conns", "temporal.visibility-max-idle-conns");
        ResultAssert.Success(Minimal.With("temporal", "persistence-max-conns", "40").Validate());
    }
}
