using System.Collections.Concurrent;
using System.Text;
using Microsoft.Playwright;
using Portal.Testing;

namespace Portal.E2E.Tests;

/// <summary>One test's browser tab on the portal (the page objects in Pages/ read it): its own browser context (cookies, storage), signed in
/// through the development sign-in as dev-admin (Admin) when its first page is opened, every console error and
/// uncaught page error collected — and the test failed on dispose if there was any — and screenshots saved under
/// <c>TestResults/screenshots/</c> at the repository root and attached to the test's result.</summary>
public sealed class PortalTab : IAsyncDisposable
{
    // Generous: the server shares two cores with other test projects.
    private const float ActionTimeoutMs = 60_000;

    /// <summary>Where the portal sends a visitor who is not signed in.</summary>
    private const string SignInPath = "/signin";

    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _errors = new();

    // Taken on the test's own flow: Playwright raises its events on another, where TestContext.Current is not the test's.
    private readonly ITestOutputHelper? _output = TestContext.Current.TestOutputHelper;

    private readonly Uri _baseUrl;

    private PortalTab(IBrowserContext context, IPage page, Uri baseUrl)
    {
        _context = context;
        _baseUrl = baseUrl;
        Page = page;
        Page.Console += (_, message) =>
        {
            // The portal's own pages only: a sign-in provider's pages are not ours to judge.
            if (message.Type == "error" && OnPortal(Page.Url))
            {
                Record($"console error: {message.Text} ({message.Location})");
            }
        };
        Page.PageError += (_, error) => Record($"uncaught page error: {error}");
    }

    public IPage Page { get; }

    /// <summary>Console and page errors so far.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>Where screenshots go: <c>&lt;repo&gt;/TestResults/screenshots</c>.</summary>
    public static string ScreenshotFolder => Path.Combine(Builds.RepositoryRoot, "TestResults", "screenshots");

    internal static async Task<PortalTab> CreateAsync(IBrowser browser, Uri baseUrl, ColorScheme colorScheme)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            ColorScheme = colorScheme,
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(ActionTimeoutMs);
        context.SetDefaultNavigationTimeout(ActionTimeoutMs);
        return new PortalTab(context, await context.NewPageAsync(), baseUrl);
    }

    /// <summary>Opens <paramref name="path"/> and waits until the Blazor circuit is interactive. A tab not signed in yet is
    /// sent to the sign-in page, as a person would be, and signs in there with one click as dev-admin (Admin); the portal
    /// then sends it on to <paramref name="path"/>.</summary>
    public async Task OpenAsync(string path)
    {
        var response = await Page.GotoAsync(path);
        if (new Uri(Page.Url).AbsolutePath == SignInPath)
        {
            response = await SignInAsync(path);
        }

        if (response is not { Ok: true })
        {
            throw new InvalidOperationException($"GET {path} answered {response?.Status}");
        }

        await WaitForInteractiveAsync();
    }

    /// <summary>Opens <paramref name="path"/> as a person who is not signed in and signs in through the OpenID Connect
    /// provider: "Sign in with …" on the portal's sign-in page, the provider's login form (<paramref name="login"/>, any
    /// password) and its consent, and back on <paramref name="path"/> once the circuit is interactive.</summary>
    public async Task SignInWithProviderAsync(string path, string login)
    {
        await Page.GotoAsync(path);
        if (new Uri(Page.Url).AbsolutePath != SignInPath)
        {
            throw new InvalidOperationException($"GET {path} went to {Page.Url}, not to the sign-in page.");
        }

        await Page.GetByTestId("oidc-sign-in").ClickAsync();
        await Page.Locator("input[name='login']").FillAsync(login);
        await Page.Locator("input[name='password']").FillAsync("any password");
        await Page.Locator("button[type='submit']").ClickAsync();

        // The provider asks for consent the first time a person signs in to the client.
        var consent = Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Continue", Exact = true });
        var portal = Page.Locator("[data-interactive='true']");
        await consent.Or(portal).First.WaitForAsync();
        if (!OnPortal(Page.Url))
        {
            await consent.ClickAsync();
        }

        await WaitForInteractiveAsync();
        if (new Uri(Page.Url).PathAndQuery != path)
        {
            throw new InvalidOperationException($"The sign-in came back to {Page.Url}, not to {path}.");
        }
    }

    /// <summary>Clicks the development sign-in's quick button on the sign-in page (the embedded default in Development offers it)
    /// and waits for the page it returns to.</summary>
    private async Task<IResponse?> SignInAsync(string path)
    {
        var quickSignIn = Page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Continue as dev-admin (Admin)", Exact = true });
        if (await quickSignIn.CountAsync() == 0)
        {
            throw new InvalidOperationException(
                $"GET {path} was sent to {Page.Url}, which offers no development sign-in; the portal must run as the embedded default in Development.");
        }

        // The form posts to /signin/dev, which redirects back to the page asked for: wait for that page's own answer.
        return await Page.RunAndWaitForResponseAsync(
            () => quickSignIn.ClickAsync(),
            r => r.Request.IsNavigationRequest && r.Request.RedirectedTo is null
                && !new Uri(r.Url).AbsolutePath.StartsWith(SignInPath, StringComparison.Ordinal));
    }

    /// <summary>The layout marks the shell <c>data-interactive="true"</c> once the circuit runs; clicks before that are lost.</summary>
    public Task WaitForInteractiveAsync() =>
        Page.Locator("[data-interactive='true']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

    /// <summary>A PNG of the whole page (or of <paramref name="element"/>) at
    /// <c>TestResults/screenshots/&lt;test&gt;-&lt;name&gt;.png</c>, also attached to the test result and named in its
    /// output; returns the file's path. <paramref name="fullPage"/> false takes what the window shows (1440×900) instead of the
    /// whole page. With <paramref name="docs"/>, the documentation shows it as <c>docs/images/&lt;docs&gt;</c>, copied there by a
    /// run with <c>PORTAL_UPDATE_DOCS=1</c> (<see cref="DocsImages"/>).</summary>
    public async Task<string> ScreenshotAsync(string name, ILocator? element = null, string? docs = null, bool fullPage = true)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var file = Path.Combine(ScreenshotFolder, $"{Sanitize(TestName())}-{Sanitize(name)}.png");
        // An element is cut out of the full page rather than scrolled into view, where the fixed app bar would cover it.
        var png = await Page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = file,
            FullPage = fullPage,
            Clip = element is null ? null : fullPage ? await DocumentBoxAsync(element) : await element.BoundingBoxAsync() is { } box
                ? new Clip { X = box.X, Y = box.Y, Width = box.Width, Height = box.Height }
                : null,
            Animations = ScreenshotAnimations.Disabled,
        });
        // The media type gives the attachment its .png extension.
        TestContext.Current.AddAttachment(name, png, "image/png");
        _output?.WriteLine($"screenshot {name}: {file}");
        if (docs is not null && DocsImages.Publish(file, docs, DocsImages.Updating) is { } copy)
        {
            _output?.WriteLine($"documentation image {docs}: {copy}");
        }

        return file;
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        if (!_errors.IsEmpty)
        {
            // Also fails a test that passed its own assertions: an error in the console is a defect the operator may not see.
            throw new InvalidOperationException($"The page logged {_errors.Count} error(s):\n{string.Join('\n', _errors)}");
        }
    }

    private bool OnPortal(string url) => url.StartsWith(_baseUrl.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal);

    private static async Task<Clip> DocumentBoxAsync(ILocator element)
    {
        var box = await element.EvaluateAsync<float[]>(
            "e => { const r = e.getBoundingClientRect(); return [r.x + window.scrollX, r.y + window.scrollY, r.width, r.height]; }");
        return new Clip { X = box[0], Y = box[1], Width = box[2], Height = box[3] };
    }

    private void Record(string error)
    {
        _errors.Enqueue(error);
        _output?.WriteLine(error);
    }

    // "Portal.E2E.Tests.DarkModeTests.Method(system: Dark, startsDark: True)" → "DarkModeTests.Method(system=Dark,startsDark=True)".
    private static string TestName()
    {
        var name = TestContext.Current.Test?.TestDisplayName ?? "test";
        var prefix = typeof(PortalTab).Namespace + ".";
        name = name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name;
        return name.Replace(": ", "=", StringComparison.Ordinal).Replace(", ", ",", StringComparison.Ordinal);
    }

    private static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '(' or ')' or '=' or ',' ? c : '_');
        }

        return builder.ToString();
    }
}
