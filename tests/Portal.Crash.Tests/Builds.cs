namespace Portal.Crash.Tests;

/// <summary>The portal's and the sandbox's build output, found through the repository layout: the test project
/// references both (without loading them) so that they are built before it, in the same configuration.</summary>
internal static class Builds
{
    public static string PortalDll => Locate("Portal", "Portal.dll");

    public static string SandboxDll => Locate("Sandbox", "Portal.Sandbox.dll");

    private static string Locate(string project, string dll)
    {
        // <repo>/tests/Portal.Crash.Tests/bin/<Configuration>/net10.0/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent!.Name;
        var repository = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(repository, "src", project, "bin", configuration, framework, dll);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{dll} is not built at {path}: build src/{project} in {configuration} first (dotnet build tests/Portal.Crash.Tests does).", path);
    }
}
