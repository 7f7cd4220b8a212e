using System.Globalization;
using System.Text;
using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Domain.Catalog;
using Portal.Domain.Certificates;
using Portal.Domain.Common;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Domain.Values;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Rendering;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Stacks;
using Portal.Provisioning.Steps;

namespace Portal.Provisioning.Certificates;

/// <summary>The certificates of the stacks, read from their clusters, and the operations that change them (rotate, roll back,
/// upload), started like every stack change: validated, audited, one at a time per stack.</summary>
/// <remarks>Lanes come from the stack's applied spec (its routes and certificates relations) and the TLS Secrets in its namespace;
/// what is served comes from a TLS handshake through <see cref="IServedCertificateProbe"/>, never from a guess.</remarks>
internal sealed partial class CertificateService(
    PortalDatabase database,
    ClusterRegistry clusters,
    ComponentCatalog catalog,
    CertificateIssuers issuers,
    IServedCertificateProbe probe,
    IStepScheduler scheduler,
    TimeProvider time,
    ILogger<CertificateService> logger) : ICertificateService
{
    /// <summary>The actor of rotations the renewal job starts.</summary>
    public const string AutoRenewActor = "auto-renew";

    private readonly OperationStarter _starter = new(database, scheduler, time, logger);
    private readonly IServedCertificateProbe _probe = probe;

    public async Task<ServiceResult<StackCertificates>> ListAsync(string stack, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var record = await context.Stacks.AsNoTracking().FirstOrDefaultAsync(s => s.Name == stack, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return ServiceResult<StackCertificates>.NotFound(NoStack(stack));
        }

        var spec = record.Applied ?? record.Spec;
        try
        {
            var cluster = clusters.Gateway(record.Cluster);
            var lanes = new List<CertificateLane>();
            foreach (var host in issuers.HostsOf(spec))
            {
                lanes.Add(await LaneAsync(cluster, spec, host, cancellationToken).ConfigureAwait(false));
            }

            var provider = issuers.HostsOf(spec).Select(h => h.Provider).FirstOrDefault(p => p is not null);
            return ServiceResult<StackCertificates>.Ok(new StackCertificates(record.Name, record.Cluster, record.Namespace, PolicyText(spec, provider), lanes));
        }
        catch (ClusterException e)
        {
            return ServiceResult<StackCertificates>.Unavailable($"The certificates of stack {stack} could not be read: {e.Message}");
        }
    }

    public async Task<IReadOnlyList<StackCertificateExpiries>> ExpiriesAsync(CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var stacks = await context.Stacks.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<StackCertificateExpiries>();
        foreach (var record in stacks.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var spec = record.Applied ?? record.Spec;
            try
            {
                var cluster = clusters.Gateway(record.Cluster);
                var expiries = new List<CertificateExpiry>();
                foreach (var host in issuers.HostsOf(spec))
                {
                    var facts = await FactsAsync(cluster, spec, host, cancellationToken).ConfigureAwait(false);
                    if (facts.Live is { } live)
                    {
                        expiries.Add(new CertificateExpiry(host.Host, facts.Source, live.NotBefore, live.NotAfter, live.Band, facts.NextRenewal));
                    }
                }

                result.Add(new StackCertificateExpiries(record.Name, record.Cluster, expiries, null));
            }
            catch (ClusterException e)
            {
                result.Add(new StackCertificateExpiries(record.Name, record.Cluster, [], $"Cluster {record.Cluster} did not answer: {e.Message}"));
            }
        }

        return result;
    }

    public async Task<ServiceResult<StackChange>> RotateAsync(string stack, string host, string? reason, string actor, CancellationToken cancellationToken)
    {
        const string Action = "rotate-certificate";
        return await _starter.StartWithRetriesAsync(Request(actor, Action, stack, host, reason), async context =>
        {
            var (record, lane, refusal) = await PrepareAsync(context, stack, host, reason, Action, actor, new ErrorList(), cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            host = lane!.Host;

            var spec = record!.Applied!;
            var facts = await TryFactsAsync(spec, record.Cluster, lane!, cancellationToken).ConfigureAwait(false);
            if (facts.Problem is { } unavailable)
            {
                return await RefuseAsync(ServiceResult<StackChange>.Unavailable(unavailable), actor, Action, stack, host, reason, cancellationToken).ConfigureAwait(false);
            }

            if (facts.Facts!.Source == CertificateSource.Manual)
            {
                return await RefuseAsync(ServiceResult<StackChange>.Invalid(
                    "host", $"The certificate of {host} was uploaded by an operator, so the portal cannot issue a new one: upload a new certificate instead."),
                    actor, Action, stack, host, reason, cancellationToken).ConfigureAwait(false);
            }

            var plan = CertificatePlans.Rotate(spec.Name, spec.Namespace, host, issuers.Describe(spec, lane!.Provider!));
            return await StartAsync(context, record, OperationKind.RotateCertificate, plan, Action, actor, host, reason, $"rotate {host} (revision {facts.Facts.Revision})", null, cancellationToken)
                .ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ServiceResult<StackChange>> RollbackAsync(
        string stack, string host, int? revision, string? reason, string actor, CancellationToken cancellationToken)
    {
        const string Action = "rollback-certificate";
        return await _starter.StartWithRetriesAsync(Request(actor, Action, stack, host, reason), async context =>
        {
            var (record, lane, refusal) = await PrepareAsync(context, stack, host, reason, Action, actor, new ErrorList(), cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            host = lane!.Host;

            var spec = record!.Applied!;
            IReadOnlyList<V1Secret> kept;
            V1Secret? live;
            try
            {
                var cluster = clusters.Gateway(record.Cluster);
                kept = await TlsSecretRevisions.KeptAsync(cluster, spec.Namespace, lane!.SecretName, cancellationToken).ConfigureAwait(false);
                live = await TlsSecretRevisions.ReadAsync(cluster, spec.Namespace, lane.SecretName, cancellationToken).ConfigureAwait(false);
            }
            catch (ClusterException e)
            {
                return await RefuseAsync(ServiceResult<StackChange>.Unavailable($"The certificate of {host} could not be read: {e.Message}"), actor, Action, stack, host, reason, cancellationToken)
                    .ConfigureAwait(false);
            }

            var revisions = kept.Select(ManagedSecrets.RevisionOf).ToList();
            var chosen = revision ?? (revisions.Count > 0 ? revisions[0] : (int?)null);
            string? problem = chosen is null
                ? $"There is no earlier revision of the certificate of {host} to roll back to."
                : !revisions.Contains(chosen.Value)
                    ? $"Revision {chosen} of the certificate of {host} is not kept; the kept revisions are {string.Join(", ", revisions)}{(live is null ? "" : $" (revision {ManagedSecrets.RevisionOf(live)} is live)")}."
                    : null;
            if (problem is not null)
            {
                return await RefuseAsync(ServiceResult<StackChange>.Invalid("revision", problem), actor, Action, stack, host, reason, cancellationToken).ConfigureAwait(false);
            }

            var plan = CertificatePlans.Rollback(spec.Name, spec.Namespace, host, chosen!.Value);
            var from = live is null ? "" : $" from revision {ManagedSecrets.RevisionOf(live)}";
            return await StartAsync(context, record, OperationKind.RollbackCertificate, plan, Action, actor, host, reason, $"roll back {host}{from} to revision {chosen}", null, cancellationToken)
                .ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ServiceResult<StackChange>> UploadAsync(string stack, string host, ManualCertificateUpload upload, string actor, CancellationToken cancellationToken)
    {
        const string Action = "upload-certificate";
        ArgumentNullException.ThrowIfNull(upload);
        var validated = ManualCertificateValidator.Validate(upload.Certificate, upload.Key, upload.Chain, host, time.GetUtcNow());

        // The uploaded Secret is named after this operation's id: an attempt that runs again writes the same one.
        var id = Guid.NewGuid();
        (IClusterGateway Cluster, string Namespace, string Name)? uploaded = null;
        var started = await _starter.StartWithRetriesAsync(Request(actor, Action, stack, host, upload.Reason), async context =>
        {
            var errors = new ErrorList();
            if (!validated.IsSuccess)
            {
                errors.AddRange(validated.Errors.Select(e => e.Path == "hostname" ? e with { Path = "host" } : e));
            }

            var (record, lane, refusal) = await PrepareAsync(context, stack, host, upload.Reason, Action, actor, errors, cancellationToken).ConfigureAwait(false);
            if (refusal is not null)
            {
                return refusal;
            }

            host = lane!.Host;

            // The key goes to the cluster, never to the portal's database or the job: the install step promotes this Secret.
            var certificate = validated.Value;
            var spec = record!.Applied!;
            var uploadName = TlsSecretRevisions.UploadSecretName(host, id);
            try
            {
                var cluster = clusters.Gateway(record.Cluster);
                await cluster.CreateSecretIfAbsentAsync(UploadSecret(spec, lane!, uploadName, certificate.CertificateChainPem, certificate.PrivateKeyPem), cancellationToken)
                    .ConfigureAwait(false);
                uploaded = (cluster, spec.Namespace, uploadName);
            }
            catch (ClusterException e)
            {
                return await RefuseAsync(
                    ServiceResult<StackChange>.Unavailable($"The uploaded certificate could not be stored in cluster {record.Cluster}, so nothing changed: {e.Message}"),
                    actor, Action, stack, host, upload.Reason, cancellationToken).ConfigureAwait(false);
            }

            var leaf = certificate.Leaf;
            var plan = CertificatePlans.Upload(spec.Name, spec.Namespace, host, $"{leaf.Subject}, valid until {leaf.NotAfter.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
            return await StartAsync(
                context, record, OperationKind.UploadCertificate, plan, Action, actor, host, upload.Reason,
                $"upload for {host}: {leaf.Subject}, SHA-256 {leaf.Sha256Fingerprint}", id, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        // Nothing started: no step will promote the uploaded Secret (named after this request alone).
        if (!started.IsSuccess && uploaded is var (cluster, @namespace, name))
        {
            await cluster.DeleteAsync("v1", "Secret", @namespace, name, cancellationToken).ConfigureAwait(false);
        }

        return started;
    }

    /// <summary>Starts a rotation for every ACME or internal-CA certificate whose renewal is due, on stacks with no operation
    /// running (one per stack per run: the next run takes the next hostname). Returns the started rotations as <c>stack/host</c>.</summary>
    public async Task<IReadOnlyList<string>> RenewDueAsync(CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var stacks = await context.Stacks.AsNoTracking().Where(s => s.ActiveOperationId == null && s.Applied != null)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var started = new List<string>();
        foreach (var record in stacks.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            try
            {
                var cluster = clusters.Gateway(record.Cluster);
                foreach (var host in issuers.HostsOf(record.Applied!).Where(h => h.Provider is not null))
                {
                    var facts = await FactsAsync(cluster, record.Applied!, host, cancellationToken).ConfigureAwait(false);
                    if (facts.NextRenewal is not { } due || due > now || facts.Live is not { } live)
                    {
                        continue;
                    }

                    var reason = $"renewal due since {due.UtcDateTime:yyyy-MM-dd HH:mm} UTC ({live.ExpiresText})";
                    var result = await RotateAsync(record.Name, host.Host, reason, AutoRenewActor, cancellationToken).ConfigureAwait(false);
                    if (result.IsSuccess)
                    {
                        started.Add($"{record.Name}/{host.Host}");
                        Log.RenewalStarted(logger, record.Name, host.Host, result.Value.OperationId);
                    }
                    else
                    {
                        Log.RenewalRefused(logger, record.Name, host.Host, result.Message);
                    }

                    break;
                }
            }
            catch (ClusterException e)
            {
                Log.ClusterUnavailable(logger, record.Name, e.Message);
            }
        }

        return started;
    }

    // The checks shared by rotate, roll back and upload: reason, host (every problem at once with the caller's), stack deployed
    // and free. A refusal is audited.
    private async Task<(StackRecord? Record, CertificateHost? Host, ServiceResult<StackChange>? Refusal)> PrepareAsync(
        PortalDbContext context, string stack, string host, string? reason, string action, string actor, ErrorList errors, CancellationToken cancellationToken)
    {
        var record = await context.Stacks.FirstOrDefaultAsync(s => s.Name == stack, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return (null, null, ServiceResult<StackChange>.NotFound(NoStack(stack)));
        }

        ReasonText.Check(reason, errors, "Say why: a reason is required for a certificate change and goes into the audit log.");

        var hosts = record.Applied is null ? [] : issuers.HostsOf(record.Applied);
        var lane = hosts.FirstOrDefault(h => string.Equals(h.Host, host, StringComparison.OrdinalIgnoreCase));
        if (lane is null)
        {
            errors.Add("host", hosts.Count == 0
                ? $"Stack {stack} serves no hostname with TLS{(record.Applied is null ? " (it has not been deployed yet)" : "")}."
                : $"{host} is not a hostname stack {stack} serves with TLS; it serves {string.Join(", ", hosts.Select(h => h.Host))}.");
        }
        else if (lane.ExternalSecret is { } named)
        {
            errors.Add("host", $"{host} is served with Secret {named}, which the ingress names itself (tls-secret-name): the portal does not write it; replace the certificate in that Secret, or clear tls-secret-name to let the portal manage it.");
        }

        if (errors.Count > 0)
        {
            var invalid = await RefuseAsync(ServiceResult<StackChange>.Invalid(errors.ToList()), actor, action, stack, host, reason, cancellationToken).ConfigureAwait(false);
            return (null, null, invalid);
        }

        if (await OperationStarter.BusyMessageAsync(context, record, cancellationToken).ConfigureAwait(false) is { } busy)
        {
            return (null, null, await RefuseAsync(ServiceResult<StackChange>.Conflict(busy), actor, action, stack, host, reason, cancellationToken).ConfigureAwait(false));
        }

        return (record, lane, null);
    }

    private async Task<ServiceResult<StackChange>> StartAsync(
        PortalDbContext context, StackRecord record, OperationKind kind, Plan plan, string action, string actor, string host, string? reason, string diff, Guid? id,
        CancellationToken cancellationToken)
    {
        var operation = await _starter.StartAsync(
            context, record, kind, plan, record.Applied!, actor, action, ReasonText.Normalize(reason), diff, cancellationToken, id, Target(record.Name, host)).ConfigureAwait(false);
        var view = StackViews.View(record, catalog, new Dictionary<Guid, OperationSummary> { [operation.Id] = StackViews.Summary(operation) });
        return ServiceResult<StackChange>.Ok(new StackChange(view, operation.Id, plan.Summary));
    }

    private static StartRequest Request(string actor, string action, string stack, string host, string? reason) =>
        new(actor, action, stack, reason, AuditTarget: Target(stack, host));

    private Task<ServiceResult<StackChange>> RefuseAsync(
        ServiceResult<StackChange> refusal, string actor, string action, string stack, string host, string? reason, CancellationToken cancellationToken) =>
        _starter.RefuseAsync(refusal, actor, action, stack, reason, cancellationToken, auditTarget: Target(stack, host));

    private async Task<(LaneFacts? Facts, string? Problem)> TryFactsAsync(StackSpec spec, string clusterName, CertificateHost host, CancellationToken cancellationToken)
    {
        try
        {
            return (await FactsAsync(clusters.Gateway(clusterName), spec, host, cancellationToken).ConfigureAwait(false), null);
        }
        catch (ClusterException e)
        {
            return (null, $"The certificate of {host.Host} could not be read: {e.Message}");
        }
    }

    private async Task<CertificateLane> LaneAsync(IClusterGateway cluster, StackSpec spec, CertificateHost host, CancellationToken cancellationToken)
    {
        var facts = await FactsAsync(cluster, spec, host, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var previous = (await TlsSecretRevisions.KeptAsync(cluster, spec.Namespace, host.SecretName, cancellationToken).ConfigureAwait(false))
            .Select(s => new CertificateRevision(
                ManagedSecrets.RevisionOf(s), s.Metadata.Name, CertificateReader.Details(ManagedSecrets.Value(s, TlsSecretRevisions.CertificateKey), now),
                TlsSecretRevisions.Time(s, TlsSecretRevisions.ReplacedAtAnnotation)))
            .ToList();
        var ingresses = await VerifyCertificateHandler.IngressesAsync(cluster, spec, host, cancellationToken).ConfigureAwait(false);
        var served = await ServedAsync(ingresses, host, facts.Live, cancellationToken).ConfigureAwait(false);
        return new CertificateLane(
            host.Host, host.Ingress, ingresses.Select(i => i.Metadata.Name).ToList(), host.SecretName, facts.Source, facts.Live, facts.Problem, facts.Revision, previous,
            facts.NextRenewal, facts.LastAttempt, served);
    }

    private async Task<ServedCertificate> ServedAsync(IReadOnlyList<V1Ingress> ingresses, CertificateHost host, CertificateDetails? live, CancellationToken cancellationToken)
    {
        if (ingresses.Count == 0)
        {
            return new ServedCertificate(ServedState.NoAddress, null, null, null, $"no Ingress serves Secret {host.SecretName} for {host.Host} yet");
        }

        return await _probe.ProbeAsync(ingresses[0], host.Host, live?.Sha256Fingerprint, cancellationToken).ConfigureAwait(false);
    }

    // What the live TLS Secret says: the certificate, its source, revision, last attempt and next renewal.
    private async Task<LaneFacts> FactsAsync(IClusterGateway cluster, StackSpec spec, CertificateHost host, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var secret = await TlsSecretRevisions.ReadAsync(cluster, spec.Namespace, host.SecretName, cancellationToken).ConfigureAwait(false);
        var source = host.ExternalSecret is not null ? CertificateSource.External
            : secret is not null && TlsSecretRevisions.SourceOf(secret) == CertificateSource.Manual ? CertificateSource.Manual
            : issuers.SourceOf(spec, host.Provider!);
        var pem = secret is null ? null : ManagedSecrets.Value(secret, TlsSecretRevisions.CertificateKey);
        var live = CertificateReader.Details(pem, now);
        var problem = secret is null ? $"Secret {host.SecretName} does not exist yet."
            : live is null ? $"Secret {host.SecretName} holds no readable certificate."
            : !CertificateReader.Covers(pem!, host.Host) ? $"The certificate in Secret {host.SecretName} does not cover {host.Host}."
            : null;

        RenewalAttempt? attempt = null;
        var failures = secret is null ? 0 : TlsSecretRevisions.FailuresOf(secret);
        if (secret is not null && TlsSecretRevisions.Time(secret, TlsSecretRevisions.AttemptAtAnnotation) is { } at)
        {
            attempt = new RenewalAttempt(at, failures == 0, failures == 0 ? null : TlsSecretRevisions.Annotation(secret, TlsSecretRevisions.ErrorAnnotation), failures);
        }

        DateTimeOffset? next = null;
        if (live is not null && source is CertificateSource.Acme or CertificateSource.InternalCa)
        {
            next = Policy(spec, host.Provider).NextRenewal(live.NotBefore, live.NotAfter, failures, failures > 0 ? attempt?.At : null);
        }

        return new LaneFacts(source, live, problem, secret is null ? 0 : ManagedSecrets.RevisionOf(secret), attempt, next);
    }

    /// <summary>The renewal policy of a lego component: <c>renew-at-lifetime-percent</c> and <c>maintenance-window</c>; a missing
    /// or unusable option counts as the default.</summary>
    private RenewalPolicy Policy(StackSpec spec, string? provider)
    {
        if (provider is null)
        {
            return RenewalPolicy.Default;
        }

        var percent = int.TryParse(issuers.Option(spec, provider, CertificateIssuers.RenewAtOption), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 67;
        var window = issuers.Option(spec, provider, CertificateIssuers.MaintenanceWindowOption);
        var policy = RenewalPolicy.Create(percent / 100.0, window);
        return policy.IsSuccess ? policy.Value : RenewalPolicy.Create(percent / 100.0, null) is { IsSuccess: true } fraction ? fraction.Value : RenewalPolicy.Default;
    }

    private string PolicyText(StackSpec spec, string? provider)
    {
        var policy = Policy(spec, provider);
        var percent = Math.Round(policy.Fraction * 100).ToString(CultureInfo.InvariantCulture);
        return policy.Window is { } window
            ? $"renews at {percent} % of the lifetime, inside {window}"
            : $"renews at {percent} % of the lifetime, at any time of day";
    }

    private static V1Secret UploadSecret(StackSpec spec, CertificateHost host, string name, string certificate, string key) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Type = "Opaque",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = spec.Namespace,
            Labels = new Dictionary<string, string>(StackRenderer.Labels(spec, host.Ingress), StringComparer.Ordinal),
        },
        Data = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [TlsSecretRevisions.CertificateKey] = Encoding.UTF8.GetBytes(certificate),
            [TlsSecretRevisions.KeyKey] = Encoding.UTF8.GetBytes(key),
        },
    };

    private static string Target(string stack, string host) => $"{stack}/{host}";

    private static string NoStack(string name) => $"There is no stack named {name}.";

    private sealed record LaneFacts(
        CertificateSource Source, CertificateDetails? Live, string? Problem, int Revision, RenewalAttempt? LastAttempt, DateTimeOffset? NextRenewal);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Auto-renew started a rotation of {Host} on stack {Stack} as operation {OperationId}")]
        public static partial void RenewalStarted(ILogger logger, string stack, string host, Guid? operationId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Auto-renew could not start a rotation of {Host} on stack {Stack}: {Reason}")]
        public static partial void RenewalRefused(ILogger logger, string stack, string host, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Auto-renew skipped stack {Stack}: its cluster did not answer ({Reason})")]
        public static partial void ClusterUnavailable(ILogger logger, string stack, string reason);
    }
}
