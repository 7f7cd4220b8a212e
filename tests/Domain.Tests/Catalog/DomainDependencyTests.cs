using Portal.Domain.Catalog;

namespace Portal.Domain.Tests.Catalog;

public class DomainDependencyTests
{
    [Fact]
    public void Portal_Domain_references_only_System_assemblies()
    {
        var domain = typeof(ComponentCatalog).Assembly;

        var foreign = domain.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => name != "System" && !name.StartsWith("System.", StringComparison.Ordinal) && name != "netstandard" && name != "mscorlib")
            .ToList();

        Assert.Equal("Portal.Domain", domain.GetName().Name);
        Assert.Empty(foreign);
    }

    [Fact]
    public void Domain_project_file_has_no_package_references()
    {
        var project = Path.Combine(RepositoryRoot(), "src", "Domain", "Domain.csproj");

        var text = File.ReadAllText(project);

        Assert.DoesNotContain("<PackageReference", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<FrameworkReference", text, StringComparison.Ordinal);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Portal.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Portal.sln not found above " + AppContext.BaseDirectory);
    }
}
