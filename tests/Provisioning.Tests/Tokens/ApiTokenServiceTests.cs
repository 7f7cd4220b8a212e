using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Portal.Domain.Access;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Tests.Infrastructure;
using Portal.Provisioning.Tokens;

namespace Portal.Provisioning.Tests.Tokens;

/// <summary>API tokens on both databases: verified by digest, refused when revoked or expired, never stored in clear.</summary>
public class ApiTokenServiceTests
{
    public static TheoryData<string> Providers => new() { "postgres", "sqlite" };

    private static async Task WithServiceAsync(string provider, Func<ApiTokenService, FakeTimeProvider, PortalDatabase, Task> test)
    {
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "tokens");
        try
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero));
            await test(new ApiTokenService(database, time, NullLogger<ApiTokenService>.Instance), time, database);
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public Task A_token_verifies_until_it_expires(string provider) => WithServiceAsync(provider, async (service, time, _) =>
    {
        var created = (await service.CreateAsync(new CreateApiTokenCommand("ci", "Operator", 7), "admin", default)).Value;

        var fresh = await service.VerifyAsync(created.Value, default);
        time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        var lastSecond = await service.VerifyAsync(created.Value, default);
        time.Advance(TimeSpan.FromSeconds(1));
        var expired = await service.VerifyAsync(created.Value, default);

        Assert.Equal(ApiTokenVerificationStatus.Valid, fresh.Status);
        Assert.Equal(PortalRole.Operator, fresh.Token!.Role);
        Assert.Equal(ApiTokenVerificationStatus.Valid, lastSecond.Status);
        Assert.Equal(ApiTokenVerificationStatus.Expired, expired.Status);
        Assert.Equal(ApiTokenState.Expired, (await service.ListAsync(default)).Single().State);
    });

    [Theory]
    [MemberData(nameof(Providers))]
    public Task A_revoked_token_is_refused_and_keeps_its_record(string provider) => WithServiceAsync(provider, async (service, _, _) =>
    {
        var created = (await service.CreateAsync(new CreateApiTokenCommand("ci", "Admin", 30), "admin", default)).Value;

        var revoked = await service.RevokeAsync(created.Token.Id, "other-admin", default);
        var verification = await service.VerifyAsync(created.Value, default);

        Assert.Equal("other-admin", revoked.Value.RevokedBy);
        Assert.Equal(ApiTokenVerificationStatus.Revoked, verification.Status);
        Assert.Equal(ApiTokenState.Revoked, (await service.ListAsync(default)).Single().State);
        Assert.True(await service.AnyCreatedAsync(default));
    });

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("apt_short")]
    [InlineData("apt_ABCDEFGHIJKL_secret")]
    [InlineData("apt_abcdefghijkm_wrong-secret")]
    public async Task Anything_but_a_created_token_is_unknown(string presented)
    {
        await WithServiceAsync("sqlite", async (service, _, _) =>
        {
            await service.CreateAsync(new CreateApiTokenCommand("ci", "Viewer", 30), "admin", default);

            Assert.Equal(ApiTokenVerificationStatus.Unknown, (await service.VerifyAsync(presented, default)).Status);
        });
    }

    [Fact]
    public Task The_stored_row_holds_a_digest_of_the_token_and_no_part_of_its_secret() => WithServiceAsync("sqlite", async (service, _, database) =>
    {
        var created = (await service.CreateAsync(new CreateApiTokenCommand("ci", "Viewer", 30), "admin", default)).Value;
        var secret = created.Value[(created.Value.LastIndexOf('_') + 1)..];

        await using var context = database.CreateContext();
        var row = await context.ApiTokens.AsNoTracking().SingleAsync();
        Assert.Equal(32, row.Hash.Length);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(created.Value)), row.Hash);
        Assert.DoesNotContain(secret, System.Text.Json.JsonSerializer.Serialize(row), StringComparison.Ordinal);
    });

    [Fact]
    public Task A_creation_request_lists_every_problem() => WithServiceAsync("sqlite", async (service, _, _) =>
    {
        var result = await service.CreateAsync(new CreateApiTokenCommand(" ", "Owner", 0), "admin", default);

        Assert.Equal(["name", "role", "expiresInDays"], result.Errors.Select(e => e.Path));
        Assert.False(await service.AnyCreatedAsync(default));
    });

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_migrations_hold_the_whole_model(string provider)
    {
        var (database, cleanup) = await TestDatabases.CreateAsync(provider, "model");
        try
        {
            await using var context = database.CreateContext();
            Assert.False(context.Database.HasPendingModelChanges(), "The model changed without a migration: run dotnet ef migrations add for both providers.");
        }
        finally
        {
            await cleanup();
        }
    }
}
