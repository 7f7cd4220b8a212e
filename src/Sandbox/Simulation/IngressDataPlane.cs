using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Portal.Sandbox.Api;
using Portal.Sandbox.Storage;

namespace Portal.Sandbox.Simulation;

/// <summary>The TLS side of the simulated ingress controller: a real listener on the load-balancer address that answers a TLS
/// handshake with the certificate an Ingress names for the requested hostname (SNI), read from its Secret at that moment.</summary>
/// <remarks>
/// It plays what ingress-nginx does with <c>spec.tls</c>: the Secret's <c>tls.crt</c> (leaf first, then the chain) and
/// <c>tls.key</c> are served for the hosts of the TLS entry, a changed Secret is served from the next handshake on, and a
/// hostname no Ingress covers (or whose Secret is missing or broken) gets the controller's self-signed default certificate,
/// "Kubernetes Ingress Controller Fake Certificate". So a client that checks what is served (the portal's certificate
/// inventory) meets the same truths as on a real cluster. Only TLS is simulated: after the handshake the connection gets a
/// 503, as there is no upstream behind the sandbox.
/// </remarks>
internal sealed class IngressDataPlane : IAsyncDisposable
{
    public const string DefaultCertificateSubject = "CN=Kubernetes Ingress Controller Fake Certificate, O=Acme Co";

    private static readonly byte[] s_noUpstream = Encoding.ASCII.GetBytes(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 31\r\nConnection: close\r\n\r\nsandbox ingress: no upstream.\r\n");

    private readonly TcpListener _listener;
    private readonly ObjectStore _store;
    private readonly ResourceRegistry _registry;
    private readonly SslStreamCertificateContext _default;
    private readonly Dictionary<string, (long Version, SslStreamCertificateContext? Context)> _cache = new(StringComparer.Ordinal);
    private readonly Lock _cacheGate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    private IngressDataPlane(TcpListener listener, ObjectStore store, ResourceRegistry registry)
    {
        _listener = listener;
        _store = store;
        _registry = registry;
        _default = DefaultCertificate();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>The TCP port TLS is served on, reported in each Ingress's <c>status.loadBalancer.ingress[].ports</c>.</summary>
    public int Port { get; }

    /// <summary>Handshakes completed so far (a test's way to know the listener was really asked).</summary>
    public long Handshakes => Interlocked.Read(ref _handshakes);

    private long _handshakes;

    /// <summary>Listens on <paramref name="address"/>:<paramref name="port"/> (0 picks a free port).</summary>
    public static IngressDataPlane Start(string address, int port, ObjectStore store, ResourceRegistry registry)
    {
        var listener = new TcpListener(IPAddress.Parse(address), port);
        listener.Start();
        return new IngressDataPlane(listener, store, registry);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsServerAsync(
                (_, hello, _, _) => ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = ContextFor(hello.ServerName),
                    EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
                }),
                null,
                timeout.Token);
            Interlocked.Increment(ref _handshakes);

            // Read what the client sends (if anything) until the end of its headers, then answer that nothing is behind.
            var buffer = new byte[4096];
            var read = await tls.ReadAsync(buffer, timeout.Token);
            if (read > 0)
            {
                await tls.WriteAsync(s_noUpstream, timeout.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or SocketException or ObjectDisposedException)
        {
            // A client that hangs up after the handshake (a probe) or never finishes it: nothing to do.
        }
    }

    /// <summary>The certificate for a hostname: the Secret of the first Ingress (by namespace and name) whose TLS entry lists it.</summary>
    private SslStreamCertificateContext ContextFor(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return _default;
        }

        foreach (var ingress in _store.List(_registry.Ingresses, null).Items.OrderBy(i => i.Namespace, StringComparer.Ordinal).ThenBy(i => i.Name, StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(ingress.Json);
            if (SecretFor(document.RootElement, host) is not { } secretName)
            {
                continue;
            }

            var secret = _store.Get(_registry.Secrets, ingress.Namespace, secretName);
            return secret is null ? _default : Cached(secret) ?? _default;
        }

        return _default;
    }

    private static string? SecretFor(JsonElement ingress, string host)
    {
        if (!ingress.TryGetProperty("spec", out var spec) || !spec.TryGetProperty("tls", out var tls) || tls.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var entry in tls.EnumerateArray())
        {
            if (entry.TryGetProperty("hosts", out var hosts) && hosts.ValueKind == JsonValueKind.Array
                && hosts.EnumerateArray().Any(h => Matches(h.GetString(), host))
                && entry.TryGetProperty("secretName", out var name) && name.GetString() is { Length: > 0 } secretName)
            {
                return secretName;
            }
        }

        return null;
    }

    private static bool Matches(string? pattern, string host) =>
        pattern is not null && (string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase)
            || (pattern.StartsWith("*.", StringComparison.Ordinal) && host.IndexOf('.', StringComparison.Ordinal) is var dot and > 0
                && string.Equals(pattern[1..], host[dot..], StringComparison.OrdinalIgnoreCase)));

    private SslStreamCertificateContext? Cached(StoredObject secret)
    {
        var key = $"{secret.Namespace}/{secret.Name}";
        lock (_cacheGate)
        {
            if (_cache.TryGetValue(key, out var cached) && cached.Version == secret.ResourceVersion)
            {
                return cached.Context;
            }
        }

        var context = Load(secret);
        lock (_cacheGate)
        {
            _cache[key] = (secret.ResourceVersion, context);
        }

        return context;
    }

    // The Secret's chain and key as ingress-nginx loads them; null when they do not make a usable pair.
    private static SslStreamCertificateContext? Load(StoredObject secret)
    {
        using var document = JsonDocument.Parse(secret.Json);
        if (!document.RootElement.TryGetProperty("data", out var data)
            || Text(data, "tls.crt") is not { } chainPem || Text(data, "tls.key") is not { } keyPem)
        {
            return null;
        }

        try
        {
            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(chainPem);
            if (chain.Count == 0)
            {
                return null;
            }

            using var leaf = X509Certificate2.CreateFromPem(chainPem, keyPem);
            var usable = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
            return SslStreamCertificateContext.Create(usable, new X509Certificate2Collection(chain.Skip(1).ToArray()), offline: true);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement data, string key) =>
        data.TryGetProperty(key, out var value) && value.GetString() is { } base64 ? Encoding.UTF8.GetString(Convert.FromBase64String(base64)) : null;

    private static SslStreamCertificateContext DefaultCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(DefaultCertificateSubject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("ingress.local");
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        var usable = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        return SslStreamCertificateContext.Create(usable, null, offline: true);
    }
}
