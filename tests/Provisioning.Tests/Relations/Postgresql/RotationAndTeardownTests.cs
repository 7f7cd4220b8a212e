using Npgsql;
using Portal.Provisioning.Infrastructure;
using Portal.Provisioning.Relations.Postgresql;

namespace Portal.Provisioning.Tests.Relations.Postgresql;

/// <summary>Secret rotation and teardown of a relation's role and database on the real server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RotationAndTeardownTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_rotation_the_new_password_logs_in_and_the_old_one_does_not()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var (name, oldPassword) = await ProvisionAsync(admin);
        var newPassword = PasswordGenerator.Generate();

        var rotated = await admin.RotatePasswordAsync(postgres.Admin, name, newPassword, Ct);

        Assert.True(rotated.IsSuccess, string.Join("; ", rotated.Errors));
        Assert.Equal([$"set a new password for role {name}"], rotated.Value.Changes);
        Assert.True((await admin.VerifyLoginAsync(postgres.Server, name, name, newPassword, Ct)).Succeeded);
        var old = await admin.VerifyLoginAsync(postgres.Server, name, name, oldPassword, Ct);
        Assert.False(old.Succeeded);
        Assert.Equal(DatabaseFailure.AuthenticationFailed, old.Failure);
    }

    [Fact]
    public async Task Rotating_a_missing_role_fails_without_creating_it()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var name = postgres.RelationName();

        var result = await admin.RotatePasswordAsync(postgres.Admin, name, PasswordGenerator.Generate(), Ct);

        Assert.Equal($"role {name} does not exist", Assert.Single(result.Errors).Message);
        Assert.False(await postgres.RoleExistsAsync(name));
    }

    [Fact]
    public async Task Rotation_refuses_a_role_that_is_not_a_plain_login_role_and_leaves_its_password()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var other = await postgres.CreateForeignRoleAsync("LOGIN CREATEDB");

        var result = await admin.RotatePasswordAsync(postgres.Admin, other, PasswordGenerator.Generate(), Ct);

        Assert.False(result.IsSuccess);
        Assert.True((await admin.VerifyLoginAsync(postgres.Server, "postgres", other, "foreign", Ct)).Succeeded);
    }

    [Fact]
    public async Task Teardown_drops_the_database_with_open_sessions_then_the_role_and_repeating_it_succeeds()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var (name, password) = await ProvisionAsync(admin);
        await using var openSession = await postgres.ConnectAsAsync(name, name, password);

        var database = await admin.DropDatabaseAsync(postgres.Admin, name, name, Ct);
        var role = await admin.DropRoleAsync(postgres.Admin, name, Ct);
        var databaseAgain = await admin.DropDatabaseAsync(postgres.Admin, name, name, Ct);
        var roleAgain = await admin.DropRoleAsync(postgres.Admin, name, Ct);

        Assert.Contains($"dropped database {name}", database.Value.Changes);
        Assert.Contains($"dropped role {name}", role.Value.Changes);
        Assert.Empty(databaseAgain.Value.Changes);
        Assert.Empty(roleAgain.Value.Changes);
        Assert.Null(await postgres.DatabaseOwnerAsync(name));
        Assert.False(await postgres.RoleExistsAsync(name));
        await using var command = new NpgsqlCommand("SELECT 1", openSession);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task Teardown_refuses_a_database_owned_by_someone_else()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var name = postgres.RelationName();
        var someoneElse = await postgres.CreateForeignRoleAsync();
        await postgres.ExecuteAsync($"CREATE DATABASE {name} OWNER {someoneElse}");

        var result = await admin.DropDatabaseAsync(postgres.Admin, name, name, Ct);

        Assert.Equal($"database {name} is owned by someone else ({someoneElse}); the portal will not drop it", Assert.Single(result.Errors).Message);
        Assert.Equal(someoneElse, await postgres.DatabaseOwnerAsync(name));
    }

    [Fact]
    public async Task A_role_that_still_owns_its_database_is_not_dropped()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var (name, password) = await ProvisionAsync(admin);

        var result = await admin.DropRoleAsync(postgres.Admin, name, Ct);

        Assert.Equal($"role {name} still owns database {name}; drop the database first", Assert.Single(result.Errors).Message);
        Assert.True((await admin.VerifyLoginAsync(postgres.Server, name, name, password, Ct)).Succeeded);
    }

    private async Task<(string Name, string Password)> ProvisionAsync(IDatabaseAdmin admin)
    {
        var name = postgres.RelationName();
        var password = PasswordGenerator.Generate();
        var result = await admin.EnsureDatabaseAsync(postgres.Admin, name, name, password, ExistingRolePassword.Keep, Ct);
        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
        return (name, password);
    }
}
