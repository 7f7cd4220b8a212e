using Portal.Provisioning;

namespace Portal.Hosting;

/// <summary>What the portal runs on — storage, job storage, clusters, sign-in — as the shell shows it to the operator.</summary>
public sealed record PortalEnvironment(
    string Storage,
    string JobStorage,
    IReadOnlyList<string> Clusters,
    string SignIn,
    bool IsEmbeddedDefault)
{
    public static PortalEnvironment From(IConfiguration configuration, ProvisioningInfo provisioning)
    {
        var options = configuration.GetSection(PortalOptions.SectionName).Get<PortalOptions>() ?? new PortalOptions();
        var oidcConfigured = configuration.GetSection("Authentication:OpenIdConnect").Exists()
            || configuration.GetSection("AzureAd").Exists();

        var clusters = new List<string>();
        if (options.EmbeddedSandbox)
        {
            clusters.Add("sandbox (embedded)");
        }

        clusters.AddRange(options.Clusters.Select(c => c.Name));

        return new PortalEnvironment(
            provisioning.Storage,
            provisioning.JobStorage,
            clusters,
            oidcConfigured ? "OpenID Connect" : "development sign-in",
            IsEmbeddedDefault: provisioning.IsEmbedded && options.EmbeddedSandbox && !oidcConfigured);
    }
}
