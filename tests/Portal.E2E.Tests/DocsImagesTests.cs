namespace Portal.E2E.Tests;

/// <summary>The documentation's screenshots are copied only by a run that asks for it, under names a link can rely on.</summary>
public sealed class DocsImagesTests : IDisposable
{
    private readonly string _screenshot = Path.Combine(Path.GetTempPath(), $"docs-images-{Guid.NewGuid():N}.png");

    public DocsImagesTests() => File.WriteAllBytes(_screenshot, [0x89, 0x50, 0x4E, 0x47]);

    [Theory]
    [InlineData("Topology.png")]
    [InlineData("topology.jpg")]
    [InlineData("../topology.png")]
    [InlineData("images/topology.png")]
    [InlineData("-topology.png")]
    public void A_name_that_is_not_a_plain_lower_case_png_file_name_is_refused_on_every_run(string name)
    {
        var refusal = Assert.Throws<ArgumentException>(() => DocsImages.Publish(_screenshot, name, updating: false));

        Assert.Contains(name, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_that_does_not_update_the_documentation_copies_nothing()
    {
        var name = $"never-{Guid.NewGuid():N}.png";

        Assert.Null(DocsImages.Publish(_screenshot, name, updating: false));
        Assert.False(File.Exists(Path.Combine(DocsImages.Folder, name)));
    }

    public void Dispose() => File.Delete(_screenshot);
}
