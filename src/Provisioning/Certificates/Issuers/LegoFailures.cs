using System.Globalization;
using System.Text.RegularExpressions;

namespace Portal.Provisioning.Certificates.Issuers;

/// <summary>Turns what a failed lego run printed into a sentence for the operator and whether trying again can help.</summary>
/// <remarks>The output given here must already be scrubbed of secrets (<see cref="Scrub"/>): parts of it end up in the message.</remarks>
internal static partial class LegoFailures
{
    private const int LongestDetail = 300;

    /// <summary>What the failure is about, for the sentence.</summary>
    /// <param name="Provider">The lego component (its options are what the operator changes).</param>
    /// <param name="Challenge">"http-01" or the DNS provider's name.</param>
    public sealed record RunFacts(string Provider, string Server, string Host, string Email, string Challenge, bool ExternalAccountBinding);

    /// <summary>Replaces every secret value in lego's output (the EAB HMAC, DNS credentials) and the private working folder.</summary>
    public static string Scrub(string output, IEnumerable<string> secrets, string workingFolder)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(secrets);
        var scrubbed = output;
        // Longest first, so a secret that contains another is replaced whole.
        foreach (var secret in secrets.Where(s => s.Length >= 4).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length))
        {
            scrubbed = scrubbed.Replace(secret, "[redacted]", StringComparison.Ordinal);
        }

        return workingFolder.Length == 0 ? scrubbed : scrubbed.Replace(workingFolder, "<lego folder>", StringComparison.Ordinal);
    }

    public static CertificateIssuanceException Classify(string output, int exitCode, RunFacts facts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(facts);
        var server = facts.Server;
        var registering = output.Contains("Could not complete registration", StringComparison.Ordinal);

        if (AcmeProblem().Match(output) is { Success: true } problem)
        {
            var type = problem.Groups["type"].Value;
            var detail = Shorten(problem.Groups["detail"].Value);
            var status = int.Parse(problem.Groups["status"].Value, CultureInfo.InvariantCulture);
            return type switch
            {
                "rateLimited" => new CertificateIssuanceException(
                    $"The ACME server {server} rate-limited the request for {facts.Host}: {detail}. The portal tries again later.",
                    transient: true, RetryAfter(detail, now)),
                "externalAccountRequired" => ExternalAccountRequired(facts),
                "invalidContact" or "unsupportedContact" => new CertificateIssuanceException(
                    $"The ACME server {server} rejected the e-mail address {facts.Email}: {detail}. Set the email option of {facts.Provider} to an address it accepts.",
                    transient: false),
                "unauthorized" when registering => new CertificateIssuanceException(
                    facts.ExternalAccountBinding
                        ? $"The ACME server {server} refused the account: {detail}. Check eab-kid and eab-hmac of {facts.Provider} (the key id and HMAC key the ACME provider gave you)."
                        : $"The ACME server {server} refused the account: {detail}. It may need external account binding: set eab-kid and eab-hmac of {facts.Provider}.",
                    transient: false),
                "malformed" when registering && facts.ExternalAccountBinding => new CertificateIssuanceException(
                    $"The ACME server {server} refused the account: {detail}. Check eab-kid and eab-hmac of {facts.Provider}.",
                    transient: false),
                "connection" or "dns" or "incorrectResponse" or "unauthorized" or "tls" => new CertificateIssuanceException(
                    $"The ACME server {server} could not validate {facts.Host} with {facts.Challenge}: {detail}. "
                    + (facts.Challenge == "http-01"
                        ? $"Check that {facts.Host} resolves to the ingress and that it routes /.well-known/acme-challenge/ to the portal."
                        : $"Check the DNS provider credentials of {facts.Provider} (plugin-credentials) and that the zone of {facts.Host} is theirs."),
                    transient: true),
                "serverInternal" or "badNonce" => Transient($"The ACME server {server} failed: {detail}."),
                "caa" or "rejectedIdentifier" => new CertificateIssuanceException(
                    $"The ACME server {server} will not issue for {facts.Host}: {detail}.", transient: false),
                _ when status >= 500 => Transient($"The ACME server {server} failed: {detail}."),
                _ => new CertificateIssuanceException($"The ACME server {server} refused the certificate for {facts.Host}: {detail}.", transient: false),
            };
        }

        if (output.Contains("Server requires External Account Binding", StringComparison.Ordinal))
        {
            return ExternalAccountRequired(facts);
        }

        if (output.Contains("could not decode hmac key", StringComparison.Ordinal))
        {
            return new CertificateIssuanceException(
                $"eab-hmac of {facts.Provider} is not an HMAC key in base64url (as the ACME provider gives it); set it again.", transient: false);
        }

        if (output.Contains("x509:", StringComparison.Ordinal) || output.Contains("tls: failed to verify", StringComparison.Ordinal))
        {
            return new CertificateIssuanceException(
                $"The portal does not trust the TLS certificate of the ACME server {server}. For a private ACME server, give its CA certificates in acme-ca-certificates of {facts.Provider}.",
                transient: false);
        }

        if (output.Contains("get directory at", StringComparison.Ordinal))
        {
            if (Unreachable().Match(output) is { Success: true } reason)
            {
                return Transient($"The ACME server {server} is not reachable from the portal ({reason.Value.TrimEnd()}). The portal tries again later.");
            }

            if (DirectoryStatus().Match(output) is { Success: true } answered)
            {
                var code = int.Parse(answered.Groups["status"].Value, CultureInfo.InvariantCulture);
                return code >= 500
                    ? Transient($"The ACME server {server} answered HTTP {code} for its directory. The portal tries again later.")
                    : new CertificateIssuanceException(
                        $"{server} answered HTTP {code}, not with an ACME directory. Set the server option of {facts.Provider} to the directory URL (it usually ends in /directory).",
                        transient: false);
            }

            return new CertificateIssuanceException(
                $"{server} did not answer with an ACME directory ({LastLine(output)}). Set the server option of {facts.Provider} to the directory URL.", transient: false);
        }

        if (Unreachable().Match(output) is { Success: true } cut)
        {
            return Transient($"The connection to the ACME server {server} failed ({cut.Value.TrimEnd()}). The portal tries again later.");
        }

        if (output.Contains("unrecognized DNS provider", StringComparison.OrdinalIgnoreCase))
        {
            return new CertificateIssuanceException(
                $"lego does not know the DNS provider '{facts.Challenge}'. Set the plugin option of {facts.Provider} to http-01 or a lego provider code (see `lego dnshelp`).",
                transient: false);
        }

        if (output.Contains("bind: address already in use", StringComparison.Ordinal))
        {
            return Transient("The portal's http-01 challenge port is taken by another program; the portal tries again later.");
        }

        return new CertificateIssuanceException(
            $"lego could not get a certificate for {facts.Host} from {server} (exit code {exitCode.ToString(CultureInfo.InvariantCulture)}): {LastLine(output)}",
            transient: false);
    }

    /// <summary>When the ACME server said to come back, from a rate-limit detail such as Let's Encrypt's
    /// <c>retry after 2024-05-13 17:49:33 UTC</c> (or RFC 3339), or <c>retry after 3600 seconds</c>.</summary>
    public static TimeSpan? RetryAfter(string detail, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(detail);
        if (RetryAt().Match(detail) is { Success: true } at)
        {
            var text = at.Groups["at"].Value.Replace(" UTC", "", StringComparison.Ordinal).TrimEnd('Z').Replace('T', ' ');
            if (DateTimeOffset.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var moment))
            {
                return moment > now ? moment - now : TimeSpan.Zero;
            }
        }

        return RetrySeconds().Match(detail) is { Success: true } seconds
               && long.TryParse(seconds.Groups["seconds"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? TimeSpan.FromSeconds(value)
            : null;
    }

    private static CertificateIssuanceException ExternalAccountRequired(RunFacts facts) => new(
        $"The ACME server {facts.Server} requires external account binding: set eab-kid and eab-hmac of {facts.Provider} to the key id and HMAC key the ACME provider gave you.",
        transient: false);

    private static CertificateIssuanceException Transient(string message) => new(message, transient: true);

    private static string LastLine(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(l => LogPrefix().Replace(l, ""))
            .Where(l => !l.StartsWith("[INFO]", StringComparison.Ordinal) && l.Length > 0)
            .ToList();
        return lines.Count == 0 ? "it printed nothing" : Shorten(lines[^1]);
    }

    private static string Shorten(string text)
    {
        var trimmed = text.Trim().TrimEnd('.');
        return trimmed.Length <= LongestDetail ? trimmed : trimmed[..LongestDetail] + "…";
    }

    // lego prints ACME problems as "acme: error: 403 :: POST :: <url> :: urn:ietf:params:acme:error:<type> :: <detail>".
    [GeneratedRegex(@"acme: error: (?<status>\d{3}) :: \w+ :: \S+ :: urn:ietf:params:acme:error:(?<type>\w+) :: (?<detail>[^\r\n]*)")]
    private static partial Regex AcmeProblem();

    [GeneratedRegex(@"get directory at '[^']*': (?<status>\d{3}) ::")]
    private static partial Regex DirectoryStatus();

    [GeneratedRegex(@"(connection refused|no such host|i/o timeout|network is unreachable|connection reset by peer|TLS handshake timeout|Client\.Timeout exceeded[^\r\n]*|context deadline exceeded|EOF$)", RegexOptions.Multiline)]
    private static partial Regex Unreachable();

    [GeneratedRegex(@"retry after (?<at>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:Z| UTC)?)", RegexOptions.IgnoreCase)]
    private static partial Regex RetryAt();

    [GeneratedRegex(@"retry after (?<seconds>\d+) ?s(?:econds?)?\b", RegexOptions.IgnoreCase)]
    private static partial Regex RetrySeconds();

    [GeneratedRegex(@"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} ")]
    private static partial Regex LogPrefix();
}
