using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Portal.Provisioning.Clusters;

/// <summary>A cluster call failed. <see cref="Transient"/> says whether trying again later can help.</summary>
/// <remarks>The message names the object and the cluster's reason; it never carries object contents, so no secret value.</remarks>
internal sealed class ClusterException(string message, HttpStatusCode? status, bool transient, Exception? inner = null, string? reason = null)
    : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    /// <summary>The cluster's own words (a Status message), when it answered; the message adds which call failed.</summary>
    public string Reason { get; } = reason ?? message;

    public bool Transient { get; } = transient;
}

/// <summary>The portal's only way into a cluster: server-side apply with one field manager, reads, deletes and lists,
/// all through one resilience pipeline.</summary>
internal interface IClusterGateway
{
    string Name { get; }

    /// <summary>Server-side apply; idempotent (applying the same object twice changes nothing).</summary>
    Task<IKubernetesObject<V1ObjectMeta>> ApplyAsync(IKubernetesObject<V1ObjectMeta> obj, CancellationToken cancellationToken);

    /// <summary>Server-side apply as a dry run (<c>dryRun=All</c>): validated and admitted by the API, persisted nowhere; returns
    /// what the object would be. A refusal is a <see cref="ClusterException"/> whose <see cref="ClusterException.Reason"/> is the
    /// API's message.</summary>
    Task<IKubernetesObject<V1ObjectMeta>> DryRunApplyAsync(IKubernetesObject<V1ObjectMeta> obj, CancellationToken cancellationToken);

    /// <summary>A read of kinds the portal does not write (IngressClasses, StorageClasses, ResourceQuotas, Ingresses of every
    /// namespace…) through the typed client, with the same retries and error mapping as every other call.</summary>
    /// <param name="what">What is read, for the error message, e.g. "list IngressClasses".</param>
    Task<T> QueryAsync<T>(string what, Func<IKubernetes, CancellationToken, Task<T>> query, CancellationToken cancellationToken);

    /// <summary>The object, or null when it does not exist.</summary>
    Task<T?> ReadAsync<T>(string apiVersion, string kind, string? @namespace, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>;

    /// <summary>Deletes; true when it existed. A missing object is success (already gone).</summary>
    Task<bool> DeleteAsync(string apiVersion, string kind, string? @namespace, string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> ListAsync(
        string apiVersion, string kind, string @namespace, string labelSelector, CancellationToken cancellationToken);

    /// <summary>Creates a Secret unless one of that name exists; returns the Secret that is there now.</summary>
    /// <remarks>Generated values (passwords, keys) are written once this way, so a retried step reuses them.</remarks>
    Task<V1Secret> CreateSecretIfAbsentAsync(V1Secret secret, CancellationToken cancellationToken);

    Task<VersionInfo> GetVersionAsync(CancellationToken cancellationToken);

    /// <summary>The typed client, for watches and pod logs (read-only uses).</summary>
    IKubernetes Client { get; }

    /// <summary>HTTP requests sent to this cluster so far (benchmarks report API calls per deploy).</summary>
    long RequestCount { get; }
}

/// <summary>The KubernetesClient-backed gateway of one cluster.</summary>
internal sealed class ClusterGateway : IClusterGateway, IDisposable
{
    private readonly Kubernetes _client;
    private readonly RequestCounter _counter;
    private readonly ResiliencePipeline _pipeline;

    public ClusterGateway(string name, KubernetesClientConfiguration configuration, TimeProvider? time = null)
    {
        Name = name;
        _counter = new RequestCounter();
        // A span per call made inside traced work (a step, a request); the counter sees every request, retries included.
        _client = new Kubernetes(configuration, new Telemetry.KubernetesCallTracing(name), _counter);
        _pipeline = BuildPipeline(time ?? TimeProvider.System);
    }

    public string Name { get; }

    public IKubernetes Client => _client;

    public long RequestCount => _counter.Count;

    public Task<IKubernetesObject<V1ObjectMeta>> ApplyAsync(IKubernetesObject<V1ObjectMeta> obj, CancellationToken cancellationToken) =>
        Apply(obj, dryRun: null, "apply", cancellationToken);

    public Task<IKubernetesObject<V1ObjectMeta>> DryRunApplyAsync(IKubernetesObject<V1ObjectMeta> obj, CancellationToken cancellationToken) =>
        Apply(obj, dryRun: "All", "dry-run", cancellationToken);

    public Task<T> QueryAsync<T>(string what, Func<IKubernetes, CancellationToken, Task<T>> query, CancellationToken cancellationToken) =>
        Run(what, ct => query(_client, ct), cancellationToken);

    public async Task<T?> ReadAsync<T>(string apiVersion, string kind, string? @namespace, string name, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var resource = KubeResources.Of(apiVersion, kind);
        try
        {
            return (T)await Run($"read {Describe(kind, @namespace, name)}", ct => resource.Read(_client, @namespace ?? "", name, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<bool> DeleteAsync(string apiVersion, string kind, string? @namespace, string name, CancellationToken cancellationToken)
    {
        var resource = KubeResources.Of(apiVersion, kind);
        try
        {
            await Run<object?>(
                $"delete {Describe(kind, @namespace, name)}",
                async ct =>
                {
                    await resource.Delete(_client, @namespace ?? "", name, "Background", ct).ConfigureAwait(false);
                    return null;
                },
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ClusterException e) when (e.Status == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> ListAsync(
        string apiVersion, string kind, string @namespace, string labelSelector, CancellationToken cancellationToken)
    {
        var resource = KubeResources.Of(apiVersion, kind);
        var items = await Run($"list {kind} in {@namespace}", ct => resource.List(_client, @namespace, labelSelector, ct), cancellationToken).ConfigureAwait(false);
        return items.ToList();
    }

    public async Task<V1Secret> CreateSecretIfAbsentAsync(V1Secret secret, CancellationToken cancellationToken)
    {
        var ns = secret.Metadata.NamespaceProperty;
        try
        {
            return await Run(
                $"create {Describe("Secret", ns, secret.Metadata.Name)}",
                ct => _client.CoreV1.CreateNamespacedSecretAsync(secret, ns, fieldManager: KubeResources.FieldManager, cancellationToken: ct),
                cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterException e) when (e.Status == HttpStatusCode.Conflict)
        {
            // It exists: from an earlier attempt of the same step (keep its values), or it is someone else's.
            var existing = await ReadAsync<V1Secret>("v1", "Secret", ns, secret.Metadata.Name, cancellationToken).ConfigureAwait(false)
                ?? throw new ClusterException($"Secret {ns}/{secret.Metadata.Name} was reported to exist but cannot be read.", HttpStatusCode.Conflict, transient: true);
            var ours = secret.Metadata.Labels ?? new Dictionary<string, string>();
            var theirs = existing.Metadata.Labels ?? new Dictionary<string, string>();
            if (ours.Any(label => !theirs.TryGetValue(label.Key, out var value) || value != label.Value))
            {
                throw new ClusterException(
                    $"Secret {ns}/{secret.Metadata.Name} already exists and was not created by this stack; the portal will not take it over.",
                    HttpStatusCode.Conflict,
                    transient: false);
            }

            return existing;
        }
    }

    private Task<IKubernetesObject<V1ObjectMeta>> Apply(IKubernetesObject<V1ObjectMeta> obj, string? dryRun, string verb, CancellationToken cancellationToken)
    {
        var resource = KubeResources.Of(obj);
        var patch = new V1Patch(KubernetesJson.Serialize(obj), V1Patch.PatchType.ApplyPatch);
        return Run(
            $"{verb} {Describe(obj.Kind, obj.Metadata.NamespaceProperty, obj.Metadata.Name)}",
            ct => resource.Patch(_client, patch, obj.Metadata.NamespaceProperty ?? "", obj.Metadata.Name, dryRun, ct),
            cancellationToken);
    }

    public Task<VersionInfo> GetVersionAsync(CancellationToken cancellationToken) =>
        Run("read the server version", ct => _client.Version.GetCodeAsync(ct), cancellationToken);

    /// <summary>Asks the cluster whether these credentials may do something (a SelfSubjectAccessReview; nothing is changed).</summary>
    public async Task<bool> CanIAsync(V1ResourceAttributes attributes, CancellationToken cancellationToken)
    {
        var review = new V1SelfSubjectAccessReview { Spec = new V1SelfSubjectAccessReviewSpec { ResourceAttributes = attributes } };
        var answer = await Run(
            $"review access to {attributes.Verb} {attributes.Resource}",
            ct => _client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: ct),
            cancellationToken).ConfigureAwait(false);
        return answer.Status?.Allowed == true;
    }

    public void Dispose() => _client.Dispose();

    private async Task<T> Run<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await _pipeline.ExecuteAsync(async ct => await call(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            var status = e.Response.StatusCode;
            var reason = ReasonOf(e);
            throw new ClusterException($"Cluster {Name} could not {what}: {reason}", status, IsTransient(status), e, reason);
        }
        catch (HttpRequestException e)
        {
            throw new ClusterException($"Cluster {Name} could not {what}: it is not reachable ({e.Message})", null, transient: true, e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new ClusterException($"Cluster {Name} could not {what}: no answer in time", null, transient: true, e);
        }
    }

    private static string ReasonOf(HttpOperationException e)
    {
        try
        {
            var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
            if (!string.IsNullOrWhiteSpace(status?.Message))
            {
                return status.Message;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not a Status body: fall back to the HTTP status below.
        }

        return $"{(int)e.Response.StatusCode} {e.Response.ReasonPhrase}";
    }

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.Conflict;

    private static ResiliencePipeline BuildPipeline(TimeProvider time) => new ResiliencePipelineBuilder { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder()
                .Handle<HttpRequestException>()
                .Handle<TimeoutRejectedException>()
                .Handle<HttpOperationException>(e => e.Response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
                    or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout),
            MaxRetryAttempts = 4,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(5),
        })
        .AddTimeout(TimeSpan.FromSeconds(30))
        .Build();

    private static string Describe(string kind, string? @namespace, string name) =>
        @namespace is null or "" ? $"{kind} {name}" : $"{kind} {@namespace}/{name}";

    /// <summary>Counts the HTTP requests a gateway sends.</summary>
    private sealed class RequestCounter : DelegatingHandler
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
