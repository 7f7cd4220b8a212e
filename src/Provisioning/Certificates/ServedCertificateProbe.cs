using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;

namespace Portal.Provisioning.Certificates;

/// <summary>Reads the certificate an ingress really serves for a hostname with a TLS handshake (SNI) to its load-balancer address.</summary>
/// <remarks>The handshake accepts any certificate on purpose: it asks what is served, it does not trust it. Only the handshake
/// is made; no HTTP request is sent. The port is the one the Ingress lists for its address (<c>status.loadBalancer.ingress[].ports</c>,
/// which some controllers fill), 443 otherwise.</remarks>
internal sealed class ServedCertificateProbe(TimeProvider time) : IServedCertificateProbe
{
    public const int DefaultTlsPort = 443;

    /// <summary>How long a connect plus handshake may take before the address counts as not reachable.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<ServedCertificate> ProbeAsync(V1Ingress ingress, string host, string? expectedSha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ingress);
        var entry = ingress.Status?.LoadBalancer?.Ingress?.FirstOrDefault(e => !string.IsNullOrEmpty(e.Ip) || !string.IsNullOrEmpty(e.Hostname));
        if (entry is null)
        {
            return new ServedCertificate(ServedState.NoAddress, null, null, null,
                $"Ingress {ingress.Metadata?.Name} has no load-balancer address yet: nothing to ask");
        }

        var address = !string.IsNullOrEmpty(entry.Ip) ? entry.Ip : entry.Hostname!;
        var port = entry.Ports?.FirstOrDefault(p => p.Error is null && p.Port is > 0 and <= 65535 && p.Port != 80)?.Port ?? DefaultTlsPort;
        var endpoint = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port}" : $"{address}:{port}";

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(address, port, deadline.Token).ConfigureAwait(false);
            await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                RemoteCertificateValidationCallback = static (_, certificate, _, _) => certificate is not null,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, deadline.Token).ConfigureAwait(false);

            if (tls.RemoteCertificate is not { } remote)
            {
                return new ServedCertificate(ServedState.NotReachable, endpoint, null, null,
                    $"not reachable from the portal: {endpoint} completed a handshake without a certificate");
            }

            using var served = X509CertificateLoader.LoadCertificate(remote.GetRawCertData());
            var fingerprint = served.GetCertHashString(HashAlgorithmName.SHA256);
            var notAfter = new DateTimeOffset(served.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            if (expectedSha256 is null)
            {
                return new ServedCertificate(ServedState.Differs, endpoint, fingerprint, notAfter,
                    $"{endpoint} serves {Describe(served, time.GetUtcNow())}, and the Secret holds no certificate to compare");
            }

            return string.Equals(fingerprint, expectedSha256, StringComparison.OrdinalIgnoreCase)
                ? new ServedCertificate(ServedState.Matches, endpoint, fingerprint, notAfter, $"{endpoint} serves the certificate in the Secret")
                : new ServedCertificate(ServedState.Differs, endpoint, fingerprint, notAfter,
                    $"{endpoint} serves another certificate: {Describe(served, time.GetUtcNow())}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return NotReachable(endpoint, $"no TLS handshake within {Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (SocketException e)
        {
            return NotReachable(endpoint, e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData => $"{address} does not resolve",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "no route to it",
                SocketError.TimedOut => "the connection timed out",
                _ => e.SocketErrorCode.ToString(),
            });
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return NotReachable(endpoint, "the TLS handshake failed");
        }
    }

    private static ServedCertificate NotReachable(string endpoint, string why) =>
        new(ServedState.NotReachable, endpoint, null, null, $"not reachable from the portal ({endpoint}): {why}");

    private static string Describe(X509Certificate2 certificate, DateTimeOffset now) =>
        $"{certificate.Subject} issued by {certificate.Issuer}, serial {certificate.SerialNumber}, "
        + Domain.Certificates.Expiry.Describe(new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero), now);
}
