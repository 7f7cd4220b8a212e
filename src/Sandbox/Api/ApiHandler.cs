using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Portal.Sandbox.Faults;
using Portal.Sandbox.Simulation;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Api;

/// <summary>
/// The Kubernetes REST surface: authentication, discovery, the verbs on every registered resource, watch streams,
/// subresources (status, scale, log, finalize) and the sandbox's admin endpoint. Everything a client sees goes
/// through here; the portal has no other way in.
/// </summary>
internal sealed class ApiHandler : IDisposable
{
    private const int MaxBodyBytes = 3 * 1024 * 1024;
    private static readonly byte[] s_comma = ","u8.ToArray();

    private readonly ClusterApi _api;
    private readonly SandboxOptions _options;
    private readonly FaultInjector _faults;
    private readonly LogBook _logs;
    private readonly AccessPolicy _access;
    private readonly byte[] _token;
    private readonly ConcurrentDictionary<string, long> _requestsByNamespace = new(StringComparer.Ordinal);
    private CancellationTokenSource _dropSource;
    private int _openWatches;
    private long _requests;

    public ApiHandler(ClusterApi api, SandboxOptions options, FaultInjector faults, LogBook logs, string token)
    {
        _api = api;
        _options = options;
        _faults = faults;
        _logs = logs;
        _access = new AccessPolicy(options.DeniedAccess);
        _token = Encoding.UTF8.GetBytes(token);
        _dropSource = new CancellationTokenSource();
        _faults.DropRequested += () =>
        {
            var old = Interlocked.Exchange(ref _dropSource, new CancellationTokenSource());
            old.Cancel();
            old.Dispose();
        };
    }

    /// <summary>Watch streams currently open (for the benchmark and for tests of dropped streams).</summary>
    public int OpenWatches => Volatile.Read(ref _openWatches);

    /// <summary>Authenticated Kubernetes API requests served so far (discovery included, the sandbox's own admin API not).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Authenticated Kubernetes API requests that named this namespace (its objects, or the namespace itself).</summary>
    public long RequestsIn(string @namespace) => _requestsByNamespace.GetValueOrDefault(@namespace);

    private ResourceRegistry Registry => _api.Registry;

    public void Dispose() => _dropSource.Dispose();

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        try
        {
            if (path is "/healthz" or "/livez" or "/readyz")
            {
                await WriteText(context, 200, "ok");
                return;
            }

            if (!Authenticated(context.Request))
            {
                throw new ApiException(401, "Unauthorized", "Unauthorized");
            }

            var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments.Length >= 2 && segments[0] == "sandbox" && segments[1] == "v1")
            {
                await Admin(context, segments[2..]);
                return;
            }

            Count(segments);
            if (await Discover(context, segments))
            {
                return;
            }

            await ApplyRequestFaults(context);
            await Resource(context, segments);
        }
        catch (ApiException ex)
        {
            if (!context.Response.HasStarted)
            {
                if (ex.RetryAfterSeconds is { } retry)
                {
                    context.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
                }

                await WriteJson(context, ex.Code, ex.ToStatus());
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-request (usually a watch or a log follow being closed): nothing to answer.
        }
    }

    private void Count(string[] segments)
    {
        Interlocked.Increment(ref _requests);
        var at = Array.IndexOf(segments, "namespaces");
        if (at >= 0 && at + 1 < segments.Length)
        {
            _requestsByNamespace.AddOrUpdate(segments[at + 1], 1, (_, n) => n + 1);
        }
    }

    private bool Authenticated(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = Encoding.UTF8.GetBytes(header[7..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _token);
    }

    private async Task ApplyRequestFaults(HttpContext context)
    {
        var header = context.Request.Headers[FaultInjector.RequestHeader].ToString();
        var latency = _faults.Latency;
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("latency=", StringComparison.Ordinal) && int.TryParse(part[8..], CultureInfo.InvariantCulture, out var ms))
            {
                latency = TimeSpan.FromMilliseconds(Math.Clamp(ms, 0, 30_000));
            }
        }

        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, context.RequestAborted);
        }

        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("status=", StringComparison.Ordinal) && int.TryParse(part[7..], CultureInfo.InvariantCulture, out var code) && code is >= 400 and < 600)
            {
                throw FaultInjector.ErrorFor(code);
            }
        }

        if (_faults.NextApiError() is { } injected)
        {
            throw injected;
        }
    }

    private async Task<bool> Discover(HttpContext context, string[] segments)
    {
        if (context.Request.Method != "GET")
        {
            return false;
        }

        JsonObject? document = segments switch
        {
            ["version"] => Discovery.Version(_options.KubernetesVersion),
            ["api"] => Discovery.CoreVersions(context.Request.Host.Value ?? "127.0.0.1"),
            ["apis"] => Discovery.GroupList(Registry),
            ["api", var version] => Discovery.ResourceList(Registry, "", version) ?? throw ApiException.PathNotFound(),
            ["apis", var group] => Discovery.GroupDocument(Registry, group) ?? throw ApiException.PathNotFound(),
            ["apis", var group, var version] => Discovery.ResourceList(Registry, group, version) ?? throw ApiException.PathNotFound(),
            ["openapi", ..] => throw ApiException.PathNotFound(),
            [] => new JsonObject { ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/version") },
            _ => null,
        };
        if (document is null)
        {
            return false;
        }

        await WriteJson(context, 200, document);
        return true;
    }

    private sealed record Target(ResourceType Type, string Namespace, string? Name, string Subresource, bool WatchPrefix);

    private Target Route(string[] segments)
    {
        string group;
        string version;
        int index;
        if (segments.Length >= 2 && segments[0] == "api")
        {
            (group, version, index) = ("", segments[1], 2);
        }
        else if (segments.Length >= 3 && segments[0] == "apis")
        {
            (group, version, index) = (segments[1], segments[2], 3);
        }
        else
        {
            throw ApiException.PathNotFound();
        }

        var rest = segments[index..];
        var watchPrefix = false;
        if (rest.Length > 0 && rest[0] == "watch")
        {
            watchPrefix = true;
            rest = rest[1..];
        }

        var ns = "";
        if (rest.Length >= 3 && rest[0] == "namespaces" && Registry.Find(group, version, rest[2]) is { Namespaced: true })
        {
            ns = rest[1];
            rest = rest[2..];
        }

        if (rest.Length == 0)
        {
            throw ApiException.PathNotFound();
        }

        var type = Registry.Find(group, version, rest[0]) ?? throw ApiException.PathNotFound();
        var name = rest.Length > 1 ? rest[1] : null;
        var sub = rest.Length > 2 ? rest[2] : "";
        if (rest.Length > 3 || (sub.Length > 0 && !type.Subresources.Contains(sub)))
        {
            throw ApiException.PathNotFound();
        }

        if (type.Namespaced && name is not null && ns.Length == 0)
        {
            throw ApiException.PathNotFound();
        }

        return new Target(type, ns, name, sub, watchPrefix);
    }

    private async Task Resource(HttpContext context, string[] segments)
    {
        if (AccessReviews.IsReviewPath(segments))
        {
            await Review(context, segments[^1]);
            return;
        }

        var target = Route(segments);
        var request = context.Request;
        var query = request.Query;
        var method = request.Method;
        var watch = target.WatchPrefix || query["watch"] is var w && (w == "true" || w == "1");
        Authorize(target, method, watch);
        if (target.Name is null)
        {
            switch (method)
            {
                case "GET" when watch:
                    await Watch(context, target);
                    return;
                case "GET":
                    await List(context, target);
                    return;
                case "POST":
                    var body = await ReadBody(request);
                    var created = _api.Create(target.Type, target.Namespace, Json.ParseObject(body), WriteContextFor(request, ""));
                    await WriteObject(context, 201, created);
                    return;
                case "DELETE":
                    await DeleteCollection(context, target);
                    return;
                default:
                    throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource");
            }
        }

        var name = target.Name;
        if (target.Subresource == "log")
        {
            await PodLog(context, target.Namespace, name);
            return;
        }

        if (target.Subresource == "scale")
        {
            await Scale(context, target);
            return;
        }

        switch (method)
        {
            case "GET" when watch:
                await Watch(context, target with { }, name);
                return;
            case "GET":
                await WriteObject(context, 200, _api.Get(target.Type, target.Namespace, name));
                return;
            case "PUT":
                {
                    var body = Json.ParseObject(await ReadBody(request));
                    var sub = target.Subresource == "finalize" ? "" : target.Subresource;
                    if (target.Subresource == "finalize")
                    {
                        // The namespace controller's way out: spec.finalizers set through this subresource only.
                        var finalizers = body.ObjAt("spec")?["finalizers"]?.DeepClone();
                        var updated = _api.Mutate(target.Type, target.Namespace, name, obj =>
                        {
                            obj.Child("spec")["finalizers"] = finalizers ?? new JsonArray();
                            return true;
                        }, FieldManager(request)) ?? throw ApiException.NotFound(target.Type, name);
                        await WriteObject(context, 200, updated);
                        return;
                    }

                    var existed = _api.Store.Get(target.Type, target.Namespace, name) is not null;
                    var result = _api.Update(target.Type, target.Namespace, name, body, WriteContextFor(request, sub));
                    await WriteObject(context, existed ? 200 : 201, result);
                    return;
                }

            case "PATCH":
                {
                    var body = await ReadBody(request);
                    var result = _api.Patch(target.Type, target.Namespace, name, request.ContentType ?? "", body, WriteContextFor(request, target.Subresource));
                    await WriteObject(context, 200, result);
                    return;
                }

            case "DELETE":
                {
                    var options = await DeleteOptions(request);
                    var result = _api.Delete(target.Type, target.Namespace, name, options);
                    // Like the real registries (ReturnDeletedObject), pods and Services answer with the deleted object;
                    // KubernetesClient's typed DeleteNamespacedService expects a Service, not a Status.
                    if (!result.Removed || target.Type == Registry.Pods || target.Type == Registry.Namespaces || target.Type == Registry.Services)
                    {
                        await WriteObject(context, result.Removed || target.Type.Kind is "Pod" or "Namespace" ? 200 : 202, result.Object);
                    }
                    else
                    {
                        await WriteJson(context, 200, StatusBody.Success(target.Type, name, result.Object.Uid));
                    }

                    return;
                }

            default:
                throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }
    }

    /// <summary>Refuses the request with 403 when the access policy denies its verb on its resource.</summary>
    private void Authorize(Target target, string method, bool watch)
    {
        var verb = (method, target.Name, watch) switch
        {
            ("GET", _, true) => "watch",
            ("GET", null, false) => "list",
            ("GET", _, false) => "get",
            ("POST", _, _) => "create",
            ("PUT", _, _) => "update",
            ("PATCH", _, _) => "patch",
            ("DELETE", null, _) => "deletecollection",
            ("DELETE", _, _) => "delete",
            _ => method.ToLowerInvariant(),
        };
        if (!_access.Allows(verb, target.Type.Group, target.Type.Plural, target.Subresource))
        {
            throw AccessPolicy.Forbidden(verb, target.Type, target.Namespace, target.Name, target.Subresource);
        }
    }

    /// <summary>A SelfSubjectAccessReview or SelfSubjectRulesReview: create only, answered 201 and stored nowhere.</summary>
    private async Task Review(HttpContext context, string plural)
    {
        if (context.Request.Method != "POST")
        {
            throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }

        var body = Json.ParseObject(await ReadBody(context.Request));
        await WriteJson(context, 201, AccessReviews.Review(plural, body, _access, Registry));
    }

    private WriteContext WriteContextFor(HttpRequest request, string subresource)
    {
        var force = request.Query["force"] == "true";
        var dryRun = DryRun(request.Query["dryRun"]);

        // Apply requests must name their manager; every other write falls back to the user agent, as on a real server.
        var apply = request.Method == "PATCH" && (request.ContentType ?? "").StartsWith("application/apply-patch", StringComparison.OrdinalIgnoreCase);
        var manager = apply ? request.Query["fieldManager"].ToString() : FieldManager(request);
        return new WriteContext(manager, subresource, dryRun, force);
    }

    /// <summary>The dryRun parameter: absent, or "All" (the only value the API defines); anything else is refused as the real
    /// server refuses it.</summary>
    private static bool DryRun(IEnumerable<string?> values)
    {
        var given = values.Where(v => !string.IsNullOrEmpty(v)).ToList();
        if (given.FirstOrDefault(v => v != "All") is { } unsupported)
        {
            throw ApiException.BadRequest($"Invalid dryRun parameter: dryRun: Unsupported value: \"{unsupported}\": supported values: \"All\"");
        }

        return given.Count > 0;
    }

    /// <summary>The fieldManager parameter, or (as the real server does) the client's user agent up to the first '/'.</summary>
    private static string FieldManager(HttpRequest request)
    {
        var manager = request.Query["fieldManager"].ToString();
        if (manager.Length > 0)
        {
            return manager;
        }

        var agent = request.Headers.UserAgent.ToString();
        var slash = agent.IndexOf('/', StringComparison.Ordinal);
        var prefix = slash > 0 ? agent[..slash] : agent;
        return prefix.Length > 0 ? prefix : "unknown";
    }

    private static async Task<byte[]> ReadBody(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        if (buffer.Length > MaxBodyBytes)
        {
            throw new ApiException(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
        }

        return buffer.ToArray();
    }

    private static async Task<DeleteRequest> DeleteOptions(HttpRequest request)
    {
        var body = await ReadBody(request);
        JsonObject? options = body.Length > 0 ? Json.ParseObject(body) : null;
        var query = request.Query;
        var policy = options.Str("propagationPolicy") ?? (query["propagationPolicy"].Count > 0 ? query["propagationPolicy"].ToString() : null);
        var orphan = options.Bool("orphanDependents") ?? (query["orphanDependents"] == "true" ? true : null);
        if (policy is null && orphan == true)
        {
            policy = "Orphan";
        }

        if (policy is not (null or "Foreground" or "Background" or "Orphan"))
        {
            throw ApiException.BadRequest($"propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }

        long? grace = options.Long("gracePeriodSeconds");
        if (grace is null && long.TryParse(query["gracePeriodSeconds"], CultureInfo.InvariantCulture, out var g))
        {
            grace = g;
        }

        var dryRun = DryRun([.. options.ArrAt("dryRun")?.Select(v => v?.GetValue<string>()) ?? [], .. query["dryRun"]]);
        return new DeleteRequest(policy, options.Str("preconditions", "uid"), options.Str("preconditions", "resourceVersion"), grace, dryRun);
    }

    private async Task DeleteCollection(HttpContext context, Target target)
    {
        var labels = LabelSelector.Parse(context.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(context.Request.Query["fieldSelector"]);
        var options = await DeleteOptions(context.Request);
        var (items, _) = _api.Store.List(target.Type, target.Type.Namespaced ? target.Namespace : null);
        var deleted = new List<StoredObject>();
        foreach (var item in items.Where(i => labels.Matches(i.Node) && fields.Matches(i.Node)))
        {
            try
            {
                deleted.Add(_api.Delete(target.Type, item.Namespace, item.Name, options).Object);
            }
            catch (ApiException ex) when (ex.Code == 404)
            {
                // Deleted concurrently (by garbage collection, say): that is the outcome asked for.
            }
        }

        await WriteList(context, target.Type, deleted, _api.Store.ResourceVersion, null, null);
    }

    private async Task Scale(HttpContext context, Target target)
    {
        var request = context.Request;
        var name = target.Name!;
        if (request.Method is "PUT" or "PATCH")
        {
            var body = await ReadBody(request);
            var current = ScaleOf(_api.Get(target.Type, target.Namespace, name));
            JsonObject desired = request.Method == "PUT"
                ? Json.ParseObject(body)
                : request.ContentType?.StartsWith("application/json-patch+json", StringComparison.Ordinal) == true
                    ? Patching.JsonPatch.Apply(current, JsonNode.Parse(body))
                    : (JsonObject)Patching.JsonMergePatch.Apply(current, Json.ParseObject(body))!;
            var replicas = desired.Long("spec", "replicas") ?? throw ApiException.BadRequest("spec.replicas is required");
            var patch = Encoding.UTF8.GetBytes($"{{\"spec\":{{\"replicas\":{replicas}}}}}");
            _api.Patch(target.Type, target.Namespace, name, "application/merge-patch+json", patch, WriteContextFor(request, ""));
        }

        await WriteJson(context, 200, ScaleOf(_api.Get(target.Type, target.Namespace, name)));
    }

    private static JsonObject ScaleOf(StoredObject obj) => new()
    {
        ["kind"] = "Scale",
        ["apiVersion"] = "autoscaling/v1",
        ["metadata"] = new JsonObject
        {
            ["name"] = obj.Name,
            ["namespace"] = obj.Namespace,
            ["uid"] = obj.Uid,
            ["resourceVersion"] = obj.Node.Str("metadata", "resourceVersion"),
            ["creationTimestamp"] = obj.Node.Str("metadata", "creationTimestamp"),
        },
        ["spec"] = new JsonObject { ["replicas"] = obj.Node.Long("spec", "replicas") ?? 0 },
        ["status"] = new JsonObject
        {
            ["replicas"] = obj.Node.Long("status", "replicas") ?? 0,
            ["selector"] = obj.Node.ObjAt("spec", "selector") is { } s
                ? string.Join(",", s.Labels("matchLabels").Select(kv => $"{kv.Key}={kv.Value}"))
                : "",
        },
    };

    private async Task List(HttpContext context, Target target)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"]);
        var limit = long.TryParse(query["limit"], CultureInfo.InvariantCulture, out var l) && l > 0 ? l : long.MaxValue;
        var continueToken = query["continue"].ToString();
        string? startAfter = null;
        long? snapshotRv = null;
        if (continueToken.Length > 0)
        {
            (snapshotRv, startAfter) = DecodeContinue(continueToken);
            if (snapshotRv < _api.Store.OldestResumable)
            {
                throw ApiException.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
            }
        }

        var (items, rv) = _api.Store.List(target.Type, target.Type.Namespaced ? target.Namespace : null);
        var selected = new List<StoredObject>();
        string? next = null;
        long remaining = 0;
        foreach (var item in items)
        {
            if (startAfter is not null && string.CompareOrdinal(item.Key, startAfter) <= 0)
            {
                continue;
            }

            if (!labels.Matches(item.Node) || !fields.Matches(item.Node))
            {
                continue;
            }

            if (selected.Count >= limit)
            {
                remaining++;
                continue;
            }

            selected.Add(item);
        }

        if (remaining > 0)
        {
            next = EncodeContinue(snapshotRv ?? rv, selected[^1].Key);
        }

        await WriteList(context, target.Type, selected, snapshotRv ?? rv, next, remaining > 0 && labels.IsEmpty && fields.IsEmpty ? remaining : null);
    }

    private static string EncodeContinue(long rv, string key) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = rv, ["start"] = key }))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (long Rv, string Start) DecodeContinue(string token)
    {
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var node = JsonNode.Parse(Convert.FromBase64String(padded));
            return (node.Long("rv") ?? 0, node.Str("start") ?? "");
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw ApiException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }

    private async Task WriteList(HttpContext context, ResourceType type, List<StoredObject> items, long rv, string? next, long? remaining)
    {
        var metadata = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) };
        if (next is not null)
        {
            metadata["continue"] = next;
        }

        if (remaining is not null)
        {
            metadata["remainingItemCount"] = remaining;
        }

        if (Tables.Wanted(context.Request.Headers.Accept))
        {
            var table = Tables.Build(type, items.Select(i => i.Node), _api.Clock.GetUtcNow(), context.Request.Query["includeObject"].ToString(), metadata);
            await WriteJson(context, 200, table);
            return;
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        var head = Encoding.UTF8.GetBytes($"{{\"kind\":\"{type.Kind}List\",\"apiVersion\":\"{type.ApiVersion}\",\"metadata\":{metadata.ToJsonString()},\"items\":[");
        var length = head.Length + 2 + items.Sum(i => i.Json.Length) + Math.Max(0, items.Count - 1);
        response.ContentLength = length;
        var body = response.BodyWriter;
        body.Write(head);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                body.Write(s_comma);
            }

            body.Write(items[i].Json);
            if (body.UnflushedBytes > 64 * 1024)
            {
                await body.FlushAsync(context.RequestAborted);
            }
        }

        body.Write("]}"u8);
        await body.FlushAsync(context.RequestAborted);
    }

    private async Task Watch(HttpContext context, Target target, string? singleName = null)
    {
        var query = context.Request.Query;
        var fieldText = query["fieldSelector"].ToString();
        if (singleName is not null)
        {
            fieldText = string.IsNullOrEmpty(fieldText) ? $"metadata.name={singleName}" : $"{fieldText},metadata.name={singleName}";
        }

        var filter = new WatchFilter(target.Type, target.Type.Namespaced ? target.Namespace : null, LabelSelector.Parse(query["labelSelector"]), FieldSelector.Parse(fieldText));
        var bookmarks = query["allowWatchBookmarks"] == "true";
        var rvText = query["resourceVersion"].ToString();
        var sendInitial = query["sendInitialEvents"] == "true" || rvText is "" or "0";
        var table = Tables.Wanted(context.Request.Headers.Accept);
        var includeObject = query["includeObject"].ToString();
        var headerFault = context.Request.Headers[FaultInjector.RequestHeader].ToString().Contains("drop-watch", StringComparison.Ordinal);
        Func<StoredObject, JsonObject>? transform = table
            ? obj => Tables.Build(obj.Type, [obj.Node], _api.Clock.GetUtcNow(), includeObject, new JsonObject { ["resourceVersion"] = obj.ResourceVersion.ToString(CultureInfo.InvariantCulture) })
            : null;

        var session = new WatchSession(filter, _options.WatchBufferSize);
        var store = _api.Store;
        List<StoredObject>? initial = null;
        List<StoreEvent>? replay = null;
        long startRv;
        ApiException? expired = null;
        lock (store.Gate)
        {
            if (sendInitial)
            {
                (initial, startRv) = store.List(target.Type, filter.Namespace);
                store.AddListener(session);
            }
            else
            {
                if (!long.TryParse(rvText, CultureInfo.InvariantCulture, out startRv))
                {
                    throw ApiException.BadRequest($"invalid resourceVersion \"{rvText}\"");
                }

                replay = store.Since(startRv, session, out var oldest);
                if (replay is null)
                {
                    expired = ApiException.Expired($"too old resource version: {startRv} ({oldest})");
                }
            }
        }

        if (expired is not null)
        {
            // The real server answers 200 and then a single ERROR event carrying the 410, which is what client
            // libraries (and informers' relist logic) expect.
            await WriteWatchError(context, expired);
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _dropSource.Token);
        ITimer? timeout = null;
        ITimer? bookmarkTimer = null;
        var dropped = false;
        var counted = false;
        try
        {
            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = "application/json";
            context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
            var body = response.BodyWriter;
            if (long.TryParse(query["timeoutSeconds"], CultureInfo.InvariantCulture, out var timeoutSeconds) && timeoutSeconds > 0)
            {
                timeout = _api.Clock.CreateTimer(_ => session.Complete(), null, TimeSpan.FromSeconds(timeoutSeconds), Timeout.InfiniteTimeSpan);
            }

            if (bookmarks)
            {
                bookmarkTimer = _api.Clock.CreateTimer(_ =>
                {
                    lock (store.Gate)
                    {
                        session.Enqueue(new BookmarkRequest(store.ResourceVersion, false));
                    }
                }, null, _options.BookmarkInterval, _options.BookmarkInterval);
            }

            // Counted only once its timers exist, so a test that waits for the watch and then moves the clock
            // cannot move it before the timers were armed.
            Interlocked.Increment(ref _openWatches);
            counted = true;

            var sent = 0;
            foreach (var obj in initial ?? [])
            {
                if (filter.Matches(obj))
                {
                    body.Write(transform is null ? StoreEvent.WatchLine("ADDED", obj.Json) : StoreEvent.WatchLine("ADDED", Json.ToUtf8(transform(obj))));
                    sent++;
                    if (_faults.ShouldDropWatch(sent))
                    {
                        await body.FlushAsync(stop.Token);
                        dropped = true;
                        return;
                    }
                }
            }

            if (initial is not null && bookmarks && query["sendInitialEvents"] == "true")
            {
                body.Write(WatchSession.BookmarkLine(target.Type, startRv, initialEventsEnd: true));
            }

            foreach (var change in replay ?? [])
            {
                if (session.LineFor(change, transform) is { } line)
                {
                    body.Write(line);
                    sent++;
                    if (_faults.ShouldDropWatch(sent))
                    {
                        await body.FlushAsync(stop.Token);
                        dropped = true;
                        return;
                    }
                }
            }

            await body.FlushAsync(stop.Token);
            if (headerFault)
            {
                dropped = true;
                return;
            }

            var reader = session.Reader;
            while (await reader.WaitToReadAsync(stop.Token))
            {
                while (reader.TryRead(out var item))
                {
                    session.Dequeued();
                    byte[]? line = item switch
                    {
                        StoreEvent change => session.LineFor(change, transform),
                        BookmarkRequest bookmark => WatchSession.BookmarkLine(target.Type, bookmark.ResourceVersion, bookmark.InitialEventsEnd),
                        _ => null,
                    };
                    if (line is null)
                    {
                        continue;
                    }

                    body.Write(line);
                    sent++;
                    if (item is StoreEvent && _faults.ShouldDropWatch(sent))
                    {
                        await body.FlushAsync(stop.Token);
                        dropped = true;
                        return;
                    }
                }

                await body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException) when (_dropSource.IsCancellationRequested || stop.IsCancellationRequested)
        {
            dropped = !context.RequestAborted.IsCancellationRequested;
        }
        finally
        {
            store.RemoveListener(session);
            session.Complete();
            timeout?.Dispose();
            bookmarkTimer?.Dispose();
            if (counted)
            {
                Interlocked.Decrement(ref _openWatches);
            }

            if (dropped)
            {
                // A dropped stream is cut, not closed cleanly: the client sees the connection end mid-stream.
                context.Abort();
            }
        }
    }

    private static async Task WriteWatchError(HttpContext context, ApiException error)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(WatchSession.ErrorLine(error), context.RequestAborted);
    }

    private async Task PodLog(HttpContext context, string ns, string name)
    {
        var query = context.Request.Query;
        var pod = _api.Get(Registry.Pods, ns, name).Node;
        var containers = pod.ArrAt("spec", "containers").Objects().Concat(pod.ArrAt("spec", "initContainers").Objects()).Select(c => c.Str("name") ?? "").ToList();
        var container = query["container"].ToString();
        if (container.Length == 0)
        {
            var main = pod.ArrAt("spec", "containers").Objects().Select(c => c.Str("name") ?? "").ToList();
            if (main.Count != 1 && pod.Str("metadata", "annotations", "kubectl.kubernetes.io/default-container") is not { } defaultContainer)
            {
                throw ApiException.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", main)}]");
            }

            container = pod.Str("metadata", "annotations", "kubectl.kubernetes.io/default-container") ?? main[0];
        }

        if (!containers.Contains(container))
        {
            throw ApiException.BadRequest($"container {container} is not valid for pod {name}");
        }

        var previous = query["previous"] == "true";
        var follow = query["follow"] == "true";
        var timestamps = query["timestamps"] == "true";
        var (lines, followReader) = _logs.Read(ns, name, container, previous, follow);
        if (lines is null)
        {
            if (previous)
            {
                throw ApiException.BadRequest($"previous terminated container \"{container}\" in pod \"{name}\" not found");
            }

            var waiting = pod.ArrAt("status", "containerStatuses").Objects().FirstOrDefault(s => s.Str("name") == container)?.Str("state", "waiting", "reason") ?? "ContainerCreating";
            throw ApiException.BadRequest($"container \"{container}\" in pod \"{name}\" is waiting to start: {waiting}");
        }

        if (long.TryParse(query["sinceSeconds"], CultureInfo.InvariantCulture, out var since))
        {
            var cutoff = _api.Clock.GetUtcNow().AddSeconds(-since);
            lines = [.. lines.Where(l => l.Time >= cutoff)];
        }

        if (int.TryParse(query["tailLines"], CultureInfo.InvariantCulture, out var tail) && tail >= 0 && lines.Count > tail)
        {
            lines = lines[^tail..];
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/plain";
        string Format(LogLine line) => timestamps ? $"{line.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)} {line.Text}\n" : line.Text + "\n";
        foreach (var line in lines)
        {
            await response.WriteAsync(Format(line), context.RequestAborted);
        }

        await response.Body.FlushAsync(context.RequestAborted);
        if (followReader is null)
        {
            return;
        }

        try
        {
            await foreach (var line in followReader.ReadAllAsync(context.RequestAborted))
            {
                await response.WriteAsync(Format(line), context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
            }
        }
        finally
        {
            _logs.Unfollow(ns, name, container, followReader);
        }
    }

    private async Task Admin(HttpContext context, string[] rest)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        switch (rest, context.Request.Method)
        {
            case (["faults"], "GET"):
                break;
            case (["faults"], "PUT" or "POST"):
                var body = await ReadBody(context.Request);
                FaultSettings settings;
                try
                {
                    settings = JsonSerializer.Deserialize<FaultSettings>(body, options) ?? new FaultSettings();
                }
                catch (JsonException ex)
                {
                    throw ApiException.BadRequest($"invalid fault settings: {ex.Message}");
                }

                _faults.Set(settings);
                break;
            case (["faults"], "DELETE"):
                _faults.Clear();
                break;
            case (["faults", "drop-watches"], "POST"):
                _faults.DropWatchStreams();
                break;
            default:
                throw ApiException.PathNotFound();
        }

        var current = JsonSerializer.SerializeToNode(_faults.Settings, options)!.AsObject();
        current["errorsInjected"] = _faults.ErrorsInjected;
        await WriteJson(context, 200, current);
    }

    private async Task WriteObject(HttpContext context, int status, StoredObject obj)
    {
        if (Tables.Wanted(context.Request.Headers.Accept) && context.Request.Method == "GET")
        {
            await WriteJson(context, status, Tables.Build(obj.Type, [obj.Node], _api.Clock.GetUtcNow(), context.Request.Query["includeObject"].ToString(), new JsonObject { ["resourceVersion"] = obj.ResourceVersion.ToString(CultureInfo.InvariantCulture) }));
            return;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = obj.Json.Length;
        await context.Response.Body.WriteAsync(obj.Json, context.RequestAborted);
    }

    private static async Task WriteJson(HttpContext context, int status, JsonNode body)
    {
        var bytes = Json.ToUtf8(body);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static async Task WriteText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(text, context.RequestAborted);
    }
}
