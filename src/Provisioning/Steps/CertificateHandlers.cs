using k8s.Models;
using Portal.Domain.Plans;
using Portal.Domain.Stacks;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Operations;
using Portal.Provisioning.Rendering;

namespace Portal.Provisioning.Steps;

/// <summary>What the certificate steps share: the hostname of the step, its cluster, and the labels of its TLS Secret.</summary>
internal sealed class CertificateSteps(StepTools tools, CertificateIssuers issuers)
{
    public StepTools Tools => tools;

    public CertificateIssuers Issuers => issuers;

    /// <summary>The step's hostname as the stack serves it, or the failure to report when it serves it no more.</summary>
    public (CertificateHost? Host, StepOutcome? Failure) HostOf(StepExecution execution)
    {
        var name = execution.Step.Subject?.Host;
        var host = name is null ? null : issuers.HostsOf(execution.Target).FirstOrDefault(h => h.Host == name);
        return host is null
            ? (null, StepOutcome.Fail($"stack {execution.Target.Name} no longer serves {name ?? "this hostname"} with TLS", permanent: true))
            : (host, null);
    }

    public IClusterGateway Cluster(StepExecution execution) => tools.Cluster(execution.Target);

    /// <summary>The labels of the hostname's TLS Secret: those of its certificates relation (so removing the relation removes it).</summary>
    public static IReadOnlyDictionary<string, string> Labels(StackSpec stack, CertificateHost host) =>
        host.Certificates is { } relation ? StepTools.RelationLabels(stack, relation) : StackRenderer.Labels(stack, host.Ingress);

    public static string Writer(StepExecution execution) => execution.Operation.Id.ToString();

    public string Installed(string secret, InstalledRevision installed, TlsMaterial material)
    {
        var details = CertificateReader.Details(material.CertificateChainPem, tools.Time.GetUtcNow());
        var what = details is null ? "" : $": {CertificateReader.Describe(details)}";
        return installed.Wrote
            ? $"installed revision {installed.Revision} of Secret {secret}{what}"
            : $"revision {installed.Revision} of Secret {secret} was already installed by this operation";
    }
}

/// <summary>Issues a new key and certificate for the step's hostname and installs them as a new revision of its TLS Secret. A
/// failed issuance is recorded on the live Secret (time, failures in a row, error) and leaves the certificate as it was.</summary>
internal sealed class IssueCertificateHandler(CertificateSteps steps) : IStepHandler
{
    public StepKind Kind => StepKind.IssueCertificate;

    public async Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var (host, failure) = steps.HostOf(execution);
        if (host is null)
        {
            return failure!;
        }

        if (host.Provider is not { } provider)
        {
            return StepOutcome.Fail($"{host.Host} is served with Secret {host.SecretName}, which the ingress names itself: the portal does not issue for it", permanent: true);
        }

        var stack = execution.Target;
        var cluster = steps.Cluster(execution);
        var writer = CertificateSteps.Writer(execution);
        var live = await TlsSecretRevisions.ReadAsync(cluster, stack.Namespace, host.SecretName, cancellationToken).ConfigureAwait(false);
        if (live is not null && TlsSecretRevisions.WrittenBy(live) == writer && TlsMaterial.Of(live) is { } done)
        {
            return StepOutcome.Ok(steps.Installed(host.SecretName, new InstalledRevision(Secrets.ManagedSecrets.RevisionOf(live), false), done));
        }

        var issuer = steps.Issuers.IssuerFor(steps.Issuers.SourceOf(stack, provider));
        TlsMaterial material;
        try
        {
            material = TlsMaterial.From(await issuer.IssueAsync(steps.Issuers.Request(cluster, stack, provider, host.Host), cancellationToken).ConfigureAwait(false));
        }
        catch (CertificateIssuanceException e)
        {
            await TlsSecretRevisions.RecordFailureAsync(cluster, stack.Namespace, host.Host, e.Message, steps.Tools.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            return StepOutcome.Fail($"the certificate for {host.Host} could not be issued: {e.Message}", permanent: !e.Transient, retryAfter: e.RetryAfter);
        }

        var installed = await TlsSecretRevisions.InstallAsync(
            cluster, stack.Namespace, host.Host, material, issuer.Source, writer, CertificateSteps.Labels(stack, host), steps.Tools.Time.GetUtcNow(), cancellationToken)
            .ConfigureAwait(false);
        return StepOutcome.Ok(steps.Installed(host.SecretName, installed, material));
    }
}

/// <summary>Installs a kept revision of the hostname's TLS Secret again, as a new revision (a roll-back).</summary>
internal sealed class RestoreCertificateHandler(CertificateSteps steps) : IStepHandler
{
    public StepKind Kind => StepKind.RestoreCertificate;

    public async Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var (host, failure) = steps.HostOf(execution);
        if (host is null)
        {
            return failure!;
        }

        if (execution.Step.Subject?.Revision is not { } revision)
        {
            return StepOutcome.Fail("the step does not say which revision to restore", permanent: true);
        }

        var stack = execution.Target;
        var cluster = steps.Cluster(execution);
        var restored = await TlsSecretRevisions.RestoreAsync(
            cluster, stack.Namespace, host.Host, revision, CertificateSteps.Writer(execution), steps.Tools.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (restored is null)
        {
            return StepOutcome.Fail($"revision {revision} of Secret {host.SecretName} is no longer kept; roll back to one of the kept revisions", permanent: true);
        }

        return StepOutcome.Ok(restored.Wrote
            ? $"restored revision {revision} of Secret {host.SecretName} as revision {restored.Revision}"
            : $"revision {restored.Revision} of Secret {host.SecretName} was already restored by this operation");
    }
}

/// <summary>Installs an operator's uploaded certificate: the upload waits in the cluster in its own Secret
/// (<see cref="TlsSecretRevisions.UploadSecretName"/>), never in the portal; this step promotes it to a new revision and deletes it.</summary>
internal sealed class InstallCertificateHandler(CertificateSteps steps) : IStepHandler
{
    public StepKind Kind => StepKind.InstallCertificate;

    public async Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var (host, failure) = steps.HostOf(execution);
        if (host is null)
        {
            return failure!;
        }

        var stack = execution.Target;
        var cluster = steps.Cluster(execution);
        var uploadName = TlsSecretRevisions.UploadSecretName(host.Host, execution.Operation.Id);
        var writer = CertificateSteps.Writer(execution);
        var live = await TlsSecretRevisions.ReadAsync(cluster, stack.Namespace, host.SecretName, cancellationToken).ConfigureAwait(false);
        if (live is not null && TlsSecretRevisions.WrittenBy(live) == writer && TlsMaterial.Of(live) is { } done)
        {
            await cluster.DeleteAsync("v1", "Secret", stack.Namespace, uploadName, cancellationToken).ConfigureAwait(false);
            return StepOutcome.Ok(steps.Installed(host.SecretName, new InstalledRevision(Secrets.ManagedSecrets.RevisionOf(live), false), done));
        }

        var upload = await TlsSecretRevisions.ReadAsync(cluster, stack.Namespace, uploadName, cancellationToken).ConfigureAwait(false);
        if (upload is null || TlsMaterial.Of(upload) is not { } material)
        {
            return StepOutcome.Fail($"the uploaded certificate (Secret {uploadName}) is no longer in the cluster; upload it again", permanent: true);
        }

        var installed = await TlsSecretRevisions.InstallAsync(
            cluster, stack.Namespace, host.Host, material, CertificateSource.Manual, writer, CertificateSteps.Labels(stack, host), steps.Tools.Time.GetUtcNow(), cancellationToken)
            .ConfigureAwait(false);
        await cluster.DeleteAsync("v1", "Secret", stack.Namespace, uploadName, cancellationToken).ConfigureAwait(false);
        return StepOutcome.Ok(steps.Installed(host.SecretName, installed, material));
    }
}

/// <summary>Checks the hostname's TLS Secret (a certificate for the hostname that has not expired) and, with a TLS handshake to the
/// Ingress address, that the ingress serves it. A different certificate is waited out (the controller reloads) until the
/// step's deadline; an ingress the portal cannot reach is said so, and only the Secret counts as verified.</summary>
internal sealed class VerifyCertificateHandler(CertificateSteps steps, IServedCertificateProbe probe) : IStepHandler
{
    public const string NotReachable = "not reachable from the portal: verified the Secret only";

    private readonly IServedCertificateProbe _probe = probe;

    public StepKind Kind => StepKind.VerifyCertificate;

    public async Task<StepOutcome> RunAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var (host, failure) = steps.HostOf(execution);
        if (host is null)
        {
            return failure!;
        }

        var stack = execution.Target;
        var cluster = steps.Cluster(execution);
        var now = steps.Tools.Time.GetUtcNow();
        var secret = await TlsSecretRevisions.ReadAsync(cluster, stack.Namespace, host.SecretName, cancellationToken).ConfigureAwait(false);
        if (secret is null || TlsMaterial.Of(secret) is not { } material)
        {
            return StepOutcome.Fail($"Secret {host.SecretName} is missing or holds no certificate and key", permanent: true);
        }

        if (CertificateReader.Details(material.CertificateChainPem, now) is not { } details)
        {
            return StepOutcome.Fail($"Secret {host.SecretName} holds no readable certificate", permanent: true);
        }

        if (!CertificateReader.Covers(material.CertificateChainPem, host.Host))
        {
            return StepOutcome.Fail($"the certificate in Secret {host.SecretName} does not cover {host.Host}", permanent: true);
        }

        if (details.NotAfter <= now)
        {
            return StepOutcome.Fail($"the certificate in Secret {host.SecretName} expired on {details.NotAfter.UtcDateTime:yyyy-MM-dd HH:mm} UTC", permanent: true);
        }

        var ingresses = await IngressesAsync(cluster, stack, host, cancellationToken).ConfigureAwait(false);
        if (ingresses.Count == 0)
        {
            return StepOutcome.Ok($"Secret {host.SecretName} holds a valid certificate for {host.Host} ({CertificateReader.Describe(details)}); no Ingress serves it yet");
        }

        var ingress = ingresses[0];
        var served = await _probe.ProbeAsync(ingress, host.Host, details.Sha256Fingerprint, cancellationToken).ConfigureAwait(false);
        return served.State switch
        {
            ServedState.Matches => StepOutcome.Ok($"Ingress {ingress.Metadata.Name} serves the new certificate for {host.Host} ({CertificateReader.Describe(details)})"),
            ServedState.Differs => StepOutcome.Wait(
                $"waiting for Ingress {ingress.Metadata.Name} to serve the new certificate for {host.Host}; it serves {Served(served)}"),
            _ => StepOutcome.Ok($"{NotReachable} ({served.Message})"),
        };
    }

    /// <summary>The stack's Ingress objects that serve <paramref name="host"/> with its TLS Secret.</summary>
    public static async Task<IReadOnlyList<V1Ingress>> IngressesAsync(IClusterGateway cluster, StackSpec stack, CertificateHost host, CancellationToken cancellationToken)
    {
        var listed = await cluster.ListAsync("networking.k8s.io/v1", "Ingress", stack.Namespace, Domain.Naming.PortalLabels.StackSelector(stack.Name), cancellationToken)
            .ConfigureAwait(false);
        return listed.OfType<V1Ingress>()
            .Where(i => i.Spec?.Tls?.Any(t => t.SecretName == host.SecretName && (t.Hosts?.Contains(host.Host, StringComparer.OrdinalIgnoreCase) ?? false)) == true)
            .OrderBy(i => i.Metadata.Name, StringComparer.Ordinal)
            .ToList();
    }

    private static string Served(ServedCertificate served)
    {
        var fingerprint = served.Sha256Fingerprint is { Length: > 16 } f ? $"a certificate with SHA-256 {f[..16]}…" : "another certificate";
        var until = served.NotAfter is { } notAfter ? $" valid until {notAfter.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : "";
        return $"{fingerprint}{until} ({served.Message})";
    }
}
