using System.Diagnostics;
using System.Globalization;

namespace Portal.Provisioning.Telemetry;

/// <summary>A client span per Kubernetes API call made inside traced work (a step, an API request), a child of that work's span:
/// <c>PATCH deployments</c>, with the method, the resource, the namespace, the server, the path and the status.</summary>
/// <remarks>Never a header (the bearer token), a query string or a body. Calls outside any trace are not traced, and watches never
/// are: the watch cache's long-running lists and watches are measured by the <c>portal.watch.*</c> metrics instead. Each retry of a
/// call is a call of its own, so it has its own span.</remarks>
internal sealed class KubernetesCallTracing(string cluster) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Activity.Current is null || request.RequestUri is not { } uri || IsWatch(uri) || !PortalTelemetry.Source.HasListeners())
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var target = KubernetesPath.Parse(uri.AbsolutePath);
        using var activity = PortalTelemetry.Source.StartActivity($"{request.Method.Method} {target.Resource}", ActivityKind.Client);
        if (activity is null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        activity.SetTag("http.request.method", request.Method.Method);
        activity.SetTag("server.address", uri.Host);
        activity.SetTag("server.port", uri.Port);
        activity.SetTag("url.path", uri.AbsolutePath);
        activity.SetTag(PortalTelemetryTags.Cluster, cluster);
        activity.SetTag(PortalTelemetryTags.KubernetesResource, target.Resource);
        if (target.Namespace is not null)
        {
            activity.SetTag("k8s.namespace.name", target.Namespace);
        }

        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            activity.SetTag("http.response.status_code", status);
            if (status >= 400)
            {
                activity.SetTag("error.type", status.ToString(CultureInfo.InvariantCulture));
                activity.SetStatus(ActivityStatusCode.Error);
            }

            return response;
        }
        catch (Exception e)
        {
            activity.SetTag("error.type", e.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            throw;
        }
    }

    private static bool IsWatch(Uri uri) =>
        uri.Query.Contains("watch=true", StringComparison.OrdinalIgnoreCase) || uri.AbsolutePath.Contains("/watch/", StringComparison.Ordinal);
}

/// <summary>The resource and namespace a Kubernetes API path addresses: <c>/apis/apps/v1/namespaces/prod/deployments/web</c> is
/// <c>deployments</c> in <c>prod</c>; <c>/api/v1/namespaces/prod/pods/web-1/log</c> is <c>pods/log</c>.</summary>
internal readonly record struct KubernetesPath(string Resource, string? Namespace)
{
    public static KubernetesPath Parse(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        // /api/{version}/… (the core group) or /apis/{group}/{version}/…; anything else (/version, /healthz) names itself.
        var start = segments switch
        {
            ["api", _, ..] => 2,
            ["apis", _, _, ..] => 3,
            _ => -1,
        };
        if (start < 0 || start >= segments.Length)
        {
            return new KubernetesPath(segments.Length == 0 ? "/" : string.Join('/', segments), null);
        }

        var rest = segments[start..];
        string? @namespace = null;
        if (rest is ["namespaces", var ns, _, ..])
        {
            @namespace = ns;
            rest = rest[2..];
        }

        // {resource}[/{name}[/{subresource}]]
        var resource = rest.Length >= 3 ? $"{rest[0]}/{rest[2]}" : rest[0];
        return new KubernetesPath(resource, @namespace);
    }
}
