using Portal.Domain.Catalog;
using Portal.Domain.Certificates;
using Portal.Domain.Common;
using Portal.Domain.Stacks;
using Portal.Domain.Tests.TestData;
using Portal.Domain.Values;

namespace Portal.Domain.Tests.BadInput;

/// <summary>The shrunk examples of what the bad-input properties found, kept as plain tests.</summary>
public sealed class BadInputRegressionTests
{
    private static readonly ConfigOptionDefinition CpuRequest = ComponentCatalog.Default.Get("airbyte").FindOption("job-main-container-cpu-request")!;

    [Theory]
    [InlineData("1\tGi")]
    [InlineData("50\f0m")]
    [InlineData("512Miw\uDFFFh")]
    public void A_quantity_with_a_control_character_or_a_lone_surrogate_gets_a_readable_message(string text)
    {
        var result = OptionValueParser.Parse(CpuRequest, text, StackRequests.Now);

        BadInputCheck.AssertReadable(result.Errors, pathless: true);
    }

    [Fact]
    public void A_hostname_that_looks_like_a_url_gets_a_readable_message()
    {
        var result = Hostname.TryCreate("${jndi:ldap://x}!ShO\tİ\uD800");

        BadInputCheck.AssertReadable(result.Errors, pathless: true);
        Assert.Contains("is a URL", result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_maintenance_window_with_a_lone_surrogate_gets_a_readable_message() =>
        BadInputCheck.AssertReadable(MaintenanceWindow.Parse("u１２\uD800uk'u").Errors);

    [Fact]
    public void A_hundred_thousand_unknown_options_get_ten_errors_by_name_and_one_that_counts_the_rest()
    {
        var minimal = StackRequests.Minimal();
        var lego = new Dictionary<string, string?>(minimal.Config!["lego"], StringComparer.Ordinal);
        for (var i = 0; i < 100_000; i++)
        {
            lego[$"made-up-{i:D6}"] = "x";
        }

        var config = minimal.Config!.ToDictionary(p => p.Key, p => p.Key == "lego" ? lego : p.Value, StringComparer.Ordinal);
        var errors = (minimal with { Config = config }).Validate().Errors;

        Assert.Equal(11, errors.Count(e => e.Path == "lego" || e.Path.StartsWith("lego.", StringComparison.Ordinal)));
        Assert.Equal(10, errors.Count(e => e.Path.StartsWith("lego.made-up-", StringComparison.Ordinal)));
        Assert.Contains(errors, e => e.Path == "lego" && e.Message == "99990 more names are not options of lego either.");
        BadInputCheck.AssertReadable(errors);
    }

    [Fact]
    public void An_unknown_option_with_a_name_of_100000_characters_gets_a_short_message_on_a_short_path()
    {
        var result = StackRequests.Minimal().With("lego", new string('a', 100_000), "v1Ue。/\ufffe,qc0").Validate();

        var error = Assert.Single(result.Errors);
        BadInputCheck.AssertReadable(result.Errors);
        Assert.True(error.Path.Length <= ValidationError.MaxPathLength);
        Assert.Equal("The value is not an option of lego.", error.Message);
    }

    [Fact]
    public void A_blank_component_name_is_reported_on_the_config()
    {
        var result = StackRequests.Minimal().With(" ", "a", "b").Validate();

        Assert.Equal("config", Assert.Single(result.Errors).Path);
    }

    [Fact]
    public void A_pem_block_with_a_label_of_5000_characters_gets_a_short_message()
    {
        var label = new string('L', 5_000);
        var result = PemBundle.TryCreate($"-----BEGIN {label}-----\nAAECAwQFBgcICQ==\n-----END {label}-----\n");

        BadInputCheck.AssertReadable(result.Errors, pathless: true);
        Assert.True(result.Errors[0].Message.Length < 200, result.Errors[0].Message);
    }

    [Fact]
    public void A_certificate_whose_subject_has_control_characters_and_2000_characters_gets_readable_messages()
    {
        var leaves = CertificateUploadProperties.Parts.Leaves;
        var hostile = leaves.Single(l => l.Name == "hostile subject");
        var other = leaves.Single(l => l.Name == "good");

        var result = ManualCertificateValidator.Validate(hostile.Pem, other.KeyPem, null, "*.example.com", StackRequests.Now);

        BadInputCheck.AssertReadable(result.Errors);
        Assert.All(result.Errors, e => Assert.True(e.Message.Length < 300, e.Message));
    }

    [Fact]
    public void A_certificate_or_key_naming_an_unknown_curve_is_refused_without_an_exception()
    {
        // The shrunk example: one byte of the P-256 curve's OID (1.2.840.10045.3.1.7) changed, giving 1.2.840.21.61.3.1.7.
        var leaf = TestCertificates.Leaf("airbyte.example.com");
        var certificate = WithUnknownCurve("CERTIFICATE", leaf.CertificatePem);
        var key = WithUnknownCurve("PRIVATE KEY", leaf.KeyPem);

        Assert.Equal("The first PEM block is labelled CERTIFICATE but is not a valid X.509 certificate.", Assert.Single(PemBundle.TryCreate(certificate).Errors).Message);
        Assert.Equal("The PRIVATE KEY block is damaged or not a valid ECDSA key.", Assert.Single(PrivateKeyInfo.TryCreate(key).Errors).Message);
        BadInputCheck.AssertReadable(ManualCertificateValidator.Validate(certificate, key, null, "airbyte.example.com", StackRequests.Now).Errors);
    }

    [Fact]
    public void A_url_with_a_lone_surrogate_is_refused()
    {
        var result = Url.TryCreate("https://auth.example.com/realms/xglnjn\uDFFFa");

        BadInputCheck.AssertReadable(result.Errors, pathless: true);
        Assert.Contains("lone surrogate", result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostname_that_punycode_cannot_read_back_is_refused()
    {
        var result = Hostname.TryCreate("bü--her.example");

        Assert.Equal("'bü--her.example' has a label ('bü--her') that is not a valid internationalised name.", Assert.Single(result.Errors).Message);
    }

    [Theory]
    [InlineData("x,")]
    [InlineData("_,")]
    public void A_list_of_50000_bad_items_gets_a_few_messages_and_a_note_not_50000(string item)
    {
        var text = string.Concat(Enumerable.Repeat(item, 50_000)) + string.Concat(Enumerable.Range(0, 50).Select(i => $"bad{i}_,"));

        foreach (var errors in new[] { EmailList.TryCreate(text).Errors, DomainList.TryCreate(text).Errors, CidrList.TryCreate(text).Errors })
        {
            Assert.InRange(errors.Count, 1, 11);
            BadInputCheck.AssertReadable(errors, pathless: true);
        }
    }

    [Fact]
    public void A_hostname_of_100000_dots_gets_one_message_not_100000() =>
        Assert.Single(Hostname.TryCreate(new string('.', 100_000)).Errors);

    [Fact]
    public void Pem_text_of_more_than_65536_characters_is_refused_before_it_is_searched()
    {
        var text = HostileText.Repeat("-----BEGIN CERTIFICATE-----\n", 1_000_000);

        Assert.Contains("at most 65536 are read", Assert.Single(PemBundle.TryCreate(text).Errors).Message, StringComparison.Ordinal);
        Assert.Contains("at most 65536 are read", Assert.Single(PrivateKeyInfo.TryCreate(text).Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pasted_page_gets_no_spelling_suggestion() =>
        Assert.Null(Spelling.Suggest(new string('a', 1_000_000), ["airbyte", "aaaa"]));

    private static string WithUnknownCurve(string label, string pem)
    {
        byte[] p256 = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];
        var der = Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
        var at = der.AsSpan().IndexOf(p256);
        Assert.True(at >= 0, "The P-256 OID is in the DER.");
        der[at + 3] = 0x15;
        return System.Security.Cryptography.PemEncoding.WriteString(label, der) + "\n";
    }
}
