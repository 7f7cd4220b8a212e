using System.Globalization;
using System.Net;
using Portal.Testing;

namespace Portal.Api.Tests.Install;

/// <summary>The image's contents, built the way its Dockerfile builds them (<c>deploy/publish.sh</c>), run the way the
/// image runs them: the final stage's environment and entry point, from a read-only application folder, as the image's
/// non-root user (when the test runs as root; as the test's own user otherwise), writing only to its data and temp folders.</summary>
public sealed class PublishedImageTests
{
    private static readonly string s_dockerfile = Path.Combine(Builds.RepositoryRoot, "Dockerfile");

    [Fact]
    public void The_image_is_built_by_the_publish_script_and_runs_as_a_non_root_user()
    {
        var file = Dockerfile.Read(s_dockerfile);
        Assert.Equal(2, file.Stages.Count);
        var (build, runtime) = (file.Stages[0], file.Runtime);

        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", build.Image, StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", runtime.Image, StringComparison.Ordinal);
        Assert.Contains(build.All("RUN"), run => run.StartsWith("bash deploy/publish.sh /app", StringComparison.Ordinal));
        Assert.Contains($"--from={build.Name} /app ./", runtime.All("COPY"));
        Assert.Equal("/app", runtime.WorkDir);
        Assert.Equal(["dotnet", "Portal.dll"], runtime.EntryPoint);
        Assert.DoesNotMatch("^(0|root)(:|$)", runtime.User);
        Assert.Contains(runtime.All("RUN"), run => run.Contains("install -y --no-install-recommends lego", StringComparison.Ordinal));
        Assert.Equal("/usr/bin/lego", runtime.Environment()["Portal__Certificates__LegoPath"]);
    }

    [Fact]
    public async Task The_published_output_serves_from_a_read_only_folder_as_the_images_user()
    {
        var ct = TestContext.Current.CancellationToken;
        var runtime = Dockerfile.Read(s_dockerfile).Runtime;
        var work = Directory.CreateTempSubdirectory("portal-image-");
        try
        {
            var app = Path.Combine(work.FullName, "app");
            await using (var publish = ChildProcess.StartProgram("publish", "bash", [Path.Combine(Builds.RepositoryRoot, "deploy", "publish.sh"), app],
                Builds.RepositoryRoot, new Dictionary<string, string>()))
            {
                await publish.WaitForExitAsync(TimeSpan.FromMinutes(10), ct);
            }

            var asRoot = Environment.UserName == "root";
            var user = runtime.User.Split(':');
            var data = Directory.CreateDirectory(Path.Combine(work.FullName, "data")).FullName;
            var tmp = Directory.CreateDirectory(Path.Combine(work.FullName, "tmp")).FullName;
            await RunAsync("chmod", ["-R", "a-w,a+rX", app], ct);
            await RunAsync("chmod", ["0755", work.FullName], ct);
            if (asRoot)
            {
                await RunAsync("chown", [$"{user[0]}:{user.ElementAtOrDefault(1) ?? user[0]}", data, tmp], ct);
            }

            var before = Listing(app);
            var port = ChildProcess.FreePort();
            var environment = runtime.Environment();
            environment["ASPNETCORE_HTTP_PORTS"] = port.ToString(CultureInfo.InvariantCulture);
            environment["Portal__DataDirectory"] = data;
            environment["TMPDIR"] = tmp;
            environment["HOME"] = tmp;
            environment["ASPNETCORE_URLS"] = "";
            environment["DOTNET_ENVIRONMENT"] = "";
            var entry = runtime.EntryPoint;
            string[] args = asRoot
                ? [$"--reuid={user[0]}", $"--regid={user.ElementAtOrDefault(1) ?? user[0]}", "--clear-groups", "--", .. entry]
                : entry[1..];
            await using var portal = ChildProcess.StartProgram("portal", asRoot ? "setpriv" : entry[0], args, app, environment);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            await portal.WaitForLineAsync(l => l.Contains("Now listening on:", StringComparison.Ordinal), TimeSpan.FromMinutes(2), ct);

            var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative), ct);
            Assert.True(health.StatusCode == HttpStatusCode.OK, $"/healthz answered {health.StatusCode}:\n{portal.Tail()}");
            var css = await http.GetAsync(new Uri("/_content/MudBlazor/MudBlazor.min.css", UriKind.Relative), ct);
            Assert.Equal(HttpStatusCode.OK, css.StatusCode);
            var page = await http.GetAsync(new Uri("/signin", UriKind.Relative), ct);
            Assert.True(page.StatusCode == HttpStatusCode.OK, $"/signin answered {page.StatusCode}:\n{portal.Tail()}");

            if (asRoot)
            {
                var status = await File.ReadAllLinesAsync($"/proc/{portal.Id}/status", ct);
                Assert.Contains(status, l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == user[0]);
            }

            Assert.True(File.Exists(Path.Combine(data, "portal.db")), "the portal's database is not in its data directory");
            Assert.Equal(before, Listing(app));
            Assert.DoesNotContain(portal.Lines, l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal));
        }
        finally
        {
            await RunAsync("chmod", ["-R", "u+w", work.FullName], CancellationToken.None);
            work.Delete(recursive: true);
        }
    }

    private static string[] Listing(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    private static async Task RunAsync(string program, string[] args, CancellationToken ct)
    {
        await using var process = ChildProcess.StartProgram(program, program, args, Path.GetTempPath(), new Dictionary<string, string>());
        await process.WaitForExitAsync(TimeSpan.FromMinutes(1), ct);
    }
}
