using Portal.Provisioning;
using Portal.Security;

namespace Portal.Hosting;

/// <summary>What the portal runs on — storage, job storage, clusters, sign-in — as the shell shows it to the operator.</summary>
public sealed record PortalEnvironment(
    string Storage,
    string JobStorage,
    IReadOnlyList<string> Clusters,
    string SignIn,
    bool IsEmbeddedDefault)
{
    /// <summary>Development sign-in is on: anyone who reaches the portal can sign in with any role. Every page says so.</summary>
    public bool DevelopmentSignIn { get; init; }

    public static PortalEnvironment From(IConfiguration configuration, ProvisioningInfo provisioning, PortalSignIn signIn)
    {
        var options = configuration.GetSection(PortalOptions.SectionName).Get<PortalOptions>() ?? new PortalOptions();

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
            signIn.Describe(),
            IsEmbeddedDefault: provisioning.IsEmbedded && options.EmbeddedSandbox && !signIn.OpenIdConnect)
        {
            DevelopmentSignIn = signIn.Development,
        };
    }
}
