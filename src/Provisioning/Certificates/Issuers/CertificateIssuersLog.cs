using Microsoft.Extensions.Logging;

namespace Portal.Provisioning.Certificates.Issuers;

/// <summary>Log messages of the issuers. Hosts, servers and outcomes only: never a key, an EAB HMAC, DNS credentials or lego's
/// raw output.</summary>
internal static partial class CertificateIssuersLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Requesting a certificate for {Host} from {Server} ({Challenge}) for {Stack}/{Provider}")]
    public static partial void Requesting(ILogger logger, string host, string server, string challenge, string stack, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Server} issued a certificate for {Host} (serial {Serial})")]
    public static partial void Issued(ILogger logger, string host, string server, string serial);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No certificate for {Host} from {Server} (transient: {Transient}): {Reason}")]
    public static partial void Failed(ILogger logger, string host, string server, bool transient, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Saved the ACME account of {Provider} at {Server} in Secret {Namespace}/{Secret}")]
    public static partial void AccountSaved(ILogger logger, string provider, string server, string @namespace, string secret);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete lego's working folder {Folder}: {Reason}")]
    public static partial void CleanupFailed(ILogger logger, string folder, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the http-01 route of {Host} in {Namespace}; the next issuance or a teardown removes it: {Reason}")]
    public static partial void SolverRouteLeft(ILogger logger, string host, string @namespace, string reason);
}
