using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Portal.Sandbox.Tests;

/// <summary><c>authorization.k8s.io/v1</c> self-reviews through KubernetesClient, and the deny list they report on.</summary>
public sealed class AccessReviewTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1SelfSubjectAccessReview Question(string verb, string resource, string group = "", string? @namespace = null, string? subresource = null) => new()
    {
        Spec = new V1SelfSubjectAccessReviewSpec
        {
            ResourceAttributes = new V1ResourceAttributes
            {
                Verb = verb,
                Resource = resource,
                Group = group,
                NamespaceProperty = @namespace,
                Subresource = subresource,
            },
        },
    };

    [Theory]
    [InlineData("patch", "deployments", "apps", "team")]
    [InlineData("create", "namespaces", "", null)]
    [InlineData("delete", "secrets", "", "team")]
    [InlineData("watch", "ingresses", "networking.k8s.io", null)]
    public async Task The_token_may_do_everything_by_default(string verb, string resource, string group, string? @namespace)
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var review = await sandbox.Client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(Question(verb, resource, group, @namespace), cancellationToken: Ct);

        Assert.True(review.Status.Allowed);
        Assert.Equal(verb, review.Spec.ResourceAttributes.Verb);
        Assert.Equal("SelfSubjectAccessReview", review.Kind);
        Assert.Equal("authorization.k8s.io/v1", review.ApiVersion);
    }

    [Fact]
    public async Task A_denied_verb_is_answered_no_and_the_api_refuses_it_with_a_real_403()
    {
        await using var sandbox = await SandboxHarness.StartAsync(o => o.DeniedAccess = ["delete secrets", "patch deployments.apps", "get pods/log"]);
        var ns = await sandbox.NamespaceAsync();
        await sandbox.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" } }, ns, cancellationToken: Ct);

        var denied = await sandbox.Client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(Question("delete", "secrets", @namespace: ns), cancellationToken: Ct);
        var allowed = await sandbox.Client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(Question("get", "secrets", @namespace: ns), cancellationToken: Ct);
        var patch = await sandbox.Client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(Question("patch", "deployments", "apps"), cancellationToken: Ct);
        var logs = await sandbox.Client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(Question("get", "pods", @namespace: ns, subresource: "log"), cancellationToken: Ct);
        var pods = await sandbox.Client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(Question("get", "pods", @namespace: ns), cancellationToken: Ct);

        Assert.False(denied.Status.Allowed);
        Assert.True(allowed.Status.Allowed);
        Assert.False(patch.Status.Allowed);
        Assert.False(logs.Status.Allowed);
        Assert.True(pods.Status.Allowed);

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => sandbox.Client.CoreV1.DeleteNamespacedSecretAsync("s", ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(refused.Response.Content);
        Assert.Equal("Forbidden", status.Reason);
        Assert.Equal($"secrets \"s\" is forbidden: User \"sandbox\" cannot delete resource \"secrets\" in API group \"\" in the namespace \"{ns}\"", status.Message);

        // What is not denied still works, and the secret the refused delete named is still there.
        var secret = await sandbox.Client.CoreV1.ReadNamespacedSecretAsync("s", ns, cancellationToken: Ct);
        Assert.Equal("s", secret.Metadata.Name);
    }

    [Fact]
    public async Task A_rules_review_lists_everything_or_what_is_left_after_the_deny_list()
    {
        await using var open = await SandboxHarness.StartAsync();
        await using var limited = await SandboxHarness.StartAsync(o => o.DeniedAccess = ["delete secrets"]);
        var question = new V1SelfSubjectRulesReview { Spec = new V1SelfSubjectRulesReviewSpec { NamespaceProperty = "team" } };

        var all = await open.Client.AuthorizationV1.CreateSelfSubjectRulesReviewAsync(question, cancellationToken: Ct);
        var some = await limited.Client.AuthorizationV1.CreateSelfSubjectRulesReviewAsync(question, cancellationToken: Ct);

        Assert.Contains(all.Status.ResourceRules, r => r.Verbs.SequenceEqual(["*"]) && r.Resources.SequenceEqual(["*"]));
        Assert.False(all.Status.Incomplete);
        var secrets = Assert.Single(some.Status.ResourceRules, r => r.Resources.SequenceEqual(["secrets"]));
        Assert.Contains("get", secrets.Verbs);
        Assert.DoesNotContain("delete", secrets.Verbs);
        Assert.DoesNotContain(some.Status.ResourceRules, r => r.Verbs.Contains("*"));
    }

    [Fact]
    public async Task Discovery_lists_the_reviews_as_create_only()
    {
        await using var sandbox = await SandboxHarness.StartAsync();

        var groups = await sandbox.Client.Apis.GetAPIVersionsAsync(Ct);
        var resources = await sandbox.Client.AuthorizationV1.GetAPIResourcesAsync(Ct);

        Assert.Contains(groups.Groups, g => g.Name == "authorization.k8s.io" && g.PreferredVersion.Version == "v1");
        Assert.Equal(["selfsubjectaccessreviews", "selfsubjectrulesreviews"], resources.Resources.Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.All(resources.Resources, r => Assert.Equal(["create"], r.Verbs));
    }

    [Theory]
    [InlineData("{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{}}", 422, "exactly one of nonResourceAttributes or resourceAttributes")]
    [InlineData("{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{\"resourceAttributes\":{\"resource\":\"pods\"}}}", 422, "spec.resourceAttributes.verb: Required value")]
    public async Task A_malformed_access_review_gets_a_422_status(string body, int code, string message)
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        using var http = sandbox.RawClient();

        var response = await http.PostAsync("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(code, (int)response.StatusCode);
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("Invalid", (string?)status["reason"]);
        Assert.Contains(message, (string?)status["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reviews_are_not_stored_so_they_cannot_be_read_back()
    {
        await using var sandbox = await SandboxHarness.StartAsync();
        using var http = sandbox.RawClient();

        var response = await http.GetAsync("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public void A_deny_list_entry_that_is_not_a_verb_and_a_resource_is_refused_at_start()
    {
        var error = Assert.Throws<ArgumentException>(() => new Api.AccessPolicy(["secrets"]));

        Assert.Contains("'secrets'", error.Message, StringComparison.Ordinal);
    }
}
