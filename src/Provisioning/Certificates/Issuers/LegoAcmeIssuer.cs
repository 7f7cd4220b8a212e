using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Domain.Naming;
using Portal.Provisioning.Clusters;
using Portal.Provisioning.Secrets;

namespace Portal.Provisioning.Certificates.Issuers;

/// <summary>Issues from an ACME server (Let's Encrypt, a private ACME server) with the portal as the ACME client, by running
/// Debian's <c>lego</c> binary once per certificate.</summary>
/// <remarks>
/// <para><b>Why lego and not an ACME client written here.</b> lego (go-acme/lego) is the client the seed's LEGO charm runs, so
/// a stack moved from the charm to the portal behaves the same: the same <c>plugin</c> values (http-01 or any of lego's 150-odd
/// DNS provider codes, with the same credential variable names in <c>plugin-credentials</c>), the same EAB flags, the same
/// <c>LEGO_CA_CERTIFICATES</c> for private servers. An RFC 8555 client in C# would be a few hundred lines for the protocol
/// (JWS, nonces, orders, authorizations, finalize, EAB), but every DNS provider would be ours to write and keep working against
/// each provider's API; that is most of lego's code and its maintainers' work. lego is packaged by Debian (<c>apt-get install
/// lego</c>), so it installs from the distribution like every other dependency, and CI runs it against Debian's <c>pebble</c>.
/// The cost: a process per issuance, and output parsed for errors (<see cref="LegoFailures"/>), which is tested against
/// pebble's real answers.</para>
/// <para><b>How a run goes.</b> A private folder (mode 0700) per run, always deleted, always passed as <c>--path</c>. The ACME
/// account's key lives in the Secret <c>&lt;provider&gt;-acme-account</c>: it is restored into lego's folder before the run
/// (lego then skips the registration) and saved after the first registration, so later runs reuse the account. Each issuance
/// is a fresh <c>run</c>: the caller keeps revisions, not lego. Secret options (<c>eab-hmac</c>, <c>plugin-credentials</c>) are
/// read from the component Secret in the cluster; they reach lego as arguments and environment variables only, and lego's output
/// is scrubbed of them before any part of it is used in a message. The EAB HMAC is visible in the process list of the portal's
/// machine while the run lasts (lego 4.9 reads it only from <c>--hmac</c>); it is used once, at registration.</para>
/// <para>http-01 runs one at a time: lego listens on <see cref="AcmeIssuerOptions.Http01Address"/> while it solves.</para>
/// </remarks>
internal sealed class LegoAcmeIssuer(IOptions<CertificateIssuerOptions> options, TimeProvider time, ILogger<LegoAcmeIssuer> logger) : ICertificateIssuer
{
    public const string AccountKeyKey = "account.key";
    public const string AccountJsonKey = "account.json";
    public const string AccountServerKey = "server";
    public const string AccountEmailKey = "email";

    private const int MaxOutput = 64 * 1024;

    // One http-01 solver per machine: the challenge address is the portal's, whatever the stack.
    private static readonly SemaphoreSlim Http01 = new(1, 1);

    public CertificateSource Source => CertificateSource.Acme;

    public static string AccountSecretName(string provider) => $"{provider}-acme-account";

    public async Task<IssuedCertificate> IssueAsync(CertificateRequestContext request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        var email = Option(request, "email");
        var server = Option(request, "server") is { Length: > 0 } s ? s : Domain.Catalog.Kinds.LegoKind.LetsEncryptProduction;
        var plugin = Option(request, "plugin") is { Length: > 0 } p ? p : "http-01";
        var kid = Option(request, "eab-kid");
        if (email.Length == 0)
        {
            throw new CertificateIssuanceException($"The ACME account of {request.Provider} needs an e-mail address: set its email option.", transient: false);
        }

        var secrets = await ReadSecretOptionsAsync(request, cancellationToken).ConfigureAwait(false);
        secrets.TryGetValue("eab-hmac", out var hmac);
        if (kid.Length > 0 && string.IsNullOrEmpty(hmac))
        {
            throw new CertificateIssuanceException($"eab-kid of {request.Provider} is set but eab-hmac is not in its Secret; set eab-hmac.", transient: false);
        }

        var credentials = plugin == "http-01" ? new Dictionary<string, string>(StringComparer.Ordinal) : ParseCredentials(secrets.GetValueOrDefault("plugin-credentials"));
        var facts = new LegoFailures.RunFacts(request.Provider, server, request.Host, email, plugin, kid.Length > 0);
        var secretValues = credentials.Values.Append(hmac ?? "").ToList();

        var folder = Directory.CreateTempSubdirectory("portal-lego-");
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                folder.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            }

            var account = await RestoreAccountAsync(request, folder.FullName, server, email, cancellationToken).ConfigureAwait(false);
            var arguments = new List<string>
            {
                "--path", folder.FullName, "--accept-tos", "--email", email, "--server", server, "--domains", request.Host, "--key-type", "ec256",
            };
            if (kid.Length > 0)
            {
                arguments.AddRange(["--eab", "--kid", kid, "--hmac", hmac!]);
            }

            var environment = new Dictionary<string, string>(credentials, StringComparer.Ordinal);
            if (Option(request, "acme-ca-certificates") is { Length: > 0 } caPem)
            {
                var caFile = Path.Combine(folder.FullName, "acme-ca-certificates.pem");
                await File.WriteAllTextAsync(caFile, caPem, cancellationToken).ConfigureAwait(false);
                environment["LEGO_CA_CERTIFICATES"] = caFile;
            }

            if (plugin == "http-01")
            {
                arguments.AddRange(["--http", "--http.port", settings.Acme.Http01Address]);
            }
            else
            {
                arguments.AddRange(["--dns", plugin]);
            }

            arguments.Add("run");
            CertificateIssuersLog.Requesting(logger, request.Host, server, plugin, request.Stack, request.Provider);

            var oneAtATime = plugin == "http-01";
            if (oneAtATime)
            {
                await Http01.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            (int ExitCode, string Output) run;
            var routed = oneAtATime && settings.Acme.Http01Solver.Length > 0;
            try
            {
                if (routed)
                {
                    await AcmeSolverRoute.OpenAsync(request, settings.Acme.Http01Solver, cancellationToken).ConfigureAwait(false);
                }

                run = await RunLegoAsync(settings, arguments, environment, folder.FullName, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                if (routed)
                {
                    try
                    {
                        await AcmeSolverRoute.CloseAsync(request, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (ClusterException e)
                    {
                        CertificateIssuersLog.SolverRouteLeft(logger, request.Host, request.Namespace, e.Message);
                    }
                }

                if (oneAtATime)
                {
                    Http01.Release();
                }
            }

            // Saved whether or not the certificate came: a registration that succeeded is reused by the next attempt.
            await SaveAccountAsync(request, folder.FullName, server, email, account, cancellationToken).ConfigureAwait(false);

            if (run.ExitCode != 0)
            {
                var failure = LegoFailures.Classify(LegoFailures.Scrub(run.Output, secretValues, folder.FullName), run.ExitCode, facts, time.GetUtcNow());
                CertificateIssuersLog.Failed(logger, request.Host, server, failure.Transient, failure.Message);
                throw failure;
            }

            var issued = ReadCertificate(folder.FullName, request.Host, server);
            var serialNumber = SerialOf(issued.CertificateChainPem);
            CertificateIssuersLog.Issued(logger, request.Host, server, serialNumber);
            return issued;
        }
        finally
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                CertificateIssuersLog.CleanupFailed(logger, folder.FullName, e.GetType().Name);
            }
        }
    }

    /// <summary>lego's accounts folder for a server and e-mail: <c>accounts/&lt;host&gt;_&lt;port&gt;/&lt;email&gt;</c>, as
    /// lego names it (the URL's host with ':' replaced by '_').</summary>
    public static string AccountFolder(string legoPath, string server, string email)
    {
        var rest = server[(server.IndexOf("://", StringComparison.Ordinal) is var scheme and >= 0 ? scheme + 3 : 0)..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        var host = end >= 0 ? rest[..end] : rest;
        host = host[(host.LastIndexOf('@') + 1)..];
        return Path.Combine(legoPath, "accounts", host.Replace(':', '_'), email);
    }

    private static string Option(CertificateRequestContext request, string name) =>
        request.Options.TryGetValue(name, out var value) && value is not null ? value.Trim() : "";

    private static async Task<Dictionary<string, string>> ReadSecretOptionsAsync(CertificateRequestContext request, CancellationToken cancellationToken)
    {
        var name = ObjectNames.ComponentSecret(request.Provider);
        V1Secret? secret;
        try
        {
            secret = await request.Cluster.ReadAsync<V1Secret>("v1", "Secret", request.Namespace, name, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterException e)
        {
            throw new CertificateIssuanceException($"The portal could not read the options of {request.Provider} from the cluster: {e.Message}", e.Transient, inner: e);
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in new[] { "eab-hmac", "plugin-credentials" })
        {
            if (ManagedSecrets.Value(secret, key) is { Length: > 0 } value)
            {
                values[key] = value.Trim();
            }
        }

        return values;
    }

    private static Dictionary<string, string> ParseCredentials(string? text)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in (text ?? "").Split('\n'))
        {
            var line = raw.Trim();
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line.Length == 0 || line.StartsWith('#') || equals <= 0)
            {
                continue;
            }

            variables[line[..equals].Trim()] = line[(equals + 1)..].Trim();
        }

        return variables;
    }

    private async Task<(int ExitCode, string Output)> RunLegoAsync(
        CertificateIssuerOptions settings, List<string> arguments, Dictionary<string, string> environment, string folder, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(settings.LegoPath)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // lego reads its settings from LEGO_* variables too: only the ones set here count.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("LEGO_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        void Collect(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                if (output.Length < MaxOutput)
                {
                    output.AppendLine(e.Data);
                }
            }
        }

        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new CertificateIssuanceException(
                $"lego is not installed on the portal's machine (looked for '{settings.LegoPath}'); install Debian's lego package or set Portal:Certificates:LegoPath.",
                transient: false, inner: e);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Acme.Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new CertificateIssuanceException(
                $"lego did not finish within {Describe(settings.Acme.Timeout)} and was stopped; the ACME server or the challenge is slow or does not answer. The portal tries again later.",
                transient: true);
        }

        // WaitForExitAsync returns once the output streams have closed too.
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static string Describe(TimeSpan span) => span.TotalMinutes >= 1 && span.Seconds == 0
        ? $"{span.TotalMinutes:0} minute{(span.TotalMinutes == 1 ? "" : "s")}"
        : $"{span.TotalSeconds:0} seconds";

    // The account Secret as it was before the run (null when there was none).
    private static async Task<V1Secret?> RestoreAccountAsync(CertificateRequestContext request, string folder, string server, string email, CancellationToken cancellationToken)
    {
        var name = AccountSecretName(request.Provider);
        V1Secret? secret;
        try
        {
            secret = await request.Cluster.ReadAsync<V1Secret>("v1", "Secret", request.Namespace, name, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterException e)
        {
            throw new CertificateIssuanceException($"The portal could not read the ACME account of {request.Provider}: {e.Message}", e.Transient, inner: e);
        }

        if (secret is null)
        {
            return null;
        }

        EnsureOurs(request, secret);
        if (ManagedSecrets.Value(secret, AccountKeyKey) is not { Length: > 0 } key)
        {
            return secret;
        }

        var account = AccountFolder(folder, server, email);
        Directory.CreateDirectory(Path.Combine(account, "keys"));
        await File.WriteAllTextAsync(Path.Combine(account, "keys", $"{email}.key"), key, cancellationToken).ConfigureAwait(false);
        // The registration belongs to one server and contact; elsewhere lego registers the same key again.
        if (ManagedSecrets.Value(secret, AccountServerKey) == server && ManagedSecrets.Value(secret, AccountEmailKey) == email
            && ManagedSecrets.Value(secret, AccountJsonKey) is { Length: > 0 } json)
        {
            await File.WriteAllTextAsync(Path.Combine(account, "account.json"), json, cancellationToken).ConfigureAwait(false);
        }

        return secret;
    }

    private async Task SaveAccountAsync(CertificateRequestContext request, string folder, string server, string email, V1Secret? before, CancellationToken cancellationToken)
    {
        var account = AccountFolder(folder, server, email);
        var keyFile = Path.Combine(account, "keys", $"{email}.key");
        var jsonFile = Path.Combine(account, "account.json");
        if (!File.Exists(keyFile) || !File.Exists(jsonFile))
        {
            return; // Not registered (the run failed before): nothing worth keeping.
        }

        var key = await File.ReadAllTextAsync(keyFile, cancellationToken).ConfigureAwait(false);
        var json = await File.ReadAllTextAsync(jsonFile, cancellationToken).ConfigureAwait(false);
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [AccountKeyKey] = key,
            [AccountJsonKey] = json,
            [AccountServerKey] = server,
            [AccountEmailKey] = email,
        };
        var name = AccountSecretName(request.Provider);
        try
        {
            if (before is null)
            {
                await request.Cluster.CreateSecretIfAbsentAsync(new V1Secret
                {
                    ApiVersion = "v1",
                    Kind = "Secret",
                    Type = "Opaque",
                    Metadata = new V1ObjectMeta
                    {
                        Name = name,
                        NamespaceProperty = request.Namespace,
                        Labels = new Dictionary<string, string>(request.Labels, StringComparer.Ordinal),
                    },
                    Data = data.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(kv.Value), StringComparer.Ordinal),
                }, cancellationToken).ConfigureAwait(false);
                CertificateIssuersLog.AccountSaved(logger, request.Provider, server, request.Namespace, name);
                return;
            }

            var storedKey = ManagedSecrets.Value(before, AccountKeyKey);
            if (storedKey is { Length: > 0 } && storedKey != key)
            {
                return; // Another run saved a different account first: keep theirs, the next run uses it.
            }

            if (data.All(kv => ManagedSecrets.Value(before, kv.Key) == kv.Value))
            {
                return;
            }

            before.Data ??= new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var (k, v) in data)
            {
                before.Data[k] = Encoding.UTF8.GetBytes(v);
            }

            // A lost race (409) leaves the other writer's account in place; the next run registers the key again if needed.
            if (await ManagedSecrets.ReplaceAsync(request.Cluster, before, cancellationToken).ConfigureAwait(false) is not null)
            {
                CertificateIssuersLog.AccountSaved(logger, request.Provider, server, request.Namespace, name);
            }
        }
        catch (ClusterException e)
        {
            // The certificate (if any) is still good; the account is registered again with the same key next time.
            CertificateIssuersLog.Failed(logger, request.Host, server, e.Transient, $"the ACME account could not be saved: {e.Message}");
        }
    }

    private static void EnsureOurs(CertificateRequestContext request, V1Secret secret)
    {
        var theirs = secret.Metadata.Labels ?? new Dictionary<string, string>();
        if (request.Labels.Any(label => !theirs.TryGetValue(label.Key, out var value) || value != label.Value))
        {
            throw new CertificateIssuanceException(
                $"Secret {request.Namespace}/{secret.Metadata.Name} exists and was not created by this stack; the portal will not use it as the ACME account of {request.Provider}.",
                transient: false);
        }
    }

    private static IssuedCertificate ReadCertificate(string folder, string host, string server)
    {
        // lego names the files after the domain, a wildcard's '*' as '_'.
        var stem = Path.Combine(folder, "certificates", host.Replace('*', '_'));
        try
        {
            var chain = File.ReadAllText(stem + ".crt");
            string pkcs8;
            using (var key = ECDsa.Create())
            {
                key.ImportFromPem(File.ReadAllText(stem + ".key"));
                pkcs8 = key.ExportPkcs8PrivateKeyPem();
            }

            var issuer = File.Exists(stem + ".issuer.crt") ? File.ReadAllText(stem + ".issuer.crt").Trim() + "\n" : null;
            using var leaf = X509Certificate2.CreateFromPem(chain);
            return new IssuedCertificate(chain.Trim() + "\n", pkcs8 + "\n", issuer);
        }
        catch (Exception e) when (e is IOException or CryptographicException or ArgumentException)
        {
            throw new CertificateIssuanceException(
                $"lego reported success for {host} at {server} but left no readable certificate and key ({e.GetType().Name}).", transient: false, inner: e);
        }
    }

    private static string SerialOf(string chainPem)
    {
        using var leaf = X509Certificate2.CreateFromPem(chainPem);
        return leaf.SerialNumber;
    }
}
