using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Relations.Postgresql;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Drafts;

/// <summary>The preflight checks of a draft against its target cluster: each runs concurrently with its own timeout, and one
/// that cannot finish becomes a warning that says why, never an exception.</summary>
/// <remarks>Reads and server-side dry runs only: nothing in the cluster changes. The draft's secret inputs are used for the
/// database login only and never appear in a detail or a remedy.</remarks>
internal sealed class StackPreflight(ComponentCatalog catalog, StackRenderer renderer, IDatabaseAdmin databases, ILogger<StackPreflight> logger)
{
    /// <summary>How long one check may take.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(15);

    /// <summary>How long the ACME directory gets to answer.</summary>
    public static readonly TimeSpan AcmeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Where the objects of a namespace that does not exist yet are dry-run (see <see cref="DryRunAsync"/>).</summary>
    public const string StandInNamespace = "default";

    private const string DefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class";
    private const string BetaDefaultClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class";
    private const string DefaultIngressClassAnnotation = "ingressclass.kubernetes.io/is-default-class";
    private const string NginxController = "k8s.io/ingress-nginx";

    private static readonly Dictionary<string, string> s_titles = new(StringComparer.Ordinal)
    {
        ["namespace"] = "Namespace",
        ["dry-run"] = "Server-side dry run",
        ["ingress-class"] = "Ingress class",
        ["storage-class"] = "Storage classes",
        ["quota"] = "Resource quota",
        ["database-admin"] = "Database admin login",
        ["acme-directory"] = "ACME directory",
        ["hostnames"] = "Hostnames",
    };

    public async Task<IReadOnlyList<PreflightCheck>> RunAsync(NewStack stack, IClusterGateway cluster, CancellationToken cancellationToken)
    {
        var objects = renderer.Render(stack.Stored);
        var checks = new (string Id, Func<CancellationToken, Task<PreflightCheck>> Run)[]
        {
            ("namespace", ct => NamespaceAsync(stack, objects, cluster, ct)),
            ("dry-run", ct => DryRunAsync(stack, cluster, ct)),
            ("ingress-class", ct => IngressClassAsync(stack, cluster, ct)),
            ("storage-class", ct => StorageClassAsync(objects, cluster, ct)),
            ("quota", ct => QuotaAsync(stack, objects, cluster, ct)),
            ("database-admin", ct => DatabaseAdminAsync(stack, ct)),
            ("acme-directory", ct => AcmeDirectoryAsync(stack, ct)),
            ("hostnames", ct => HostnamesAsync(stack, objects, cluster, ct)),
        };
        return await Task.WhenAll(checks.Select(c => GuardAsync(c.Id, c.Run, cancellationToken))).ConfigureAwait(false);
    }

    private async Task<PreflightCheck> GuardAsync(string id, Func<CancellationToken, Task<PreflightCheck>> check, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            // Off the caller's thread at once, so that a check that blocks before its first await cannot hold up the others.
            return await Task.Run(() => check(timeout.Token), timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            DraftsLog.CheckFailed(logger, id, "timed out");
            return Check(id, PreflightOutcome.Warn, $"The check did not finish within {CheckTimeout.TotalSeconds:0} seconds, so its result is unknown.",
                "Run the preflight again; if it keeps timing out, the cluster or server it asks is slow or unreachable from the portal.");
        }
        catch (ClusterException e)
        {
            DraftsLog.CheckFailed(logger, id, e.Message);
            return Check(id, PreflightOutcome.Warn, $"The check could not be made: {e.Message}",
                "Run the preflight again; if the cluster keeps refusing, check the portal's access to it on the Clusters page.");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A check is advice: whatever breaks inside one is reported on it, and the other checks still count.
            DraftsLog.CheckFailed(logger, id, e.Message);
            return Check(id, PreflightOutcome.Warn, $"The check could not be made: {e.Message}", "Run the preflight again; the portal's log has the details.");
        }
    }

    private static PreflightCheck Check(string id, PreflightOutcome outcome, string detail, string? remedy = null) =>
        new(id, s_titles[id], outcome, detail, outcome == PreflightOutcome.Pass ? null : remedy);

    /// <summary>Free, or already the portal's for this stack; refused when it belongs to another stack or holds objects the deploy
    /// would take over.</summary>
    private static async Task<PreflightCheck> NamespaceAsync(NewStack stack, IReadOnlyList<RenderedObject> objects, IClusterGateway cluster, CancellationToken ct)
    {
        var spec = stack.Spec;
        var ns = await cluster.ReadAsync<V1Namespace>("v1", "Namespace", null, spec.Namespace, ct).ConfigureAwait(false);
        if (ns is null)
        {
            return Check("namespace", PreflightOutcome.Pass, $"Namespace {spec.Namespace} does not exist yet; the deploy creates it for stack {spec.Name}.");
        }

        if (ns.Status?.Phase == "Terminating")
        {
            return Check("namespace", PreflightOutcome.Fail, $"Namespace {spec.Namespace} is being deleted.",
                "Wait until it is gone, or choose another namespace.");
        }

        var owner = Value(ns.Metadata.Labels, PortalLabels.Stack);
        if (owner is not null && owner != spec.Name)
        {
            return Check("namespace", PreflightOutcome.Fail, $"Namespace {spec.Namespace} belongs to stack {owner}.",
                $"Choose another namespace, or tear down stack {owner} with its namespace first.");
        }

        var rendered = objects.Select(o => $"{o.Kind}/{o.Name}").ToHashSet(StringComparer.Ordinal);
        var foreign = new List<string>();
        var takeovers = new List<string>();
        foreach (var kind in KubeResources.StackKinds)
        {
            foreach (var obj in await cluster.ListAsync(kind.ApiVersion, kind.Kind, spec.Namespace, "", ct).ConfigureAwait(false))
            {
                var stackLabel = Value(obj.Metadata.Labels, PortalLabels.Stack);
                if (stackLabel is not null && stackLabel != spec.Name)
                {
                    foreign.Add($"{kind.Kind}/{obj.Metadata.Name} of stack {stackLabel}");
                }
                else if (stackLabel is null && rendered.Contains($"{kind.Kind}/{obj.Metadata.Name}"))
                {
                    takeovers.Add($"{kind.Kind}/{obj.Metadata.Name}");
                }
            }
        }

        if (foreign.Count > 0)
        {
            return Check("namespace", PreflightOutcome.Fail, $"Namespace {spec.Namespace} holds objects of other stacks: {Some(foreign)}.",
                "Choose another namespace; one namespace holds one stack.");
        }

        if (takeovers.Count > 0)
        {
            return Check("namespace", PreflightOutcome.Fail,
                $"Namespace {spec.Namespace} already has {Some(takeovers)}, not created by the portal, which the deploy would overwrite.",
                "Choose another namespace, or remove those objects if nobody needs them.");
        }

        return owner == spec.Name
            ? Check("namespace", PreflightOutcome.Pass, $"Namespace {spec.Namespace} is already the portal's namespace of stack {spec.Name}; the deploy reuses it.")
            : Check("namespace", PreflightOutcome.Pass, $"Namespace {spec.Namespace} exists and holds nothing the stack would clash with; the deploy labels it for stack {spec.Name}.");
    }

    /// <summary>Every rendered object (and the namespace) through a server-side dry run.</summary>
    /// <remarks>The API refuses any object in a namespace that does not exist, dry run or not; for a new namespace the objects are
    /// dry-run in <see cref="StandInNamespace"/> instead, which validates and admits them all the same.</remarks>
    private async Task<PreflightCheck> DryRunAsync(NewStack stack, IClusterGateway cluster, CancellationToken ct)
    {
        var spec = stack.Spec;
        var exists = await cluster.ReadAsync<V1Namespace>("v1", "Namespace", null, spec.Namespace, ct).ConfigureAwait(false) is not null;
        var target = exists ? spec.Namespace : StandInNamespace;
        var objects = renderer.Render(stack.Stored).Select(o => o.Object).ToList();
        foreach (var obj in objects.Where(o => KubeResources.Of(o).Namespaced))
        {
            obj.Metadata.NamespaceProperty = target;
        }

        objects.Insert(0, new V1Namespace
        {
            ApiVersion = "v1",
            Kind = "Namespace",
            Metadata = new V1ObjectMeta { Name = spec.Namespace, Labels = new Dictionary<string, string>(StackNamespace.Labels(spec), StringComparer.Ordinal) },
        });

        var refused = new System.Collections.Concurrent.ConcurrentBag<(int Order, string Text)>();
        await Parallel.ForEachAsync(
            objects.Select((obj, i) => (obj, i)),
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct },
            async (item, token) =>
            {
                try
                {
                    await cluster.DryRunApplyAsync(item.obj, token).ConfigureAwait(false);
                }
                catch (ClusterException e) when (e.Status is { } status && (int)status is >= 400 and < 500 && status != HttpStatusCode.TooManyRequests)
                {
                    refused.Add((item.i, $"{item.obj.Kind}/{item.obj.Metadata.Name}: {e.Reason}"));
                }
            }).ConfigureAwait(false);

        var where = exists ? "" : $" (namespace {spec.Namespace} does not exist yet, so its objects were dry-run in namespace {StandInNamespace})";
        if (refused.IsEmpty)
        {
            return Check("dry-run", PreflightOutcome.Pass, $"The API accepted all {objects.Count} objects in a server-side dry run{where}.");
        }

        var list = string.Join("; ", refused.OrderBy(r => r.Order).Select(r => r.Text));
        return Check("dry-run", PreflightOutcome.Fail, $"The API refused {refused.Count} of {objects.Count} objects in a server-side dry run{where}: {list}",
            "Fix what the API says about each object (usually an option of its component, or the portal's permissions on the cluster); nothing was created.");
    }

    private async Task<PreflightCheck> IngressClassAsync(NewStack stack, IClusterGateway cluster, CancellationToken ct)
    {
        var wanted = stack.Spec.Components.Where(c => c.Kind == NginxIngressKind.Name)
            .Select(c => (Component: c.Name, Class: c.Get(catalog.Get(c.Kind), "ingress-class") ?? "")).ToList();
        if (wanted.Count == 0)
        {
            return Check("ingress-class", PreflightOutcome.Pass, "The stack publishes no Ingress, so it needs no ingress class.");
        }

        var classes = (await cluster.QueryAsync("list IngressClasses", (k, token) => k.NetworkingV1.ListIngressClassAsync(cancellationToken: token), ct)
            .ConfigureAwait(false)).Items;
        var known = string.Join(", ", classes.Select(c => c.Metadata.Name).Order(StringComparer.Ordinal));
        var missing = wanted.Where(w => classes.All(c => c.Metadata.Name != w.Class)).ToList();
        if (missing.Count > 0)
        {
            var (component, name) = missing[0];
            return Check("ingress-class", PreflightOutcome.Fail,
                $"IngressClass {name} (option ingress-class of {component}) does not exist, so no controller would serve the stack's routes.",
                classes.Count == 0
                    ? "Install ingress-nginx in the cluster (it creates IngressClass nginx), then run the preflight again."
                    : $"Set ingress-class of {component} to a class the cluster has ({known}), or install ingress-nginx with class {name}.");
        }

        var others = wanted.Select(w => classes.First(c => c.Metadata.Name == w.Class))
            .Where(c => c.Spec?.Controller != NginxController).ToList();
        if (others.Count > 0)
        {
            var other = others[0];
            return Check("ingress-class", PreflightOutcome.Warn,
                $"IngressClass {other.Metadata.Name} exists but belongs to controller {other.Spec?.Controller}, not ingress-nginx, so the nginx settings of the routes (timeouts, body size, source ranges) would be ignored.",
                $"Use an ingress-nginx class ({string.Join(", ", classes.Where(c => c.Spec?.Controller == NginxController).Select(c => c.Metadata.Name).DefaultIfEmpty("none in this cluster"))}), or accept that those settings do not apply.");
        }

        var names = string.Join(", ", wanted.Select(w => w.Class).Distinct(StringComparer.Ordinal));
        return Check("ingress-class", PreflightOutcome.Pass, $"IngressClass {names} exists and is served by ingress-nginx.");
    }

    private static async Task<PreflightCheck> StorageClassAsync(IReadOnlyList<RenderedObject> objects, IClusterGateway cluster, CancellationToken ct)
    {
        var claims = Claims(objects).ToList();
        if (claims.Count == 0)
        {
            return Check("storage-class", PreflightOutcome.Pass, "The stack creates no volumes, so it needs no storage class.");
        }

        var classes = (await cluster.QueryAsync("list StorageClasses", (k, token) => k.StorageV1.ListStorageClassAsync(cancellationToken: token), ct)
            .ConfigureAwait(false)).Items;
        var defaultClass = classes.FirstOrDefault(c => c.Metadata.Annotations is { } a
            && (Value(a, DefaultClassAnnotation) == "true" || Value(a, BetaDefaultClassAnnotation) == "true"));
        var problems = new List<string>();
        var waiting = new List<string>();
        var used = new List<string>();
        foreach (var group in claims.GroupBy(c => c.StorageClass ?? ""))
        {
            var who = string.Join(", ", group.Select(c => c.Description));
            var storageClass = group.Key.Length == 0 ? defaultClass : classes.FirstOrDefault(c => c.Metadata.Name == group.Key);
            if (storageClass is null)
            {
                problems.Add(group.Key.Length == 0
                    ? $"no StorageClass is marked default, so {who} would stay Pending"
                    : $"StorageClass {group.Key} of {who} does not exist");
                continue;
            }

            var mode = storageClass.VolumeBindingMode ?? "Immediate";
            var described = $"{storageClass.Metadata.Name}{(group.Key.Length == 0 ? " (the default)" : "")}, binding mode {mode}, for {who}";
            used.Add(described);
            if (mode == "WaitForFirstConsumer")
            {
                waiting.Add(described);
            }
        }

        if (problems.Count > 0)
        {
            return Check("storage-class", PreflightOutcome.Fail, $"The stack's volumes cannot be provisioned: {string.Join("; ", problems)}.",
                $"Mark a StorageClass as the default (annotation {DefaultClassAnnotation}: \"true\"); the cluster has {(classes.Count == 0 ? "none" : string.Join(", ", classes.Select(c => c.Metadata.Name)))}.");
        }

        return waiting.Count > 0
            ? Check("storage-class", PreflightOutcome.Warn,
                $"StorageClass {string.Join("; ", waiting)}: volumes bind only when their pod is scheduled, so claims read Pending until then.",
                "Nothing to do unless a claim stays Pending after its pod is scheduled; then look at the provisioner of that class.")
            : Check("storage-class", PreflightOutcome.Pass, $"StorageClass {string.Join("; ", used)}: volumes are provisioned as soon as they are claimed.");
    }

    private static async Task<PreflightCheck> QuotaAsync(NewStack stack, IReadOnlyList<RenderedObject> objects, IClusterGateway cluster, CancellationToken ct)
    {
        var ns = stack.Spec.Namespace;
        if (await cluster.ReadAsync<V1Namespace>("v1", "Namespace", null, ns, ct).ConfigureAwait(false) is null)
        {
            return Check("quota", PreflightOutcome.Pass, $"Namespace {ns} does not exist yet, so no ResourceQuota limits it.");
        }

        var quotas = (await cluster.QueryAsync($"list ResourceQuotas in {ns}", (k, token) => k.CoreV1.ListNamespacedResourceQuotaAsync(ns, cancellationToken: token), ct)
            .ConfigureAwait(false)).Items;
        if (quotas.Count == 0)
        {
            return Check("quota", PreflightOutcome.Pass, $"No ResourceQuota limits namespace {ns}.");
        }

        var demand = Demand(objects);
        var shortfalls = new List<string>();
        foreach (var quota in quotas)
        {
            var hard = quota.Status?.Hard ?? quota.Spec?.Hard ?? new Dictionary<string, ResourceQuantity>();
            var used = quota.Status?.Used ?? new Dictionary<string, ResourceQuantity>();
            foreach (var (resource, limit) in hard)
            {
                if (!demand.TryGetValue(resource, out var needed) || needed == 0)
                {
                    continue;
                }

                var left = limit.ToDecimal() - (used.TryGetValue(resource, out var u) ? u.ToDecimal() : 0);
                if (needed > left)
                {
                    shortfalls.Add($"{resource} needs {Amount(resource, needed)} but only {Amount(resource, Math.Max(left, 0))} of {Amount(resource, limit.ToDecimal())} is left in ResourceQuota {quota.Metadata.Name}");
                }
            }
        }

        var names = string.Join(", ", quotas.Select(q => q.Metadata.Name));
        return shortfalls.Count > 0
            ? Check("quota", PreflightOutcome.Fail, $"The stack does not fit in the quota of namespace {ns}: {string.Join("; ", shortfalls)}.",
                $"Ask the cluster's administrators to raise ResourceQuota {names} in namespace {ns}, or choose a namespace with room.")
            : Check("quota", PreflightOutcome.Pass,
                $"The stack's requests (cpu {Amount("requests.cpu", demand["requests.cpu"])}, memory {Amount("requests.memory", demand["requests.memory"])}, {demand["pods"]} pods) fit in ResourceQuota {names}.");
    }

    private async Task<PreflightCheck> DatabaseAdminAsync(NewStack stack, CancellationToken ct)
    {
        var servers = stack.Spec.Components.Where(c => c.Kind == PostgresqlKind.Name).ToList();
        if (servers.Count == 0)
        {
            return Check("database-admin", PreflightOutcome.Pass, "The stack has no PostgreSQL component, so there is no admin login to check.");
        }

        var component = servers[0];
        var kind = catalog.Get(component.Kind);
        if (component.Get(kind, "mode") != PostgresqlKind.External)
        {
            return Check("database-admin", PreflightOutcome.Pass,
                $"PostgreSQL {component.Name} runs in the cluster with a superuser the portal generates, so there is no admin login to check.");
        }

        // The effective options of the spec as typed: the admin password is only in the draft, never in the stored spec.
        var login = PostgresAdminLogin.FromOptions(component.Effective(kind));
        if (!login.IsSuccess)
        {
            return Check("database-admin", PreflightOutcome.Fail,
                $"The options of {component.Name} do not describe a server to log in to: {string.Join("; ", login.Errors)}.",
                $"Fix those options of {component.Name}.");
        }

        var check = await databases.TestAdminLoginAsync(login.Value, ct).ConfigureAwait(false);
        if (check.IsReady)
        {
            return Check("database-admin", PreflightOutcome.Pass, $"The portal logged in: {check.Message}.");
        }

        var remedy = check.Failure switch
        {
            DatabaseFailure.InsufficientPrivilege => $"Grant the role what it lacks (the detail has the statement), or give {component.Name} an admin role that has CREATEDB and CREATEROLE.",
            DatabaseFailure.AuthenticationFailed => $"Check admin-username and admin-password of {component.Name}, and that pg_hba.conf lets the role in from where the portal runs.",
            DatabaseFailure.Ssl => $"Check sslmode and ca-certificate of {component.Name} against what the server offers.",
            DatabaseFailure.Unreachable or DatabaseFailure.Timeout => $"Check host and port of {component.Name}, and that the server accepts connections from where the portal runs (firewall, security group).",
            _ => $"Check the options of {component.Name} and the server's log.",
        };
        return Check("database-admin", PreflightOutcome.Fail, $"{Sentence(check.Message)}", remedy);
    }

    private static async Task<PreflightCheck> AcmeDirectoryAsync(NewStack stack, CancellationToken ct)
    {
        var lego = stack.Spec.Components.FirstOrDefault(c => c.Kind == LegoKind.Name);
        if (lego is null)
        {
            return Check("acme-directory", PreflightOutcome.Pass, "The stack has no lego component, so it uses no ACME server.");
        }

        var options = lego.Effective(LegoKind.Create());
        if (options.GetValueOrDefault("issuer") == LegoKind.InternalCaIssuer)
        {
            return Check("acme-directory", PreflightOutcome.Pass, $"{lego.Name} issues from the stack's internal CA: no ACME server needed.");
        }

        var server = options.GetValueOrDefault("server") ?? LegoKind.LetsEncryptProduction;
        var extraCas = options.GetValueOrDefault("acme-ca-certificates") ?? "";
        var trust = new X509Certificate2Collection();
        try
        {
            if (extraCas.Length > 0)
            {
                trust.ImportFromPem(extraCas);
            }

            return await GetDirectoryAsync(server, trust, ct).ConfigureAwait(false);
        }
        finally
        {
            foreach (var certificate in trust)
            {
                certificate.Dispose();
            }
        }
    }

    private static async Task<PreflightCheck> GetDirectoryAsync(string server, X509Certificate2Collection trust, CancellationToken ct)
    {
        const string Remedy = "Check the server option of lego and the portal's outbound access (proxy, firewall, DNS). The cluster may still reach it, "
            + "but the portal requests the certificates itself, so they wait until it can.";

        using var handler = new SocketsHttpHandler { ConnectTimeout = AcmeTimeout };
        if (trust.Count > 0)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, certificate, _, errors) => Trusted(certificate, errors, trust) };
        }

        using var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(AcmeTimeout);
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync(new Uri(server), timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return Check("acme-directory", PreflightOutcome.Warn,
                    $"The ACME directory {server} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}, not a directory.", Remedy);
            }

            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false));
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("newNonce", out _)
                   && document.RootElement.TryGetProperty("newAccount", out _)
                ? Check("acme-directory", PreflightOutcome.Pass, $"The ACME directory {server} answered the portal in {watch.ElapsedMilliseconds} ms.")
                : Check("acme-directory", PreflightOutcome.Warn, $"{server} answered, but not with an ACME directory (no newNonce and newAccount).",
                    "Set the server option of lego to the directory URL of the ACME server (it usually ends in /directory).");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            var reason = e is OperationCanceledException ? $"no answer within {AcmeTimeout.TotalSeconds:0} seconds" : e.Message;
            return Check("acme-directory", PreflightOutcome.Warn, $"The ACME directory {server} is not reachable from the portal ({reason}).", Remedy);
        }
    }

    private static async Task<PreflightCheck> HostnamesAsync(NewStack stack, IReadOnlyList<RenderedObject> objects, IClusterGateway cluster, CancellationToken ct)
    {
        var hosts = objects.Select(o => o.Object).OfType<V1Ingress>().SelectMany(i => i.Spec?.Rules ?? []).Select(r => r.Host)
            .OfType<string>().Where(h => h.Length > 0).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (hosts.Count == 0)
        {
            return Check("hostnames", PreflightOutcome.Pass, "The stack publishes no hostname.");
        }

        var ingresses = (await cluster.QueryAsync("list Ingresses of every namespace", (k, token) => k.NetworkingV1.ListIngressForAllNamespacesAsync(cancellationToken: token), ct)
            .ConfigureAwait(false)).Items;
        var spec = stack.Spec;
        var taken = ingresses
            .Where(i => !(i.Metadata.NamespaceProperty == spec.Namespace && Value(i.Metadata.Labels, PortalLabels.Stack) == spec.Name))
            .SelectMany(i => (i.Spec?.Rules ?? []).Where(r => r.Host is { } h && hosts.Contains(h))
                .Select(r => $"{r.Host} is already routed by Ingress {i.Metadata.Name} in namespace {i.Metadata.NamespaceProperty}"))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var list = string.Join(", ", hosts.Order(StringComparer.Ordinal));
        return taken.Count > 0
            ? Check("hostnames", PreflightOutcome.Fail, $"{string.Join("; ", taken)}.",
                "Choose other hostnames for the stack, or remove the other Ingress: the ingress controller would send each host to only one of them.")
            : Check("hostnames", PreflightOutcome.Pass, $"No other Ingress in the cluster routes {list}.");
    }

    /// <summary>Every volume the stack claims: its StatefulSets' claim templates and its own claims.</summary>
    private static IEnumerable<(string Description, string? StorageClass)> Claims(IReadOnlyList<RenderedObject> objects)
    {
        foreach (var obj in objects.Select(o => o.Object))
        {
            if (obj is V1StatefulSet set)
            {
                foreach (var template in set.Spec?.VolumeClaimTemplates ?? [])
                {
                    yield return ($"volume {template.Metadata.Name} of StatefulSet {set.Metadata.Name}", template.Spec?.StorageClassName);
                }
            }
            else if (obj is V1PersistentVolumeClaim claim)
            {
                yield return ($"claim {claim.Metadata.Name}", claim.Spec?.StorageClassName);
            }
        }
    }

    /// <summary>What the stack's objects add to a namespace, keyed as ResourceQuota keys its resources.</summary>
    private static Dictionary<string, decimal> Demand(IReadOnlyList<RenderedObject> objects)
    {
        var demand = new Dictionary<string, decimal>(StringComparer.Ordinal);
        void Add(string key, decimal amount) => demand[key] = demand.GetValueOrDefault(key) + amount;
        foreach (var obj in objects.Select(o => o.Object))
        {
            var (template, pods) = obj switch
            {
                V1Deployment d => (d.Spec?.Template, d.Spec?.Replicas ?? 1),
                V1StatefulSet s => (s.Spec?.Template, s.Spec?.Replicas ?? 1),
                V1Job j => (j.Spec?.Template, j.Spec?.Parallelism ?? 1),
                _ => ((V1PodTemplateSpec?)null, 0),
            };
            if (template?.Spec is { } pod)
            {
                Add("pods", pods);
                Add("requests.cpu", pods * PodAmount(pod, "requests", "cpu"));
                Add("requests.memory", pods * PodAmount(pod, "requests", "memory"));
                Add("limits.cpu", pods * PodAmount(pod, "limits", "cpu"));
                Add("limits.memory", pods * PodAmount(pod, "limits", "memory"));
            }

            if (obj is V1StatefulSet set)
            {
                foreach (var claim in set.Spec?.VolumeClaimTemplates ?? [])
                {
                    Add("persistentvolumeclaims", pods);
                    Add("requests.storage", pods * Storage(claim.Spec));
                }
            }
            else if (obj is V1PersistentVolumeClaim claim)
            {
                Add("persistentvolumeclaims", 1);
                Add("requests.storage", Storage(claim.Spec));
            }

            var counted = KubeResources.Of(obj);
            var group = counted.ApiVersion.Contains('/', StringComparison.Ordinal) ? "." + counted.ApiVersion.Split('/')[0] : "";
            var plural = counted.Kind.ToLowerInvariant() + (counted.Kind.EndsWith('s') ? "es" : "s");
            Add($"count/{plural}{group}", 1);
        }

        foreach (var (alias, key) in new[] { ("cpu", "requests.cpu"), ("memory", "requests.memory"), ("count/pods", "pods") })
        {
            demand[alias] = demand.GetValueOrDefault(key);
        }

        foreach (var plural in new[] { "services", "configmaps", "secrets" })
        {
            demand[plural] = demand.GetValueOrDefault($"count/{plural}");
        }

        demand.TryAdd("pods", 0);
        demand.TryAdd("requests.cpu", 0);
        demand.TryAdd("requests.memory", 0);
        return demand;
    }

    private static decimal Storage(V1PersistentVolumeClaimSpec? spec) =>
        spec?.Resources?.Requests?.TryGetValue("storage", out var size) == true ? size.ToDecimal() : 0;

    /// <summary>A pod's effective request or limit of one resource: its containers' sum, or an init container's if larger.</summary>
    private static decimal PodAmount(V1PodSpec pod, string kind, string resource)
    {
        static decimal Of(V1Container container, string kind, string resource)
        {
            var amounts = kind == "requests" ? container.Resources?.Requests : container.Resources?.Limits;
            return amounts?.TryGetValue(resource, out var amount) == true ? amount.ToDecimal() : 0;
        }

        var containers = pod.Containers?.Sum(c => Of(c, kind, resource)) ?? 0;
        var init = pod.InitContainers?.Select(c => Of(c, kind, resource)).DefaultIfEmpty(0).Max() ?? 0;
        return Math.Max(containers, init);
    }

    /// <summary>An amount as an operator reads it: cores, binary bytes, or a count.</summary>
    private static string Amount(string resource, decimal value)
    {
        if (resource.EndsWith("cpu", StringComparison.Ordinal))
        {
            return value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        }

        if (resource.EndsWith("memory", StringComparison.Ordinal) || resource.EndsWith("storage", StringComparison.Ordinal))
        {
            const decimal Gi = 1024m * 1024 * 1024;
            const decimal Mi = 1024m * 1024;
            return value >= Gi
                ? (value / Gi).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "Gi"
                : (value / Mi).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "Mi";
        }

        return value.ToString("0", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string? Value(IDictionary<string, string>? values, string key) =>
        values is not null && values.TryGetValue(key, out var value) ? value : null;

    private static string Some(List<string> items) =>
        items.Count <= 5 ? string.Join(", ", items) : $"{string.Join(", ", items.Take(5))} and {items.Count - 5} more";

    private static string Sentence(string text) =>
        text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..] + (text.EndsWith('.') ? "" : ".");

    private static bool Trusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection trust)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        // A private ACME server: its chain must end in one of the CAs given in acme-ca-certificates.
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
