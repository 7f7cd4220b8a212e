namespace Portal.Provisioning.Infrastructure;

/// <summary>Where the embedded default keeps its files (SQLite database, sandbox kubeconfig).</summary>
public static class DataDirectory
{
    public const string Default = ".portal";

    /// <summary>An absolute path for the configured folder. A relative one is taken from the repository root when the portal runs
    /// from a checkout (<c>dotnet run</c> starts it in <c>src/Portal</c>, but the README's <c>.portal/</c> is at the root), and from the
    /// working directory otherwise (a published build, a container).</summary>
    public static string Resolve(string? configured)
    {
        var folder = string.IsNullOrWhiteSpace(configured) ? Default : configured;
        if (Path.IsPathRooted(folder))
        {
            return folder;
        }

        var start = Directory.GetCurrentDirectory();
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Portal.sln")))
            {
                return Path.Combine(directory.FullName, folder);
            }
        }

        return Path.Combine(start, folder);
    }
}
