using Portal.Domain.Naming;
using Portal.Domain.Plans;

namespace Portal.Domain.Certificates;

/// <summary>The plans of the certificate operations on one hostname: rotate (issue → verify), roll back (restore → verify) and
/// upload (install → verify). Each changes the hostname's TLS Secret by one revision, then checks what the ingress serves.</summary>
public static class CertificatePlans
{
    /// <param name="issuedBy">Who issues, as it reads in a sentence: "the ACME server https://…", "the internal CA of lego".</param>
    public static Plan Rotate(string stack, string @namespace, string host, string issuedBy)
    {
        var subject = new StepSubject(host);
        var issue = new PlanStep(
            StepIds.IssueCertificate(host), StepKind.IssueCertificate, null, null, [],
            $"Issue a new key and certificate for {host} from {issuedBy} and install them as a new revision of Secret {ObjectNames.TlsSecret(host)}, keeping the previous one",
            $"new certificate for {host} installed") { Subject = subject };
        return Create(stack, @namespace, issue);
    }

    public static Plan Rollback(string stack, string @namespace, string host, int revision)
    {
        var restore = new PlanStep(
            StepIds.RestoreCertificate(host), StepKind.RestoreCertificate, null, null, [],
            $"Install revision {revision} of Secret {ObjectNames.TlsSecret(host)} again, as a new revision, so that {host} serves its certificate",
            $"revision {revision} of {host} restored") { Subject = new StepSubject(host, revision) };
        return Create(stack, @namespace, restore);
    }

    /// <param name="certificate">What the uploaded certificate is, e.g. "CN=airbyte.example.com, valid until 2027-03-01".</param>
    public static Plan Upload(string stack, string @namespace, string host, string certificate)
    {
        var install = new PlanStep(
            StepIds.InstallCertificate(host), StepKind.InstallCertificate, null, null, [],
            $"Install the uploaded certificate ({certificate}) as a new revision of Secret {ObjectNames.TlsSecret(host)}, keeping the previous one",
            $"uploaded certificate for {host} installed") { Subject = new StepSubject(host) };
        return Create(stack, @namespace, install);
    }

    private static Plan Create(string stack, string @namespace, PlanStep change)
    {
        var host = change.Subject!.Host;
        var verify = new PlanStep(
            StepIds.VerifyCertificate(host), StepKind.VerifyCertificate, null, null, [change.Id],
            $"Check that Secret {ObjectNames.TlsSecret(host)} holds a valid certificate for {host} and that the ingress serves it, when the portal can reach it",
            $"{host} serves the new certificate") { Subject = new StepSubject(host) };
        return Plan.Create(PlanKind.Certificate, stack, @namespace, [change, verify]).Value;
    }
}
