using Portal.Domain.Values;

namespace Portal.Domain.Tests.Values;

public sealed class ArtifactValueTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("registry.example.com/airbyte-webhooks:1.0", "registry.example.com", "airbyte-webhooks", "1.0", null)]
    [InlineData("airbyte/server", null, "airbyte/server", null, null)]
    [InlineData("nginx", null, "nginx", null, null)]
    [InlineData("localhost/app:dev", "localhost", "app", "dev", null)]
    [InlineData("localhost:5000/team/app:dev", "localhost:5000", "team/app", "dev", null)]
    [InlineData("quay.io/oauth2-proxy/oauth2-proxy:v7.6.0", "quay.io", "oauth2-proxy/oauth2-proxy", "v7.6.0", null)]
    [InlineData("registry.example.com:5000/a/b__c.d-e:1.0-rc.1_x", "registry.example.com:5000", "a/b__c.d-e", "1.0-rc.1_x", null)]
    [InlineData("ghcr.io/org/app@" + Digest, "ghcr.io", "org/app", null, Digest)]
    [InlineData("ghcr.io/org/app:1.2@" + Digest, "ghcr.io", "org/app", "1.2", Digest)]
    public void ImageReference_reads_registry_repository_tag_and_digest(string text, string? registry, string repository, string? tag, string? digest)
    {
        var image = ResultAssert.Success(ImageReference.TryCreate(text));
        Assert.Equal(registry, image.Registry);
        Assert.Equal(repository, image.Repository);
        Assert.Equal(tag, image.Tag);
        Assert.Equal(digest, image.Digest);
        Assert.Equal(text, image.Value);
    }

    [Theory]
    [InlineData("", "image reference is needed")]
    [InlineData("Airbyte/Server:1.0", "try 'airbyte/server'")]
    [InlineData("app:", "invalid tag")]
    [InlineData("app:-bad", "invalid tag")]
    [InlineData("app@sha256:abc", "64 lower-case hex")]
    [InlineData("app@md5:0123456789abcdef0123456789abcdef", "only sha256")]
    [InlineData("https://registry.example.com/app:1", "is a URL")]
    [InlineData("app name:1", "space")]
    [InlineData("registry.example.com/", "empty repository")]
    [InlineData("team//app", "empty repository")]
    [InlineData("team/-app", "invalid repository name")]
    [InlineData("team/app...x", "invalid repository name")]
    [InlineData("bad_host.example.com:x/app", "invalid registry")]
    public void ImageReference_rejects_invalid_references(string text, string fragment) =>
        ResultAssert.Failure(ImageReference.TryCreate(text), fragment);

    [Fact]
    public void ImageReference_limits_tags_to_128_characters()
    {
        ResultAssert.Success(ImageReference.TryCreate("app:" + new string('t', 128)));
        ResultAssert.Failure(ImageReference.TryCreate("app:" + new string('t', 129)), "invalid tag");
    }

    [Theory]
    [InlineData("500m", 0.5)]
    [InlineData("1", 1)]
    [InlineData("1.5", 1.5)]
    [InlineData(".5", 0.5)]
    [InlineData("+2", 2)]
    [InlineData("250m", 0.25)]
    [InlineData("2Ki", 2048)]
    [InlineData("512Mi", 536870912)]
    [InlineData("1Gi", 1073741824)]
    [InlineData("1.5Gi", 1610612736)]
    [InlineData("10G", 10_000_000_000)]
    [InlineData("1k", 1000)]
    [InlineData("1e3", 1000)]
    [InlineData("1E3", 1000)]
    [InlineData("1E", 1_000_000_000_000_000_000)]
    [InlineData("100n", 0.0000001)]
    public void Quantity_reads_kubernetes_quantities(string text, double amount)
    {
        var quantity = ResultAssert.Success(Quantity.TryCreate(text));
        Assert.Equal((decimal)amount, quantity.Amount);
        Assert.Equal(text, quantity.Value);
    }

    [Theory]
    [InlineData("", "quantity is needed")]
    [InlineData("-1", "negative")]
    [InlineData("1GB", "write 1Gi (powers of 1024) or 1G")]
    [InlineData("1KB", "write 1Ki (powers of 1024) or 1k")]
    [InlineData("512MiB", "did you mean 512Mi?")]
    [InlineData("1gi", "unknown suffix 'gi'")]
    [InlineData("1K", "unknown suffix 'K'")]
    [InlineData("abc", "not a quantity")]
    [InlineData("1..5", "not a quantity")]
    [InlineData("0", "zero")]
    [InlineData("0Gi", "zero")]
    [InlineData("1e100", "exponent out of range")]
    [InlineData("1 Gi", "unknown suffix")]
    public void Quantity_rejects_invalid_quantities(string text, string fragment) =>
        ResultAssert.Failure(Quantity.TryCreate(text), fragment);

    [Fact]
    public void Quantity_zero_is_accepted_where_the_use_allows_it() =>
        Assert.Equal(0m, ResultAssert.Success(Quantity.TryCreate("0", allowZero: true)).Amount);

    [Theory]
    [InlineData("/", "/")]
    [InlineData("/hooks", "/hooks")]
    [InlineData("/hooks/", "/hooks")]
    [InlineData(" /hooks ", "/hooks")]
    [InlineData("/a/b-c_d.e~f/V2", "/a/b-c_d.e~f/V2")]
    public void UrlPath_accepts_ingress_paths(string text, string expected) =>
        Assert.Equal(expected, ResultAssert.Success(UrlPath.TryCreate(text)).Value);

    [Theory]
    [InlineData("", "path is needed")]
    [InlineData("hooks", "does not start with '/'")]
    [InlineData("/a b", "a space")]
    [InlineData("/a//b", "empty segment")]
    [InlineData("/a/../b", "'..'")]
    [InlineData("/a/./b", "'..'")]
    [InlineData("/..", "'..'")]
    [InlineData("/a?x=1", "no query")]
    [InlineData("/a#b", "no query or fragment")]
    [InlineData("/ü", "'ü'")]
    [InlineData("/%20", "'%'")]
    [InlineData("/a\u0001", "U+0001")]
    public void UrlPath_rejects_invalid_paths(string text, string fragment) =>
        ResultAssert.Failure(UrlPath.TryCreate(text), fragment);

    [Fact]
    public void UrlPath_is_too_long_past_1024_characters() =>
        ResultAssert.Failure(UrlPath.TryCreate("/" + new string('a', 1024)), "at most 1024");

    [Fact]
    public void UrlPath_prefixes_match_whole_segments()
    {
        var hooks = ResultAssert.Success(UrlPath.TryCreate("/hooks"));
        Assert.True(hooks.IsPrefixOf(ResultAssert.Success(UrlPath.TryCreate("/hooks/github"))));
        Assert.False(hooks.IsPrefixOf(ResultAssert.Success(UrlPath.TryCreate("/hooksx"))));
    }

    [Theory]
    [InlineData("X-Hub-Signature-256")]
    [InlineData("Content-Type")]
    [InlineData("x_custom")]
    [InlineData("X.Sig~1!")]
    public void HeaderName_accepts_tokens(string text) =>
        Assert.Equal(text, ResultAssert.Success(HeaderName.TryCreate(text)).Value);

    [Theory]
    [InlineData("", "header name is needed")]
    [InlineData("X Hub", "a space")]
    [InlineData("X-Hub:", "without the colon")]
    [InlineData("X-Hüb", "'ü'")]
    [InlineData("(x)", "'('")]
    [InlineData("X-Sig\u0000", "U+0000")]
    public void HeaderName_rejects_non_tokens(string text, string fragment) =>
        ResultAssert.Failure(HeaderName.TryCreate(text), fragment);

    [Fact]
    public void HeaderName_is_limited_to_256_characters() =>
        ResultAssert.Failure(HeaderName.TryCreate(new string('x', 257)), "at most 256");

    [Fact]
    public void HeaderNames_compare_case_insensitively() =>
        Assert.Equal(ResultAssert.Success(HeaderName.TryCreate("x-hub")), ResultAssert.Success(HeaderName.TryCreate("X-Hub")));
}
