using System.Security.Cryptography;
using Portal.Domain.Stacks;
using Portal.Domain.Tests.TestData;
using Portal.Domain.Tests.Values;

namespace Portal.Domain.Tests.Stacks;

public sealed class ManualCertificateValidatorTests
{
    private const string Host = "airbyte.example.com";
    private static readonly DateTimeOffset Now = TestCertificates.Now;
    private static readonly string IntermediatePem = TestCertificates.Intermediate.Pem;
    private static readonly string RootPem = TestCertificates.Root.Pem;

    [Fact]
    public void A_certificate_with_its_key_and_chain_is_accepted()
    {
        var leaf = TestCertificates.Leaf(Host);

        var result = ResultAssert.Success(ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, IntermediatePem, Host, Now));

        Assert.Equal("CN=airbyte.example.com", result.Leaf.Subject);
        Assert.Equal(["CN=Test Intermediate CA"], result.Chain.Select(c => c.Subject));
        Assert.StartsWith(leaf.CertificatePem.TrimEnd(), result.CertificateChainPem, StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", result.PrivateKeyPem, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_chain_may_follow_the_certificate_in_one_text_and_end_with_the_root()
    {
        var leaf = TestCertificates.Leaf(Host);
        var result = ResultAssert.Success(ManualCertificateValidator.Validate(leaf.CertificatePem + IntermediatePem + RootPem, leaf.KeyPem, null, Host, Now));
        Assert.Equal(2, result.Chain.Count);
    }

    [Fact]
    public void The_key_may_be_in_the_certificate_text()
    {
        var leaf = TestCertificates.Leaf(Host);
        ResultAssert.Success(ManualCertificateValidator.Validate(leaf.KeyPem + leaf.CertificatePem, null, IntermediatePem, Host, Now));
    }

    [Fact]
    public void An_RSA_2048_certificate_is_accepted()
    {
        using var rsa = TestCertificates.Rsa2048();
        var leaf = TestCertificates.Issue(TestCertificates.Intermediate, "CN=" + Host, [Host], key: rsa);
        var result = ResultAssert.Success(ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, IntermediatePem, Host, Now));
        Assert.Equal("RSA", result.Key.Algorithm);
    }

    [Theory]
    [InlineData("*.example.com", "airbyte.example.com")]
    [InlineData("xn--bcher-kva.example", "bücher.example")]
    [InlineData("airbyte.example.com", "AIRBYTE.example.com.")]
    [InlineData("*.example.com", "*.example.com")]
    public void Hostnames_are_matched_against_the_subject_alternative_names(string san, string hostname)
    {
        var leaf = TestCertificates.Leaf(san);
        ResultAssert.Success(ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, IntermediatePem, hostname, Now));
    }

    [Fact]
    public void The_common_name_counts_only_without_subject_alternative_names()
    {
        var cnOnly = TestCertificates.Issue(TestCertificates.Intermediate, "CN=" + Host, [Host], includeSan: false);
        ResultAssert.Success(ManualCertificateValidator.Validate(cnOnly.CertificatePem, cnOnly.KeyPem, IntermediatePem, Host, Now));

        var sanElsewhere = TestCertificates.Issue(TestCertificates.Intermediate, "CN=" + Host, ["other.example.com"]);
        var errors = ResultAssert.FailureAt(ManualCertificateValidator.Validate(sanElsewhere.CertificatePem, sanElsewhere.KeyPem, IntermediatePem, Host, Now), "hostname");
        Assert.Contains("it covers other.example.com", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_for_other_names_lists_the_names_it_covers()
    {
        var leaf = TestCertificates.Leaf("a.example.org", "*.example.org", "a.b.example.com");
        var error = Assert.Single(ResultAssert.FailureAt(ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, IntermediatePem, Host, Now), "hostname"));
        Assert.Equal("The certificate does not cover airbyte.example.com; it covers a.example.org, *.example.org, a.b.example.com.", error.Message);
    }

    [Fact]
    public void Garbage_and_missing_parts_are_reported_per_field()
    {
        var result = ManualCertificateValidator.Validate("garbage", "", null, Host, Now);
        ResultAssert.FailureAt(result, "certificate", "key");
        Assert.Contains(result.Errors, e => e.Path == "certificate" && e.Message.Contains("not PEM", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Path == "key" && e.Message.Contains("private key is needed", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_without_a_certificate_is_reported()
    {
        var leaf = TestCertificates.Leaf(Host);
        var result = ManualCertificateValidator.Validate(leaf.KeyPem, leaf.KeyPem, null, Host, Now);
        Assert.Contains(result.Errors, e => e.Path == "certificate" && e.Message.Contains("no certificate", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_that_does_not_match_is_reported()
    {
        var leaf = TestCertificates.Leaf(Host);
        var other = TestCertificates.Leaf(Host);
        var error = Assert.Single(ResultAssert.FailureAt(ManualCertificateValidator.Validate(leaf.CertificatePem, other.KeyPem, IntermediatePem, Host, Now), "key"));
        Assert.Contains("does not match the certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_is_reported_with_its_end_date()
    {
        var leaf = TestCertificates.Issue(TestCertificates.Intermediate, "CN=" + Host, [Host], Now.AddDays(-100), Now.AddDays(-10));
        var error = Assert.Single(ResultAssert.FailureAt(ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, IntermediatePem, Host, Now), "certificate"));
        Assert.Contains("expired on 2025-05-22 12:00 UTC", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_not_valid_yet_is_reported()
    {
        var leaf = TestCertificates.Issue(TestCertificates.Intermediate, "CN=" + Host, [Host], Now.AddDays(2), Now.AddDays(90));
        var error = Assert.Single(ResultAssert.FailureAt(ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, IntermediatePem, Host, Now), "certificate"));
        Assert.Contains("not valid yet; it becomes valid on 2025-06-03", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_out_of_order_says_which_certificate_must_come_next()
    {
        var leaf = TestCertificates.Leaf(Host);
        var error = Assert.Single(ResultAssert.FailureAt(ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, RootPem + IntermediatePem, Host, Now), "chain"));
        Assert.Equal("The chain is out of order: 'CN=airbyte.example.com' must be followed by its issuer 'CN=Test Intermediate CA', not by 'CN=Test Root CA'.", error.Message);
    }

    [Fact]
    public void A_chain_from_another_authority_is_reported_as_broken()
    {
        var leaf = TestCertificates.Leaf(Host);
        var stranger = TestCertificates.CreateRoot("CN=Unrelated CA");
        var error = Assert.Single(ResultAssert.FailureAt(ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, stranger.Pem, Host, Now), "chain"));
        Assert.Contains("chain is broken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_issuer_with_the_right_name_but_another_key_is_caught_by_the_signature()
    {
        var leaf = TestCertificates.Leaf(Host);
        var impostor = TestCertificates.CreateIntermediate(TestCertificates.Root, "CN=Test Intermediate CA");
        var error = Assert.Single(ResultAssert.FailureAt(ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, impostor.Pem, Host, Now), "chain"));
        Assert.Contains("did not issue", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_chain_certificate_is_reported()
    {
        var leaf = TestCertificates.Leaf(Host);
        ResultAssert.FailureAt(ManualCertificateValidator.Validate(leaf.CertificatePem + IntermediatePem, leaf.KeyPem, IntermediatePem, Host, Now), "chain");
    }

    [Fact]
    public void An_expired_intermediate_is_reported_on_the_chain()
    {
        var oldIntermediate = TestCertificates.CreateIntermediate(TestCertificates.Root, "CN=Old Intermediate", Now.AddYears(-1), Now.AddDays(-5));
        var leaf = TestCertificates.Issue(oldIntermediate, "CN=" + Host, [Host], Now.AddDays(-100), Now.AddDays(-6));
        var result = ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, oldIntermediate.Pem, Host, Now);
        Assert.Contains(result.Errors, e => e.Path == "chain" && e.Message.Contains("'CN=Old Intermediate' expired", StringComparison.Ordinal));
    }

    [Fact]
    public void A_weak_RSA_key_is_refused()
    {
        using var rsa = RSA.Create(1024);
        var leaf = TestCertificates.Issue(TestCertificates.Intermediate, "CN=" + Host, [Host], key: rsa);
        var error = Assert.Single(ResultAssert.FailureAt(ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, IntermediatePem, Host, Now), "certificate"));
        Assert.Contains("1024-bit RSA key; at least 2048 bits are required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_weak_EC_key_is_refused()
    {
        using var ec = ECDsa.Create(ECCurve.CreateFromFriendlyName("secp224r1"));
        var leaf = TestCertificates.Issue(TestCertificates.Intermediate, "CN=" + Host, [Host], key: ec);
        var error = Assert.Single(ResultAssert.FailureAt(ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, IntermediatePem, Host, Now), "certificate"));
        Assert.Contains("224-bit ECDSA key; at least 256 bits are required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_certificate_is_not_a_server_certificate()
    {
        var leaf = TestCertificates.Issue(TestCertificates.Intermediate, "CN=" + Host, [Host], serverAuth: false);
        var error = Assert.Single(ResultAssert.FailureAt(ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, IntermediatePem, Host, Now), "certificate"));
        Assert.Contains("not for TLS servers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_hostname_is_reported()
    {
        var leaf = TestCertificates.Leaf(Host);
        ResultAssert.FailureAt(ManualCertificateValidator.Validate(leaf.CertificatePem, leaf.KeyPem, IntermediatePem, "not a host", Now), "hostname");
    }

    [Fact]
    public void Every_problem_is_reported_at_once_without_key_material()
    {
        var leaf = TestCertificates.Issue(TestCertificates.Intermediate, "CN=expired.example.org", ["expired.example.org"], Now.AddDays(-100), Now.AddDays(-10));
        var other = TestCertificates.Leaf(Host);

        var result = ManualCertificateValidator.Validate(leaf.CertificatePem, other.KeyPem, RootPem, Host, Now);

        ResultAssert.FailureAt(result, "certificate", "key", "chain", "hostname");
        var keyLine = other.KeyPem.Split('\n')[1];
        Assert.All(result.Errors, e => Assert.DoesNotContain(keyLine[..20], e.Message, StringComparison.Ordinal));
    }
}
