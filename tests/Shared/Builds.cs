namespace Portal.Testing;

/// <summary>The portal's and the sandbox's build output, found through the repository layout: a test project that runs
/// them references both (without loading them) so that they are built before it, in the same configuration.</summary>
internal static class Builds
{
    public static string PortalDll => Locate("Portal", "Portal.dll");

    public static string SandboxDll => Locate("Sandbox", "Portal.Sandbox.dll");

    /// <summary>The repository root, from the test output folder <c>&lt;repo&gt;/tests/&lt;Project&gt;/bin/&lt;Configuration&gt;/net10.0/</c>.</summary>
    public static string RepositoryRoot => Output.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;

    private static DirectoryInfo Output => new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));

    private static string Locate(string project, string dll)
    {
        var framework = Output.Name;
        var configuration = Output.Parent!.Name;
        var path = Path.Combine(RepositoryRoot, "src", project, "bin", configuration, framework, dll);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{dll} is not built at {path}: build src/{project} in {configuration} first (building the test project does).", path);
    }
}
