using Portal.Domain.Certificates;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Stacks;

namespace Portal.Tests.Fakes;

/// <summary>The certificates of a stack as the certificate service reports them, one lane per band and source, around the test
/// clock's now: ACME expiring in 20 days whose renewal fails, internal CA with 60 days, manual with 3, external expired, and a
/// hostname whose Secret is missing.</summary>
public static class CertificateWorld
{
    public static readonly DateTimeOffset Now = StackWorld.Now + TimeSpan.FromMinutes(1);

    public const string Policy = "renews at 67 % of the lifetime, inside 02:00-04:00 UTC";
    public const string Acme = "airbyte.example.com";
    public const string InternalCa = "hooks.example.com";
    public const string Manual = "old.example.com";
    public const string External = "ext.example.com";
    public const string Missing = "missing.example.com";
    public const string AcmeError = "acme: urn:ietf:params:acme:error:rateLimited: too many certificates already issued";
    public const string MissingProblem = "The Secret missing-example-com-tls does not exist: the ingress serves its default certificate.";

    public static readonly Guid OperationId = Guid.Parse("6f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b");

    public const string Fingerprint = "3A7BC4D2E19F0A6B5C8D7E6F1029384756ABCDEF0123456789ABCDEF01234567";

    public static CertificateDetails Details(string host, TimeSpan left, TimeSpan lifetime, string serial, string keyType = "ECDSA", int keySize = 256, string issuer = "CN=R11, O=Let's Encrypt, C=US")
    {
        var notAfter = Now + left;
        return new CertificateDetails(
            $"CN={host}", [host, $"www.{host}"], issuer, serial, keyType, keySize, notAfter - lifetime, notAfter, Fingerprint,
            Expiry.Band(notAfter, Now), Expiry.Describe(notAfter, Now));
    }

    public static CertificateLane AcmeLane() => new(
        Acme,
        "ingress",
        ["airbyte-ingress", "airbyte-ingress-api"],
        "airbyte-example-com-tls",
        CertificateSource.Acme,
        Details(Acme, TimeSpan.FromDays(20), TimeSpan.FromDays(90), "04A1B2C3D4E5F60718293A4B5C6D7E8F9A0B"),
        null,
        4,
        [
            new CertificateRevision(3, "airbyte-example-com-tls-r3", Details(Acme, TimeSpan.FromDays(-10), TimeSpan.FromDays(90), "03FFEE"), Now - TimeSpan.FromDays(30)),
            new CertificateRevision(2, "airbyte-example-com-tls-r2", Details(Acme, TimeSpan.FromDays(-70), TimeSpan.FromDays(90), "02AABB"), Now - TimeSpan.FromDays(90)),
        ],
        Now + TimeSpan.FromDays(5),
        new RenewalAttempt(Now - TimeSpan.FromHours(2), false, AcmeError, 3),
        new ServedCertificate(ServedState.Matches, "203.0.113.7:443", Fingerprint, Now + TimeSpan.FromDays(20), "serves revision 4"));

    public static CertificateLane InternalLane() => new(
        InternalCa, "ingress-webhooks", ["airbyte-webhooks"], "hooks-example-com-tls", CertificateSource.InternalCa,
        Details(InternalCa, TimeSpan.FromDays(60), TimeSpan.FromDays(365), "11223344", issuer: "CN=airbyte-prod internal CA"), null, 1, [],
        Now + TimeSpan.FromDays(30), new RenewalAttempt(Now - TimeSpan.FromDays(300), true, null, 0),
        new ServedCertificate(ServedState.NotReachable, "10.0.0.9:443", null, null, "not reachable from the portal: connection refused"));

    public static CertificateLane ManualLane() => new(
        Manual, "ingress", ["airbyte-old"], "old-example-com-tls", CertificateSource.Manual,
        Details(Manual, TimeSpan.FromDays(3), TimeSpan.FromDays(365), "5566", "RSA", 2048, "CN=Corp Issuing CA"), null, 2,
        [new CertificateRevision(1, "old-example-com-tls-r1", Details(Manual, TimeSpan.FromDays(-1), TimeSpan.FromDays(365), "4455", "RSA", 2048), Now - TimeSpan.FromDays(5))],
        null, null,
        new ServedCertificate(ServedState.Differs, "203.0.113.7:443", "99AA88BB77CC66DD55EE44FF33001122", Now + TimeSpan.FromDays(200), "serves another certificate: the controller's default"));

    public static CertificateLane ExternalLane() => new(
        External, "ingress", ["airbyte-ext"], "corp-wildcard-tls", CertificateSource.External,
        Details(External, TimeSpan.FromDays(-2), TimeSpan.FromDays(365), "7788", issuer: "CN=Corp Issuing CA"), null, 0, [],
        null, null, new ServedCertificate(ServedState.Matches, "203.0.113.7:443", Fingerprint, Now - TimeSpan.FromDays(2), "serves the Secret's certificate"));

    public static CertificateLane MissingLane() => new(
        Missing, "ingress", [], "missing-example-com-tls", CertificateSource.Acme, null, MissingProblem, 0, [],
        Now, null, new ServedCertificate(ServedState.NoAddress, null, null, null, "the Ingress has no load-balancer address yet"));

    public static StackCertificates Stack(string name = "prod", params CertificateLane[] lanes) =>
        new(name, StackWorld.Cluster, $"airbyte-{name}", Policy, lanes.Length > 0 ? lanes : [AcmeLane(), InternalLane(), ManualLane(), ExternalLane(), MissingLane()]);

    public static CertificateExpiry ExpiryOf(CertificateLane lane) =>
        new(lane.Host, lane.Source, lane.Live!.NotBefore, lane.Live.NotAfter, lane.Live.Band, lane.NextRenewal);

    /// <summary>The expiries of a stack with the given lanes (those with a live certificate).</summary>
    public static StackCertificateExpiries Expiries(string stack, params CertificateLane[] lanes) =>
        new(stack, StackWorld.Cluster, lanes.Where(l => l.Live is not null).Select(ExpiryOf).ToList(), null);

    public static ServiceResult<StackChange> Started(string stack) =>
        ServiceResult<StackChange>.Ok(new StackChange(StoredStacks.View(StackWorld.Healthy(stack)), OperationId, "Rotation started."));
}
