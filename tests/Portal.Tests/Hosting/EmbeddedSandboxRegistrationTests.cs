using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Portal.Sandbox;

namespace Portal.Tests.Hosting;

/// <summary>Where the embedded default's sandbox writes its kubeconfig, as the portal registers it (nothing is started).</summary>
public sealed class EmbeddedSandboxRegistrationTests
{
    private static readonly string DataDirectory = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void The_kubeconfig_goes_to_the_data_directory_by_default()
    {
        Assert.Equal(Path.Combine(DataDirectory, "sandbox.kubeconfig"), KubeconfigPath());
    }

    [Fact]
    public void Sandbox_KubeconfigPath_says_where_it_goes_instead()
    {
        var elsewhere = Path.Combine(Path.GetTempPath(), "portal-tests", "elsewhere.kubeconfig");

        Assert.Equal(elsewhere, KubeconfigPath(("Sandbox:KubeconfigPath", elsewhere)));
    }

    private static string KubeconfigPath(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", Args = [] });
        builder.Configuration["Portal:DataDirectory"] = DataDirectory;
        builder.Configuration["Portal:EmbeddedSandbox"] = "true";
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.AddPortal();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<SandboxClusterOptions>().KubeconfigPath;
    }
}
