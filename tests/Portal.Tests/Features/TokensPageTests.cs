using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Domain.Access;
using Portal.Features.Tokens;
using Portal.Provisioning.Stacks;
using Portal.Provisioning.Tokens;

namespace Portal.Tests.Features;

public class TokensPageTests : PortalTestContext
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private readonly FakeTokenService _tokens = new();

    public TokensPageTests()
    {
        Services.AddSingleton<IApiTokenService>(_tokens);
    }

    private IRenderedComponent<TokensPage> RenderPage()
    {
        Render<MudPopoverProvider>();
        return Render<TokensPage>();
    }

    [Fact]
    public void A_created_token_is_shown_once_with_its_value_and_listed_without_it()
    {
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=no-tokens]")));

        page.TypeInto("[data-testid=token-name] input", "ci deploy");
        page.FindAll("button").Single(b => b.TextContent.Contains("Create token", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.Equal(FakeTokenService.Value, page.Find("[data-testid=created-token] input").GetAttribute("value")));
        Assert.Contains("cannot be shown again", page.Find("[data-testid=created-token]").TextContent, StringComparison.Ordinal);
        var row = page.Find("[aria-label='API tokens'] tbody tr").TextContent;
        Assert.Contains("ci deploy", row, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeTokenService.Value, row, StringComparison.Ordinal);
        Assert.Equal(("ci deploy", "Operator", 90, "test-admin"), _tokens.Created.Single());

        page.Find("[data-testid=created-token] button[aria-label='Close']").Click();

        page.WaitForAssertion(() => Assert.DoesNotContain(FakeTokenService.Value, page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public void A_problem_with_the_name_is_shown_at_the_field()
    {
        var page = RenderPage();

        page.FindAll("button").Single(b => b.TextContent.Contains("Create token", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.Contains("A name is needed", page.Find("[data-testid=token-name]").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=created-token]"));
    }

    [Fact]
    public void A_circuit_whose_user_is_not_an_admin_cannot_create_a_token_even_if_the_page_is_shown()
    {
        SignInAs("vera", PortalRole.Viewer);
        var page = RenderPage();

        page.TypeInto("[data-testid=token-name] input", "sneaky");
        page.FindAll("button").Single(b => b.TextContent.Contains("Create token", StringComparison.Ordinal)).Click();

        page.WaitForAssertion(() => Assert.Contains("needs the Admin role", page.Find("[data-testid=token-problem]").TextContent, StringComparison.Ordinal));
        Assert.Empty(_tokens.Created);
    }

    [Fact]
    public void Revoking_asks_first_and_then_revokes_as_the_signed_in_admin()
    {
        _tokens.Add(new ApiTokenView("abcdefghijkm", "nightly", PortalRole.Viewer, T0, "someone", T0.AddDays(30), null, null, null, ApiTokenState.Active));
        var dialogs = Render<MudDialogProvider>();
        var page = RenderPage();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("button[aria-label='Revoke nightly']")));

        page.Find("button[aria-label='Revoke nightly']").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Calls with it are refused at once", dialogs.Markup, StringComparison.Ordinal));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Revoke").Click();

        page.WaitForAssertion(() => Assert.Equal(("abcdefghijkm", "test-admin"), _tokens.Revoked.Single()));
        page.WaitForAssertion(() => Assert.Contains("revoked by test-admin", page.Find("[aria-label='API tokens'] tbody tr").TextContent, StringComparison.Ordinal));
    }

    /// <summary>Keeps tokens in memory and applies the name rule, as the service does.</summary>
    private sealed class FakeTokenService : IApiTokenService
    {
        public const string Value = "apt_abcdefghijkm_secret-value-only-shown-once";
        private readonly List<ApiTokenView> _tokens = [];

        public List<(string Name, string Role, int Days, string Actor)> Created { get; } = [];

        public List<(string Id, string Actor)> Revoked { get; } = [];

        public void Add(ApiTokenView token) => _tokens.Add(token);

        public Task<IReadOnlyList<ApiTokenView>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ApiTokenView>>([.. _tokens]);

        public Task<ServiceResult<ApiTokenView>> GetAsync(string id, CancellationToken cancellationToken) =>
            Task.FromResult(ServiceResult<ApiTokenView>.Ok(_tokens.Single(t => t.Id == id)));

        public Task<ServiceResult<CreatedApiToken>> CreateAsync(CreateApiTokenCommand command, string actor, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(command.Name))
            {
                return Task.FromResult(ServiceResult<CreatedApiToken>.Invalid("name", "A name is needed: say what uses the token."));
            }

            Created.Add((command.Name, command.Role!, command.ExpiresInDays!.Value, actor));
            var token = new ApiTokenView("abcdefghijkm", command.Name, PortalRoles.TryParse(command.Role).Value, T0, actor, T0.AddDays(command.ExpiresInDays.Value), null, null, null, ApiTokenState.Active);
            _tokens.Add(token);
            return Task.FromResult(ServiceResult<CreatedApiToken>.Ok(new CreatedApiToken(token, Value)));
        }

        public Task<ServiceResult<ApiTokenView>> RevokeAsync(string id, string actor, CancellationToken cancellationToken)
        {
            Revoked.Add((id, actor));
            var index = _tokens.FindIndex(t => t.Id == id);
            _tokens[index] = _tokens[index] with { State = ApiTokenState.Revoked, RevokedBy = actor, RevokedAt = T0 };
            return Task.FromResult(ServiceResult<ApiTokenView>.Ok(_tokens[index]));
        }

        public Task<ApiTokenVerification> VerifyAsync(string token, CancellationToken cancellationToken) =>
            Task.FromResult(new ApiTokenVerification(ApiTokenVerificationStatus.Unknown, null));

        public Task<bool> AnyCreatedAsync(CancellationToken cancellationToken) => Task.FromResult(_tokens.Count > 0);
    }
}
