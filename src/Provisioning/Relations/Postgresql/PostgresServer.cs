using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Portal.Domain.Common;

namespace Portal.Provisioning.Relations.Postgresql;

/// <summary>How connections to PostgreSQL use TLS: the libpq <c>sslmode</c> values of the <c>sslmode</c> option.</summary>
public enum PostgresSslMode
{
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

/// <summary>Where an external PostgreSQL server listens and how to reach it: host, port, TLS mode and trusted CA.</summary>
public sealed record PostgresServer
{
    private PostgresServer(string host, int port, PostgresSslMode sslMode, string caCertificatePem)
    {
        Host = host;
        Port = port;
        SslMode = sslMode;
        CaCertificatePem = caCertificatePem;
    }

    public string Host { get; }

    public int Port { get; }

    public PostgresSslMode SslMode { get; }

    /// <summary>PEM text of the CA certificate(s) that signed the server's certificate; empty to use the system trust store.</summary>
    /// <remarks>Used only by <c>verify-ca</c> and <c>verify-full</c>: like Npgsql, <c>require</c> encrypts without
    /// checking the certificate.</remarks>
    public string CaCertificatePem { get; }

    /// <summary>The libpq spelling of <see cref="SslMode"/>, as written to a relation Secret under <c>sslmode</c>.</summary>
    public string SslModeName => SslModeNameOf(SslMode);

    /// <summary><c>host:port</c>, the way messages name the server (IPv6 addresses in brackets).</summary>
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal)
            ? $"[{Host}]:{Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static Result<PostgresServer> Create(string host, int port, PostgresSslMode sslMode, string? caCertificatePem = null)
    {
        var errors = new ErrorList();
        host = host.Trim();
        if (host.Length == 0)
        {
            errors.Add("host", "is required");
        }
        else if (host.Length > 253 || host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add("host", "must be a hostname or an IP address");
        }

        if (port is < 1 or > 65535)
        {
            errors.Add("port", "must be between 1 and 65535");
        }

        var pem = caCertificatePem?.Trim() ?? "";
        if (pem.Length > 0 && !ContainsCertificate(pem))
        {
            errors.Add("ca-certificate", "must be one or more PEM certificates (-----BEGIN CERTIFICATE-----)");
        }

        return errors.ToResult(() => new PostgresServer(host, port, sslMode, pem));
    }

    public static Result<PostgresSslMode> ParseSslMode(string value) => value.Trim().ToLowerInvariant() switch
    {
        "disable" => PostgresSslMode.Disable,
        "allow" => PostgresSslMode.Allow,
        "prefer" => PostgresSslMode.Prefer,
        "require" => PostgresSslMode.Require,
        "verify-ca" => PostgresSslMode.VerifyCa,
        "verify-full" => PostgresSslMode.VerifyFull,
        _ => Result<PostgresSslMode>.Failure("", "must be one of disable, allow, prefer, require, verify-ca, verify-full"),
    };

    public static string SslModeNameOf(PostgresSslMode mode) => mode switch
    {
        PostgresSslMode.Disable => "disable",
        PostgresSslMode.Allow => "allow",
        PostgresSslMode.Prefer => "prefer",
        PostgresSslMode.Require => "require",
        PostgresSslMode.VerifyCa => "verify-ca",
        PostgresSslMode.VerifyFull => "verify-full",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>The certificates of <see cref="CaCertificatePem"/>; the caller disposes them.</summary>
    internal X509Certificate2Collection LoadCaCertificates()
    {
        var certificates = new X509Certificate2Collection();
        if (CaCertificatePem.Length > 0)
        {
            certificates.ImportFromPem(CaCertificatePem);
        }

        return certificates;
    }

    private static bool ContainsCertificate(string pem)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
            return certificates.Count > 0;
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }
}

/// <summary>The admin role the portal logs in with on an external server (CREATEDB and CREATEROLE, or superuser).</summary>
/// <remarks><see cref="ToString"/> never shows the password, so the record can be logged or put in a message.</remarks>
public sealed record PostgresAdminLogin
{
    /// <summary>The database the admin connects to for server-wide work; every PostgreSQL server has it unless removed.</summary>
    public const string DefaultMaintenanceDatabase = "postgres";

    private PostgresAdminLogin(PostgresServer server, string username, string password, string maintenanceDatabase)
    {
        Server = server;
        Username = username;
        Password = password;
        MaintenanceDatabase = maintenanceDatabase;
    }

    public PostgresServer Server { get; }

    public string Username { get; }

    public string Password { get; }

    /// <summary>Where the admin connects to create roles and databases (and where the portal's advisory locks live).</summary>
    public string MaintenanceDatabase { get; }

    public override string ToString() => $"{Username} on {Server}";

    public static Result<PostgresAdminLogin> Create(PostgresServer server, string username, string password, string maintenanceDatabase = DefaultMaintenanceDatabase)
    {
        var errors = new ErrorList();
        CheckCredentials(errors, username, password, maintenanceDatabase);
        return errors.ToResult(() => new PostgresAdminLogin(server, username, password, maintenanceDatabase));
    }

    /// <summary>Reads the options of an external <c>postgresql</c> component; pass its effective options
    /// (<c>ComponentSpec.Effective</c>) so that defaults such as the port are filled in. Lists every problem.</summary>
    public static Result<PostgresAdminLogin> FromOptions(IReadOnlyDictionary<string, string> options)
    {
        var errors = new ErrorList();
        string Get(string key) => options.TryGetValue(key, out var value) ? value : "";

        // A port or sslmode that does not parse is reported here; a stand-in lets the other checks still run.
        if (!int.TryParse(Get("port"), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            errors.Add("port", Get("port").Length == 0 ? "is required" : "must be between 1 and 65535");
            port = 5432;
        }

        if (!errors.Collect(PostgresServer.ParseSslMode(Get("sslmode")), "sslmode", out var sslMode))
        {
            sslMode = PostgresSslMode.Require;
        }

        errors.Collect(PostgresServer.Create(Get("host"), port, sslMode, Get("ca-certificate")), "", out var server);
        CheckCredentials(errors, Get("admin-username"), Get("admin-password"), DefaultMaintenanceDatabase);
        return errors.ToResult(() => new PostgresAdminLogin(server, Get("admin-username"), Get("admin-password"), DefaultMaintenanceDatabase));
    }

    private static void CheckCredentials(ErrorList errors, string username, string password, string maintenanceDatabase)
    {
        if (string.IsNullOrWhiteSpace(username))
        {
            errors.Add("admin-username", "is required");
        }
        else if (!PostgresNames.IsValid(username))
        {
            errors.Add("admin-username", PostgresNames.Rule);
        }

        if (string.IsNullOrEmpty(password))
        {
            errors.Add("admin-password", "is required");
        }
        else if (password.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add("admin-password", "must not contain a NUL character");
        }

        if (!PostgresNames.IsValid(maintenanceDatabase))
        {
            errors.Add("maintenance-database", PostgresNames.Rule);
        }
    }
}
