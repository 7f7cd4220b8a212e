using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Portal.Sandbox.Api;
using Portal.Sandbox.Patching;

namespace Portal.Sandbox.Storage;

/// <summary>Who is writing and how: the field manager, the subresource, dry-run and force.</summary>
/// <remarks><paramref name="Controller"/> marks writes by the simulated control plane, which set spec and status together.</remarks>
internal sealed record WriteContext(string FieldManager, string Subresource = "", bool DryRun = false, bool Force = false, bool Controller = false);

/// <summary>DELETE options as the API takes them (query or DeleteOptions body).</summary>
internal sealed record DeleteRequest(string? PropagationPolicy = null, string? PreconditionUid = null, string? PreconditionResourceVersion = null, long? GracePeriodSeconds = null, bool DryRun = false);

/// <summary>The outcome of a delete: the object's state, and whether it is gone or only marked for deletion.</summary>
internal sealed record DeleteResult(StoredObject Object, bool Removed);

/// <summary>
/// The API server's registry layer: what create, update, patch, apply and delete mean for an object
/// (metadata maintenance, status subresource split, optimistic concurrency, generation, managedFields, finalizers,
/// defaulting and validation). The HTTP layer and the simulated controllers both write through it, so a controller
/// write looks exactly like a client write to watchers.
/// </summary>
internal sealed class ClusterApi
{
    public const string ForegroundFinalizer = "foregroundDeletion";
    public const string OrphanFinalizer = "orphan";

    public ClusterApi(ObjectStore store, ResourceRegistry registry, TimeProvider clock, Identity identity)
    {
        Store = store;
        Registry = registry;
        Clock = clock;
        Identity = identity;
        Admission = new Admission(this);
    }

    public ObjectStore Store { get; }

    public ResourceRegistry Registry { get; }

    public TimeProvider Clock { get; }

    public Identity Identity { get; }

    internal Admission Admission { get; }

    public string Now => Json.Time(Clock.GetUtcNow());

    public StoredObject Get(ResourceType type, string ns, string name) =>
        Store.Get(type, ns, name) ?? throw ApiException.NotFound(type, name);

    public StoredObject Create(ResourceType type, string ns, JsonObject body, WriteContext context) => Create(type, ns, body, context, applied: false);

    public StoredObject Update(ResourceType type, string ns, string name, JsonObject body, WriteContext context)
    {
        CheckIdentity(type, ns, name, body);
        lock (Store.Gate)
        {
            var old = Get(type, ns, name);
            var rv = body.Str("metadata", "resourceVersion");
            if (!string.IsNullOrEmpty(rv) && rv != old.Node.Str("metadata", "resourceVersion"))
            {
                throw ApiException.StaleResourceVersion(type, name);
            }

            return CommitChange(type, old, body, context);
        }
    }

    public StoredObject Patch(ResourceType type, string ns, string name, string contentType, byte[] body, WriteContext context)
    {
        var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType == "application/apply-patch+yaml" || mediaType == "application/apply-patch+cbor")
        {
            return Apply(type, ns, name, YamlJson.ParseObject(body), context);
        }

        lock (Store.Gate)
        {
            var old = Get(type, ns, name);
            var document = old.CloneNode();
            JsonObject patched;
            switch (mediaType)
            {
                case "application/merge-patch+json":
                    var mergePatch = Json.ParseObject(body);
                    patched = (JsonObject)JsonMergePatch.Apply(document, mergePatch)!;
                    CheckPatchPrecondition(type, old, mergePatch);
                    break;
                case "application/strategic-merge-patch+json":
                    var strategicPatch = Json.ParseObject(body);
                    patched = StrategicMergePatch.Apply(document, strategicPatch);
                    CheckPatchPrecondition(type, old, strategicPatch);
                    break;
                case "application/json-patch+json":
                    patched = JsonPatch.Apply(document, ParseNode(body));
                    break;
                default:
                    throw ApiException.UnsupportedMediaType(contentType);
            }

            // A patch may not move the object: identity fields always come from the stored object.
            patched.Metadata()["name"] = old.Name;
            if (type.Namespaced)
            {
                patched.Metadata()["namespace"] = old.Namespace;
            }

            patched.Metadata()["resourceVersion"] = old.Node.Str("metadata", "resourceVersion");
            return CommitChange(type, old, patched, context);
        }
    }

    /// <summary>Server-side apply: creates the object when missing, otherwise merges with field ownership.</summary>
    public StoredObject Apply(ResourceType type, string ns, string name, JsonObject applied, WriteContext context)
    {
        if (applied.Str("apiVersion") is not { } apiVersion || applied.Str("kind") is not { } kind)
        {
            throw ApiException.BadRequest("apiVersion and kind must be set in an apply configuration");
        }

        if (apiVersion != type.ApiVersion || kind != type.Kind)
        {
            throw ApiException.BadRequest($"the apply configuration is a {apiVersion}, Kind={kind}, not a {type.ApiVersion}, Kind={type.Kind}");
        }

        if (applied.Name() != name)
        {
            throw ApiException.BadRequest($"the name of the object ({applied.Name()}) does not match the name on the URL ({name})");
        }

        CheckIdentity(type, ns, name, applied);
        if (string.IsNullOrEmpty(context.FieldManager))
        {
            throw ApiException.BadRequest("PATCH requests with apply content type must provide a fieldManager");
        }

        lock (Store.Gate)
        {
            var old = Store.Get(type, ns, name);
            if (old is null)
            {
                if (context.Subresource.Length > 0)
                {
                    throw ApiException.NotFound(type, name);
                }

                var created = ManagedFields.Apply(type, null, applied, context.FieldManager, context.Force, "", Now);
                return Create(type, ns, created, context, applied: true);
            }

            var rv = applied.Str("metadata", "resourceVersion");
            if (!string.IsNullOrEmpty(rv) && rv != old.Node.Str("metadata", "resourceVersion"))
            {
                throw ApiException.StaleResourceVersion(type, name);
            }

            var result = ManagedFields.Apply(type, old.Node, applied, context.FieldManager, context.Force, context.Subresource, Now);
            return CommitChange(type, old, result, context, applied: true);
        }
    }

    /// <summary>
    /// Read-modify-write for controllers: <paramref name="change"/> edits a copy and returns false to skip. A change
    /// that leaves the object as it was is not written (no new resourceVersion), like the real server's no-op updates.
    /// </summary>
    public StoredObject? Mutate(ResourceType type, string ns, string name, Func<JsonObject, bool> change, string manager, string subresource = "")
    {
        lock (Store.Gate)
        {
            var old = Store.Get(type, ns, name);
            if (old is null)
            {
                return null;
            }

            var copy = old.CloneNode();
            return change(copy) ? CommitChange(type, old, copy, new WriteContext(manager, subresource, Controller: true)) : old;
        }
    }

    public DeleteResult Delete(ResourceType type, string ns, string name, DeleteRequest request)
    {
        lock (Store.Gate)
        {
            var old = Get(type, ns, name);
            if (request.PreconditionUid is { Length: > 0 } uid && uid != old.Uid)
            {
                throw ApiException.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {old.Uid}");
            }

            if (request.PreconditionResourceVersion is { Length: > 0 } rv && rv != old.Node.Str("metadata", "resourceVersion"))
            {
                throw ApiException.Conflict(type, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {old.Node.Str("metadata", "resourceVersion")}");
            }

            if (old.Node.Str("metadata", "deletionTimestamp") is not null)
            {
                // Deleting again is harmless: a second request does not restart anything, except that a zero grace
                // period (kubectl delete --force) finishes a pod's graceful deletion at once.
                if (type == Registry.Pods && request.GracePeriodSeconds == 0 && !request.DryRun)
                {
                    return new DeleteResult(Store.Remove(type, ns, name)!, true);
                }

                return new DeleteResult(old, false);
            }

            var copy = old.CloneNode();
            var finalizers = copy.Metadata().ChildArray("finalizers");
            var policy = request.PropagationPolicy;
            if (policy == "Foreground" && !finalizers.Any(f => f?.GetValue<string>() == ForegroundFinalizer))
            {
                finalizers.Add(ForegroundFinalizer);
            }
            else if (policy == "Orphan" && !finalizers.Any(f => f?.GetValue<string>() == OrphanFinalizer))
            {
                finalizers.Add(OrphanFinalizer);
            }

            if (finalizers.Count == 0)
            {
                copy.Metadata().Remove("finalizers");
            }

            var graceful = type == Registry.Namespaces
                || (type == Registry.Pods && request.GracePeriodSeconds != 0 && copy.Str("spec", "nodeName") is not null);
            if (finalizers.Count == 0 && !graceful)
            {
                if (request.DryRun)
                {
                    return new DeleteResult(old, true);
                }

                return new DeleteResult(Store.Remove(type, ns, name)!, true);
            }

            var metadata = copy.Metadata();
            metadata["deletionTimestamp"] = Now;
            metadata["deletionGracePeriodSeconds"] = type == Registry.Pods ? request.GracePeriodSeconds ?? copy.Long("spec", "terminationGracePeriodSeconds") ?? 30 : 0;
            if (type.TracksGeneration)
            {
                metadata["generation"] = (copy.Long("metadata", "generation") ?? 1) + 1;
            }

            if (type == Registry.Namespaces)
            {
                copy.Child("status")["phase"] = "Terminating";
            }

            if (request.DryRun)
            {
                return new DeleteResult(new StoredObject(type, copy), false);
            }

            return new DeleteResult(Store.Put(type, copy), false);
        }
    }

    /// <summary>Removes a finalizer (the controllers' way to let a deletion finish).</summary>
    public void RemoveFinalizer(ResourceType type, string ns, string name, string finalizer, string manager) =>
        Mutate(type, ns, name, obj =>
        {
            var list = obj.ArrAt("metadata", "finalizers");
            var match = list?.FirstOrDefault(f => f?.GetValue<string>() == finalizer);
            if (match is null)
            {
                return false;
            }

            list!.Remove(match);
            return true;
        }, manager);

    private StoredObject Create(ResourceType type, string ns, JsonObject body, WriteContext context, bool applied)
    {
        var obj = body.Clone();
        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
        var metadata = obj.Metadata();
        if (type.Namespaced)
        {
            var bodyNamespace = obj.Namespace();
            if (bodyNamespace.Length > 0 && bodyNamespace != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            metadata["namespace"] = ns;
        }
        else
        {
            metadata.Remove("namespace");
        }

        lock (Store.Gate)
        {
            var name = obj.Name();
            if (name.Length == 0 && obj.Str("metadata", "generateName") is { Length: > 0 } prefix)
            {
                do
                {
                    name = prefix + Identity.Suffix();
                }
                while (Store.Get(type, ns, name) is not null);

                metadata["name"] = name;
            }

            if (name.Length == 0)
            {
                throw ApiException.Invalid(type, "", [("metadata.name", "Required value: name or generateName is required")]);
            }

            Validation.CheckName(type, name);
            if (type.Namespaced)
            {
                var owningNamespace = Store.Get(Registry.Namespaces, "", ns)
                    ?? throw ApiException.NotFound(Registry.Namespaces, ns);
                if (owningNamespace.Node.Str("metadata", "deletionTimestamp") is not null)
                {
                    throw ApiException.Forbidden(type, name, $"unable to create new content in namespace {ns} because it is being terminated");
                }
            }

            if (Store.Get(type, ns, name) is not null)
            {
                throw ApiException.AlreadyExists(type, name);
            }

            foreach (var field in (string[])["uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"])
            {
                metadata.Remove(field);
            }

            metadata["uid"] = Identity.NewUid();
            metadata["creationTimestamp"] = Now;
            if (type.TracksGeneration)
            {
                metadata["generation"] = 1;
            }
            else
            {
                metadata.Remove("generation");
            }

            if (type.HasStatus && context.Subresource.Length == 0)
            {
                obj.Remove("status");
            }

            var chosenIp = obj.Str("spec", "clusterIP");
            Admission.OnCreate(type, obj);
            if (context.DryRun && type == Registry.Services && string.IsNullOrEmpty(chosenIp))
            {
                // A dry run shows the address a create would get but keeps none, as the real allocator's dry-run mode does.
                Admission.ReleaseClusterIp(obj.Str("spec", "clusterIP"));
            }

            Validation.Check(type, null, obj);
            if (!applied)
            {
                metadata.Remove("managedFields");
                ManagedFields.TrackUpdate(null, obj, context.FieldManager, "", type.ApiVersion, Now);
            }

            return context.DryRun ? new StoredObject(type, obj) : Store.Put(type, obj);
        }
    }

    /// <summary>The shared tail of update, patch and apply; the caller holds the store lock.</summary>
    private StoredObject CommitChange(ResourceType type, StoredObject old, JsonObject candidate, WriteContext context, bool applied = false)
    {
        var current = old.Node;
        var next = candidate;
        if (context.Subresource == "status")
        {
            // The status subresource changes status only; everything else stays as stored.
            var merged = current.Clone();
            if (next["status"] is { } status)
            {
                merged["status"] = status.DeepClone();
            }
            else
            {
                merged.Remove("status");
            }

            if (applied)
            {
                merged.Metadata()["managedFields"] = next.ObjAt("metadata")?["managedFields"]?.DeepClone();
            }

            next = merged;
        }
        else if (type.HasStatus && context.Subresource.Length == 0 && !context.Controller)
        {
            // The main resource ignores status changes: clients cannot fake what controllers report.
            if (current["status"] is { } status)
            {
                next["status"] = status.DeepClone();
            }
            else
            {
                next.Remove("status");
            }
        }

        next["apiVersion"] = type.ApiVersion;
        next["kind"] = type.Kind;
        var metadata = next.Metadata();
        foreach (var field in (string[])["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion"])
        {
            if (current.ObjAt("metadata")?[field] is { } kept)
            {
                metadata[field] = kept.DeepClone();
            }
            else
            {
                metadata.Remove(field);
            }
        }

        if (!applied)
        {
            metadata["managedFields"] = current.ObjAt("metadata")?["managedFields"]?.DeepClone();
            if (metadata["managedFields"] is null)
            {
                metadata.Remove("managedFields");
            }
        }

        if (metadata["finalizers"] is JsonArray { Count: 0 })
        {
            metadata.Remove("finalizers");
        }

        Admission.OnUpdate(type, current, next);
        Validation.Check(type, current, next);
        if (type.TracksGeneration && !Json.Same(WithoutMetadataAndStatus(current), WithoutMetadataAndStatus(next)))
        {
            metadata["generation"] = (current.Long("metadata", "generation") ?? 0) + 1;
        }

        if (!applied)
        {
            ManagedFields.TrackUpdate(current, next, context.FieldManager, context.Subresource, type.ApiVersion, Now);
        }

        if (Json.Same(current, next))
        {
            return old;
        }

        if (metadata["deletionTimestamp"] is not null && metadata["finalizers"] is null && type != Registry.Namespaces && type != Registry.Pods)
        {
            return context.DryRun ? old : Store.Remove(type, old.Namespace, old.Name)!;
        }

        return context.DryRun ? new StoredObject(type, next) : Store.Put(type, next);
    }

    private static JsonObject WithoutMetadataAndStatus(JsonObject obj)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (key is not "metadata" and not "status" and not "apiVersion" and not "kind")
            {
                copy[key] = value?.DeepClone();
            }
        }

        return copy;
    }

    private static void CheckIdentity(ResourceType type, string ns, string name, JsonObject body)
    {
        if (body.Name() is { Length: > 0 } bodyName && bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        if (type.Namespaced && body.Namespace() is { Length: > 0 } bodyNamespace && bodyNamespace != ns)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    private static void CheckPatchPrecondition(ResourceType type, StoredObject old, JsonObject patch)
    {
        if (patch.Str("metadata", "resourceVersion") is { Length: > 0 } rv && rv != old.Node.Str("metadata", "resourceVersion"))
        {
            throw ApiException.StaleResourceVersion(type, old.Name);
        }
    }

    private static JsonNode? ParseNode(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw ApiException.BadRequest($"the body of the request was in an unknown format: {ex.Message}");
        }
    }

    /// <summary>base64 of a UTF-8 string, as Secret data holds it.</summary>
    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Field manager names the simulated control plane writes under (shown in managedFields, as on a real cluster).</summary>
internal static class SandboxManagers
{
    public const string ControllerManager = "kube-controller-manager";
    public const string Kubelet = "kubelet";
    public const string Scheduler = "kube-scheduler";
    public const string ApiServer = "kube-apiserver";
}
