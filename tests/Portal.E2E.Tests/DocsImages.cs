using System.Text.RegularExpressions;
using Portal.Testing;

namespace Portal.E2E.Tests;

/// <summary>The screenshots the documentation shows (<c>docs/images/</c>), taken by the tests so that they show the product as
/// it is: a test names one with <c>tab.ScreenshotAsync("green", docs: "topology.png")</c>, and a run with
/// <c>PORTAL_UPDATE_DOCS=1</c> copies it there. Other runs leave <c>docs/</c> alone, so that a test run never changes the
/// checkout.</summary>
internal static partial class DocsImages
{
    /// <summary>The environment variable that makes a run write the documentation (also docs/api.md, in Portal.Api.Tests).</summary>
    public const string UpdateVariable = "PORTAL_UPDATE_DOCS";

    /// <summary><c>&lt;repo&gt;/docs/images</c>.</summary>
    public static string Folder => Path.Combine(Builds.RepositoryRoot, "docs", "images");

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    /// <summary>Copies <paramref name="screenshot"/> to <c>docs/images/&lt;name&gt;</c> when the run updates the documentation;
    /// returns the copy's path, or null when it does not.</summary>
    /// <exception cref="ArgumentException">The name is not a plain lower-case <c>.png</c> file name (checked on every run, so that a
    /// typo shows before the run that updates the images).</exception>
    public static string? Publish(string screenshot, string name, bool updating)
    {
        if (!ImageName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a documentation image name: use lower-case letters, digits and '-', ending in .png.", nameof(name));
        }

        if (!updating)
        {
            return null;
        }

        Directory.CreateDirectory(Folder);
        var target = Path.Combine(Folder, name);
        File.Copy(screenshot, target, overwrite: true);
        return target;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*\\.png$")]
    private static partial Regex ImageName();
}
