using Microsoft.Extensions.Options;

namespace Portal.Hosting;

/// <summary>The <c>Portal</c> section of appsettings.json.</summary>
public sealed class PortalOptions
{
    public const string SectionName = "Portal";

    /// <summary>Folder for the embedded default's files (SQLite database, sandbox kubeconfig); a relative path is taken from the
    /// repository root when the portal runs from a checkout, else from the working directory (<see cref="Provisioning.Infrastructure.DataDirectory.Resolve"/>).</summary>
    public string DataDirectory { get; set; } = ".portal";

    /// <summary>Start the in-process sandbox cluster and connect it as cluster <c>sandbox</c>.</summary>
    public bool EmbeddedSandbox { get; set; } = true;

    /// <summary>Clusters to connect at start, besides those added in the UI.</summary>
    public List<ClusterOptions> Clusters { get; set; } = [];
}

/// <summary>A cluster connected from configuration: a kubeconfig file (and context), or the in-cluster service account.</summary>
public sealed class ClusterOptions
{
    public string Name { get; set; } = "";

    /// <summary>Path of a kubeconfig file; empty with <see cref="InCluster"/> set.</summary>
    public string? Kubeconfig { get; set; }

    public string? Context { get; set; }

    public bool InCluster { get; set; }
}

/// <summary>Reports every problem of the Portal section at start, at once.</summary>
internal sealed class PortalOptionsValidator : IValidateOptions<PortalOptions>
{
    public ValidateOptionsResult Validate(string? name, PortalOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            errors.Add("Portal:DataDirectory must name a folder.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Clusters.Count; i++)
        {
            var cluster = options.Clusters[i];
            var path = $"Portal:Clusters:{i}";
            if (string.IsNullOrWhiteSpace(cluster.Name))
            {
                errors.Add($"{path}:Name is empty; every cluster needs a name.");
            }
            else if (!names.Add(cluster.Name))
            {
                errors.Add($"{path}:Name '{cluster.Name}' is used by another cluster.");
            }

            if (cluster.InCluster == !string.IsNullOrWhiteSpace(cluster.Kubeconfig))
            {
                errors.Add($"{path}: give either Kubeconfig or InCluster=true, not both and not neither.");
            }
        }

        if (options.EmbeddedSandbox && names.Contains("sandbox"))
        {
            errors.Add("A configured cluster is named 'sandbox', the name of the embedded sandbox; rename it or set Portal:EmbeddedSandbox to false.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
