using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Portal.Provisioning.Tests.Certificates;

/// <summary>Debian's <c>pebble</c> (Let's Encrypt's test ACME server) on free loopback ports, with a listener certificate made
/// here (its CA is what lego gets as <c>acme-ca-certificates</c>), challenges always valid and no nonce rejections.</summary>
/// <remarks>Pebble makes a new issuing root at every start; <see cref="IssuingRootPem"/> is fetched from its management port.
/// Installs <c>pebble</c> and <c>lego</c> with apt-get when they are missing (CI's <c>.ci/run</c> installs them first).</remarks>
public sealed class PebbleServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly SemaphoreSlim Install = new(1, 1);

    private readonly Process _process;
    private readonly string _folder;
    private readonly StringBuilder _output;

    private PebbleServer(Process process, string folder, StringBuilder output, int port, string listenerCaPem)
    {
        _process = process;
        _folder = folder;
        _output = output;
        DirectoryUrl = $"https://127.0.0.1:{port}/dir";
        ListenerCaPem = listenerCaPem;
    }

    public string DirectoryUrl { get; }

    /// <summary>The CA of pebble's HTTPS listener (for <c>acme-ca-certificates</c>).</summary>
    public string ListenerCaPem { get; }

    /// <summary>The root that signs what pebble issues (through an intermediate).</summary>
    public string IssuingRootPem { get; private set; } = "";

    /// <summary>What pebble printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts pebble; with <paramref name="macKeys"/>, new accounts need external account binding with one of them.</summary>
    public static async Task<PebbleServer> StartAsync(IReadOnlyDictionary<string, string>? macKeys = null)
    {
        var ct = TestContext.Current.CancellationToken;
        await EnsureInstalledAsync(ct);
        var folder = Directory.CreateTempSubdirectory("pebble-").FullName;
        var (caPem, certificatePem, keyPem) = ListenerCertificate();
        await File.WriteAllTextAsync(Path.Combine(folder, "cert.pem"), certificatePem, ct);
        await File.WriteAllTextAsync(Path.Combine(folder, "key.pem"), keyPem, ct);
        var port = FreePort();
        var management = FreePort();
        var pebble = new Dictionary<string, object>
        {
            ["listenAddress"] = $"127.0.0.1:{port}",
            ["managementListenAddress"] = $"127.0.0.1:{management}",
            ["certificate"] = Path.Combine(folder, "cert.pem"),
            ["privateKey"] = Path.Combine(folder, "key.pem"),
            ["httpPort"] = FreePort(),
            ["tlsPort"] = FreePort(),
            ["ocspResponderURL"] = "",
            ["externalAccountBindingRequired"] = macKeys is not null,
        };
        if (macKeys is not null)
        {
            pebble["externalAccountMACKeys"] = macKeys;
        }

        var config = Path.Combine(folder, "pebble-config.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object> { ["pebble"] = pebble }), ct);

        var start = new ProcessStartInfo("pebble")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-config");
        start.ArgumentList.Add(config);
        start.Environment["PEBBLE_VA_ALWAYS_VALID"] = "1";
        start.Environment["PEBBLE_VA_NOSLEEP"] = "1";
        start.Environment["PEBBLE_WFE_NONCEREJECT"] = "0";
        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new PebbleServer(process, folder, output, port, caPem);
        try
        {
            await server.WaitUntilServingAsync(management, ct);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task WaitUntilServingAsync(int management, CancellationToken ct)
    {
        using var ca = X509Certificate2.CreateFromPem(ListenerCaPem);
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // Pebble's management port serves the same listener certificate.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && ChainsTo(certificate, ca),
            },
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(StartTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"pebble exited with code {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var directory = await http.GetAsync(new Uri(DirectoryUrl), deadline.Token);
                if (directory.IsSuccessStatusCode)
                {
                    IssuingRootPem = await http.GetStringAsync(new Uri($"https://127.0.0.1:{management}/roots/0"), deadline.Token);
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new TimeoutException($"pebble did not serve its directory within {StartTimeout.TotalSeconds:0} s:\n{Output}");
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new TimeoutException($"pebble did not serve its directory within {StartTimeout.TotalSeconds:0} s:\n{Output}");
            }
        }
    }

    private static bool ChainsTo(X509Certificate certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    /// <summary>A CA and, signed by it, the listener certificate for 127.0.0.1 and localhost (Go refuses a self-signed leaf as its own CA).</summary>
    private static (string CaPem, string CertificatePem, string KeyPem) ListenerCertificate()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=pebble listener test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), [0x01, 0x02, 0x03, 0x04]);
        return (ca.ExportCertificatePem() + "\n", certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>A port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task EnsureInstalledAsync(CancellationToken ct)
    {
        await Install.WaitAsync(ct);
        try
        {
            if (OnPath("pebble") && OnPath("lego"))
            {
                return;
            }

            using var apt = Process.Start(new ProcessStartInfo("apt-get", "install -y -qq --no-install-recommends pebble lego")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                Environment = { ["DEBIAN_FRONTEND"] = "noninteractive" },
            })!;
            var output = await apt.StandardError.ReadToEndAsync(ct);
            await apt.WaitForExitAsync(ct);
            Assert.True(apt.ExitCode == 0 && OnPath("pebble") && OnPath("lego"), $"pebble and lego are missing and apt-get could not install them: {output}");
        }
        finally
        {
            Install.Release();
        }
    }

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => d.Length > 0 && File.Exists(Path.Combine(d, name)));

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
