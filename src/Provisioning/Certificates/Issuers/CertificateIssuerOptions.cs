using Microsoft.Extensions.Options;

namespace Portal.Provisioning.Certificates.Issuers;

/// <summary>How the portal runs its ACME client (section <c>Portal:Certificates</c>).</summary>
internal sealed class CertificateIssuerOptions
{
    public const string Section = "Portal:Certificates";

    /// <summary>The <c>lego</c> binary: a path, or a name looked up on PATH (Debian's package installs <c>/usr/bin/lego</c>).</summary>
    public string LegoPath { get; set; } = "lego";

    public AcmeIssuerOptions Acme { get; set; } = new();
}

/// <summary>ACME issuance settings (section <c>Portal:Certificates:Acme</c>).</summary>
internal sealed class AcmeIssuerOptions
{
    /// <summary>Where lego answers http-01 challenges (<c>[interface]:port</c>); the ingress routes
    /// <c>/.well-known/acme-challenge/</c> of each hostname here.</summary>
    public string Http01Address { get; set; } = ":8089";

    /// <summary>Where the cluster reaches the portal's http-01 answers, <c>host:port</c> (the portal's Service, e.g.
    /// <c>airbyte-portal.portal.svc.cluster.local:8089</c>). When set, each http-01 issuance routes
    /// <c>/.well-known/acme-challenge/</c> of the hostname there for the time of the run (a temporary Ingress and an
    /// ExternalName Service in the stack's namespace, as cert-manager's solver does); when empty, something else must route it.</summary>
    public string Http01Solver { get; set; } = "";

    /// <summary>The longest one lego run may take before it is stopped.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(3);
}

/// <summary>Reports every invalid setting at once.</summary>
internal sealed class CertificateIssuerOptionsValidator : IValidateOptions<CertificateIssuerOptions>
{
    public ValidateOptionsResult Validate(string? name, CertificateIssuerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.LegoPath))
        {
            errors.Add($"{CertificateIssuerOptions.Section}:LegoPath must name the lego binary (a path, or 'lego' to find it on PATH).");
        }

        var address = options.Acme?.Http01Address ?? "";
        var colon = address.LastIndexOf(':');
        if (colon < 0 || !ushort.TryParse(address[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port == 0)
        {
            errors.Add($"{CertificateIssuerOptions.Section}:Acme:Http01Address must be [interface]:port, e.g. :8089 or 127.0.0.1:8089.");
        }

        if (options.Acme?.Http01Solver is { Length: > 0 } solver && AcmeSolverRoute.ParseTarget(solver) is null)
        {
            errors.Add($"{CertificateIssuerOptions.Section}:Acme:Http01Solver must be host:port as the cluster reaches the portal, e.g. airbyte-portal.portal.svc.cluster.local:8089.");
        }

        if (options.Acme is null || options.Acme.Timeout < TimeSpan.FromSeconds(1) || options.Acme.Timeout > TimeSpan.FromMinutes(30))
        {
            errors.Add($"{CertificateIssuerOptions.Section}:Acme:Timeout must be between 1 second and 30 minutes.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
