using Portal.Domain.Catalog;
using Portal.Domain.Tests.TestData;
using Portal.Domain.Values;

namespace Portal.Domain.Tests.Values;

public sealed class OptionValueParserTests
{
    private static readonly DateTimeOffset Now = StackRequests.Now;

    private static ConfigOptionDefinition Option(string kind, string name) => ComponentCatalog.Default.Get(kind).FindOption(name)!;

    private static Portal.Domain.Common.Result<string?> Parse(string kind, string name, string? value) =>
        OptionValueParser.Parse(Option(kind, name), value, Now);

    /// <summary>A valid sample value for each option type.</summary>
    public static TheoryData<OptionType, string> Samples => new()
    {
        { OptionType.String, "text" },
        { OptionType.Integer, "42" },
        { OptionType.Boolean, "true" },
        { OptionType.Enum, "a" },
        { OptionType.Hostname, "airbyte.example.com" },
        { OptionType.Host, "10.0.0.1" },
        { OptionType.Port, "5432" },
        { OptionType.CidrList, "10.0.0.0/8" },
        { OptionType.Duration, "60s" },
        { OptionType.Email, "ops@example.com" },
        { OptionType.EmailList, "a@example.com,b@example.com" },
        { OptionType.DomainList, "example.com" },
        { OptionType.Url, "https://acme.example.com/directory" },
        { OptionType.Image, "registry.example.com/app:1.0" },
        { OptionType.Quantity, "512Mi" },
        { OptionType.Name, "tls-secret" },
        { OptionType.Pem, TestCertificates.Root.Pem },
        { OptionType.Path, "/hooks" },
        { OptionType.HeaderName, "X-Hub-Signature-256" },
        { OptionType.Text, "--flag\n--other" },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_option_type_has_a_parser(OptionType type, string sample)
    {
        var option = new ConfigOptionDefinition("sample", type, "A sample.") { AllowedValues = ["a", "b"] };
        Assert.NotNull(ResultAssert.Success(OptionValueParser.Parse(option, sample, Now)));
    }

    [Fact]
    public void The_samples_cover_every_option_type() =>
        Assert.Equal(Enum.GetValues<OptionType>().Order(), Samples.Select(row => row.Data.Item1).Order());

    [Fact]
    public void Every_catalog_default_parses_and_normalising_is_idempotent()
    {
        foreach (var kind in ComponentCatalog.Default.Kinds)
        {
            foreach (var option in kind.Options.Where(o => o.Default is not null))
            {
                var normalised = OptionValueParser.Parse(option, option.Default, Now);
                Assert.True(normalised.IsSuccess, $"{kind.Name}.{option.Name} default '{option.Default}': {string.Join("; ", normalised.Errors)}");
                if (normalised.Value is { } value)
                {
                    Assert.Equal(value, ResultAssert.Success(OptionValueParser.Parse(option, value, Now)));
                }
            }
        }
    }

    [Theory]
    [InlineData("5", "5")]
    [InlineData("007", "7")]
    [InlineData("+3", "3")]
    [InlineData(" 10 ", "10")]
    public void Integers_are_normalised(string text, string expected) =>
        Assert.Equal(expected, ResultAssert.Success(Parse("airbyte", "replicas", text)));

    [Theory]
    [InlineData("abc", "replicas must be a whole number; 'abc' is not.")]
    [InlineData("1.5", "replicas must be a whole number; '1.5' is not.")]
    [InlineData("1,000", "replicas must be a whole number; '1,000' is not (write it without separators).")]
    [InlineData("99999999999999999999", "replicas is too large a number.")]
    [InlineData("0", "replicas must be between 1 and 10; 0 is not.")]
    [InlineData("11", "replicas must be between 1 and 10; 11 is not.")]
    [InlineData("-1", "replicas must be between 1 and 10; -1 is not.")]
    public void Integers_out_of_range_or_malformed_are_explained(string text, string message) =>
        Assert.Equal(message, Assert.Single(Parse("airbyte", "replicas", text).Errors).Message);

    [Theory]
    [InlineData("500", "num-history-shards must be a power of two (1, 2, 4, …, 16384); 500 is not.")]
    [InlineData("3", "num-history-shards must be a power of two (1, 2, 4, …, 16384); 3 is not.")]
    [InlineData("32768", "num-history-shards must be between 1 and 16384; 32768 is not.")]
    [InlineData("0", "num-history-shards must be between 1 and 16384; 0 is not.")]
    public void Powers_of_two_are_enforced(string text, string message) =>
        Assert.Equal(message, Assert.Single(Parse("temporal", "num-history-shards", text).Errors).Message);

    [Theory]
    [InlineData("1")]
    [InlineData("512")]
    [InlineData("16384")]
    public void Powers_of_two_in_range_are_accepted(string text) =>
        Assert.Equal(text, ResultAssert.Success(Parse("temporal", "num-history-shards", text)));

    [Fact]
    public void One_sided_ranges_say_at_least_or_at_most()
    {
        var atLeast = new ConfigOptionDefinition("x", OptionType.Integer, "") { Minimum = 5 };
        var atMost = new ConfigOptionDefinition("y", OptionType.Integer, "") { Maximum = 5 };
        Assert.Equal("x must be at least 5; 4 is not.", Assert.Single(OptionValueParser.Parse(atLeast, "4", Now).Errors).Message);
        Assert.Equal("y must be at most 5; 6 is not.", Assert.Single(OptionValueParser.Parse(atMost, "6", Now).Errors).Message);
    }

    [Theory]
    [InlineData("true", "true")]
    [InlineData("TRUE", "true")]
    [InlineData(" False ", "false")]
    public void Booleans_are_normalised(string text, string expected) =>
        Assert.Equal(expected, ResultAssert.Success(OptionValueParser.Parse(new ConfigOptionDefinition("flag", OptionType.Boolean, ""), text, Now)));

    [Fact]
    public void Booleans_are_only_true_or_false() =>
        Assert.Equal("flag must be true or false; 'yes' is not.",
            Assert.Single(OptionValueParser.Parse(new ConfigOptionDefinition("flag", OptionType.Boolean, ""), "yes", Now).Errors).Message);

    [Theory]
    [InlineData("airbyte", "log-level", "info", "INFO")]
    [InlineData("temporal", "log-level", "WARN", "warn")]
    [InlineData("oauth2-proxy", "provider", "GitHub", "github")]
    public void Enum_values_take_the_catalog_spelling(string kind, string option, string text, string expected) =>
        Assert.Equal(expected, ResultAssert.Success(Parse(kind, option, text)));

    [Fact]
    public void Enum_values_list_the_choices_and_suggest_a_close_one()
    {
        Assert.Equal("provider must be one of google, github, oidc; 'gihub' is not; did you mean github?",
            Assert.Single(Parse("oauth2-proxy", "provider", "gihub").Errors).Message);
        Assert.Equal("provider must be one of google, github, oidc; 'azure-entra' is not.",
            Assert.Single(Parse("oauth2-proxy", "provider", "azure-entra").Errors).Message);
    }

    [Theory]
    [InlineData("oauth2-proxy", "email-domains", "")]
    [InlineData("oauth2-proxy", "authenticated-emails-list", "  ")]
    [InlineData("nginx-ingress", "whitelist-source-range", "")]
    [InlineData("airbyte", "job-namespace", "")]
    [InlineData("lego", "eab-kid", "")]
    [InlineData("postgresql", "ca-certificate", "")]
    [InlineData("oauth2-proxy", "extra-flags", " \n ")]
    public void An_empty_list_or_free_text_is_a_value_of_its_own(string kind, string option, string text) =>
        Assert.Equal("", ResultAssert.Success(Parse(kind, option, text)));

    [Theory]
    [InlineData("airbyte", "replicas", "")]
    [InlineData("airbyte", "external-hostname", " ")]
    [InlineData("postgresql", "port", "")]
    [InlineData("nginx-ingress", "proxy-read-timeout", "")]
    [InlineData("oauth2-proxy", "cookie-secret", "")]
    [InlineData("postgresql", "admin-password", "  ")]
    [InlineData("airbyte", "replicas", null)]
    public void An_empty_scalar_or_secret_means_not_given(string kind, string option, string? text) =>
        Assert.Null(ResultAssert.Success(Parse(kind, option, text)));

    [Theory]
    [InlineData("airbyte", "external-hostname", "Bücher.Example", "xn--bcher-kva.example")]
    [InlineData("postgresql", "host", "[2001:DB8::1]", "2001:db8::1")]
    [InlineData("nginx-ingress", "whitelist-source-range", "10.0.0.0/8, 2001:DB8::/32", "10.0.0.0/8,2001:db8::/32")]
    [InlineData("nginx-ingress", "proxy-read-timeout", "120", "2m")]
    [InlineData("lego", "email", "Ops@Example.COM", "Ops@example.com")]
    [InlineData("lego", "server", "HTTPS://ACME.example.com/dir", "https://acme.example.com/dir")]
    [InlineData("airbyte-webhooks", "path-prefix", "/hooks/", "/hooks")]
    [InlineData("oauth2-proxy", "email-domains", " * ", "*")]
    [InlineData("airbyte", "job-main-container-memory-limit", " 2Gi ", "2Gi")]
    [InlineData("oauth2-proxy", "client-id", "  Iv1.abc  ", "Iv1.abc")]
    public void Values_are_normalised_by_type(string kind, string option, string text, string expected) =>
        Assert.Equal(expected, ResultAssert.Success(Parse(kind, option, text)));

    [Fact]
    public void The_ACME_server_must_use_https()
    {
        var option = Option("lego", "server");
        Assert.StartsWith("The ACME server must use https",
            Assert.Single(OptionValueParser.Parse(option, "http://acme.example.com/dir", Now, "the ACME server").Errors).Message, StringComparison.Ordinal);
        Assert.StartsWith("Server must use https",
            Assert.Single(OptionValueParser.Parse(option, "http://acme.example.com/dir", Now).Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wildcard_hostnames_follow_the_option()
    {
        var wildcard = new ConfigOptionDefinition("host", OptionType.Hostname, "") { AllowWildcard = true };
        Assert.Equal("*.example.com", ResultAssert.Success(OptionValueParser.Parse(wildcard, "*.Example.com", Now)));
        ResultAssert.Failure(Parse("airbyte", "external-hostname", "*.example.com"), "wildcard hostname is not allowed");
    }

    [Fact]
    public void Durations_and_quantities_allow_zero_only_when_the_minimum_is_zero()
    {
        var durationFromZero = new ConfigOptionDefinition("grace", OptionType.Duration, "") { Minimum = 0 };
        var quantityFromZero = new ConfigOptionDefinition("cpu", OptionType.Quantity, "") { Minimum = 0 };
        Assert.Equal("0s", ResultAssert.Success(OptionValueParser.Parse(durationFromZero, "0", Now)));
        Assert.Equal("0", ResultAssert.Success(OptionValueParser.Parse(quantityFromZero, "0", Now)));
        ResultAssert.Failure(Parse("nginx-ingress", "proxy-read-timeout", "0s"), "zero");
        ResultAssert.Failure(Parse("minio", "storage-size", "0"), "zero");
    }

    [Fact]
    public void Duration_bounds_are_in_seconds()
    {
        var option = new ConfigOptionDefinition("timeout", OptionType.Duration, "") { Minimum = 1, Maximum = 3600 };
        ResultAssert.Success(OptionValueParser.Parse(option, "1h", Now));
        Assert.Equal("timeout must be between 1s and 3600s; 2h is not.", Assert.Single(OptionValueParser.Parse(option, "2h", Now).Errors).Message);
    }

    [Fact]
    public void Pem_options_hold_normalised_certificates_and_refuse_expired_ones()
    {
        var pem = "comment line\n" + TestCertificates.Root.Pem;
        Assert.Equal(TestCertificates.Root.Pem.Replace("\r", "", StringComparison.Ordinal).TrimEnd() + "\n", ResultAssert.Success(Parse("postgresql", "ca-certificate", pem)));

        var expired = TestCertificates.CreateRoot("CN=Expired CA", Now.AddYears(-3), Now.AddDays(-1));
        ResultAssert.Failure(Parse("postgresql", "ca-certificate", expired.Pem), "'CN=Expired CA' expired on");

        var leaf = TestCertificates.Leaf("db.example.com");
        ResultAssert.Failure(Parse("postgresql", "ca-certificate", leaf.CertificatePem + leaf.KeyPem), "contains a private key");
    }

    [Fact]
    public void Minimum_length_is_checked_without_showing_the_value()
    {
        var error = Assert.Single(Parse("minio", "root-password", "abc12").Errors);
        Assert.Equal("root-password must be at least 8 characters long; it has 5.", error.Message);
    }

    [Theory]
    [InlineData("0123456789abcdef")] // 16 bytes as text
    [InlineData("0123456789abcdef01234567")] // 24 bytes as text
    [InlineData("0123456789abcdef0123456789abcdef")] // 32 bytes as text
    [InlineData("AAECAwQFBgcICQoLDA0ODw")] // base64url of 16 bytes, no padding
    [InlineData("AAECAwQFBgcICQoLDA0ODw==")] // the same with padding
    [InlineData("-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_8")] // base64url of 32 bytes
    public void Cookie_secrets_of_16_24_or_32_bytes_are_accepted_as_text_or_base64url(string secret) =>
        Assert.Equal(secret, ResultAssert.Success(Parse("oauth2-proxy", "cookie-secret", secret)));

    [Theory]
    [InlineData("short-secret", 12)]
    [InlineData("+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/s=", 44)] // standard base64 of 32 bytes: oauth2-proxy reads it as 44 bytes of text
    [InlineData("0123456789abcdef0123456789abcdef0", 33)]
    public void Cookie_secrets_of_other_lengths_are_refused_without_showing_them(string secret, int bytes)
    {
        var error = Assert.Single(Parse("oauth2-proxy", "cookie-secret", secret).Errors);
        Assert.Contains("must be 16, 24 or 32 bytes long", error.Message, StringComparison.Ordinal);
        Assert.EndsWith($"the value given is {bytes} bytes.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("oauth2-proxy", "client-secret", "Sup3r-Secret\u0007Value")]
    [InlineData("oauth2-proxy", "client-secret", "Sup3r-Secret\nValue")]
    [InlineData("oauth2-proxy", "cookie-secret", "Sup3r-Secret-Value")]
    [InlineData("postgresql", "admin-password", "Sup3r\u0000")]
    [InlineData("minio", "root-password", "Sup3r")]
    [InlineData("lego", "eab-hmac", "Sup3r-Secret\r\nValue")]
    [InlineData("lego", "plugin-credentials", "CF_TOKEN=Sup3r-Secret\u001bValue")]
    public void Secret_values_never_appear_in_messages(string kind, string option, string secret)
    {
        var messages = ResultAssert.Failure(Parse(kind, option, secret));
        Assert.All(messages, m =>
        {
            Assert.DoesNotContain("Sup3r", m, StringComparison.Ordinal);
            Assert.DoesNotContain("Secret-Value", m, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_secret_of_a_type_that_quotes_values_gets_a_generic_message()
    {
        var option = new ConfigOptionDefinition("private-host", OptionType.Hostname, "") { Secret = true };
        var error = Assert.Single(OptionValueParser.Parse(option, "hidden_host.example.com", Now).Errors);
        Assert.Equal("private-host is not a valid hostname; the value is not shown because it is secret.", error.Message);
    }

    [Fact]
    public void A_secret_message_that_would_echo_part_of_the_value_is_replaced()
    {
        // A text secret is never quoted, but a value made of digits could meet a number in a message by chance.
        var option = new ConfigOptionDefinition("pin", OptionType.String, "") { Secret = true, MinimumLength = 1000 };
        var error = Assert.Single(OptionValueParser.Parse(option, "at least 1000 characters", Now).Errors);
        Assert.Equal("pin is not a valid string; the value is not shown because it is secret.", error.Message);
    }
}
