using Npgsql;
using Portal.Provisioning.Infrastructure;
using Portal.Provisioning.Relations.Postgresql;

namespace Portal.Provisioning.Tests.Relations.Postgresql;

/// <summary>Provisioning a relation's database and role on the real server, through an admin that is not a superuser.</summary>
[Collection(PostgresCollection.Name)]
public sealed class EnsureDatabaseTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_relation_gets_a_login_role_that_owns_its_database_and_can_create_tables()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var name = postgres.RelationName();
        var password = PasswordGenerator.Generate();

        var result = await admin.EnsureDatabaseAsync(postgres.Admin, name, name, password, ExistingRolePassword.Keep, Ct);

        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
        Assert.Contains($"created login role {name}", result.Value.Changes);
        Assert.Contains($"created database {name} owned by {name}", result.Value.Changes);
        Assert.True((await admin.VerifyLoginAsync(postgres.Server, name, name, password, Ct)).Succeeded);
        Assert.Equal(name, await postgres.DatabaseOwnerAsync(name));

        await using (var connection = await postgres.ConnectAsAsync(name, name, password))
        {
            await using var command = new NpgsqlCommand(
                "CREATE TABLE jobs (id bigint PRIMARY KEY, status text); INSERT INTO jobs VALUES (1, 'running'); SELECT count(*) FROM public.jobs",
                connection);
            Assert.Equal(1L, await command.ExecuteScalarAsync(Ct));
        }

        // LOGIN only: no SUPERUSER, CREATEDB, CREATEROLE, INHERIT, REPLICATION or BYPASSRLS.
        Assert.Equal(
            "t,f,f,f,f,f,f",
            await postgres.ScalarAsync<string>(
                "SELECT concat_ws(',', rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolreplication, rolbypassrls) FROM pg_roles WHERE rolname = $1",
                name));
    }

    [Fact]
    public async Task A_relation_role_cannot_connect_to_another_relations_database_nor_can_other_roles_connect_to_its_own()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var stack = postgres.NewStack();
        var airbyte = PostgresFixture.RelationName(stack, "airbyte:db");
        var temporal = PostgresFixture.RelationName(stack, "temporal:db");
        var airbytePassword = PasswordGenerator.Generate();
        await EnsureAsync(admin, airbyte, airbytePassword);
        await EnsureAsync(admin, temporal, PasswordGenerator.Generate());
        var bystander = await postgres.CreateForeignRoleAsync();

        var crossRelation = await admin.VerifyLoginAsync(postgres.Server, temporal, airbyte, airbytePassword, Ct);
        var otherRole = await admin.VerifyLoginAsync(postgres.Server, airbyte, bystander, "foreign", Ct);

        Assert.False(crossRelation.Succeeded);
        Assert.Equal(DatabaseFailure.InsufficientPrivilege, crossRelation.Failure);
        Assert.Equal($"{airbyte} cannot log in to {temporal} on {postgres.Server}: permission denied for database \"{temporal}\"", crossRelation.Message);
        Assert.False(otherRole.Succeeded);
        Assert.Equal(DatabaseFailure.InsufficientPrivilege, otherRole.Failure);
    }

    [Fact]
    public async Task A_second_call_with_the_same_inputs_changes_nothing()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var name = postgres.RelationName();
        var password = PasswordGenerator.Generate();
        await EnsureAsync(admin, name, password);
        var before = await postgres.SnapshotAsync(name, name);

        var again = await admin.EnsureDatabaseAsync(postgres.Admin, name, name, password, ExistingRolePassword.Keep, Ct);

        Assert.True(again.IsSuccess, string.Join("; ", again.Errors));
        Assert.Empty(again.Value.Changes);
        Assert.Equal(before, await postgres.SnapshotAsync(name, name));
        Assert.True((await admin.VerifyLoginAsync(postgres.Server, name, name, password, Ct)).Succeeded);
    }

    [Fact]
    public async Task Concurrent_calls_for_the_same_relation_all_succeed_and_create_it_once()
    {
        var name = postgres.RelationName();
        var password = PasswordGenerator.Generate();

        // Separate instances, as separate portal replicas would run them.
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            postgres.CreateDatabaseAdmin().EnsureDatabaseAsync(postgres.Admin, name, name, password, ExistingRolePassword.Keep, Ct)));

        Assert.All(results, r => Assert.True(r.IsSuccess, string.Join("; ", r.Errors)));
        var changes = results.SelectMany(r => r.Value.Changes).ToList();
        Assert.Single(changes, c => c == $"created database {name} owned by {name}");
        Assert.Single(changes, c => c == $"created login role {name}");
        Assert.True((await postgres.CreateDatabaseAdmin().VerifyLoginAsync(postgres.Server, name, name, password, Ct)).Succeeded);
    }

    [Fact]
    public async Task A_call_waits_while_another_session_holds_the_relations_lock_and_shows_up_as_airbyte_portal()
    {
        var name = postgres.RelationName();
        var password = PasswordGenerator.Generate();
        await using var holder = await postgres.Superuser.OpenConnectionAsync(Ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended($1, 0))", holder))
        {
            take.Parameters.Add(new NpgsqlParameter { Value = $"airbyte-portal/role/{name}" });
            await take.ExecuteNonQueryAsync(Ct);
        }

        var ensure = postgres.CreateDatabaseAdmin().EnsureDatabaseAsync(postgres.Admin, name, name, password, ExistingRolePassword.Keep, Ct);
        var waiting = await WaitUntilAsync(async () => await postgres.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'airbyte-portal' AND usename = $1 AND wait_event = 'advisory'",
            postgres.Admin.Username) == 1);
        var createdWhileLocked = await postgres.DatabaseOwnerAsync(name);
        await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", holder))
        {
            await release.ExecuteNonQueryAsync(Ct);
        }

        var result = await ensure;

        Assert.True(waiting, "the portal's session never waited on the advisory lock");
        Assert.Null(createdWhileLocked);
        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
        Assert.Equal(name, await postgres.DatabaseOwnerAsync(name));
    }

    [Fact]
    public async Task A_lock_held_longer_than_the_command_timeout_fails_as_a_transient_timeout_and_creates_nothing()
    {
        var name = postgres.RelationName();
        await using var holder = await postgres.Superuser.OpenConnectionAsync(Ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended($1, 0))", holder))
        {
            take.Parameters.Add(new NpgsqlParameter { Value = $"airbyte-portal/role/{name}" });
            await take.ExecuteNonQueryAsync(Ct);
        }

        var admin = postgres.CreateDatabaseAdmin(commandTimeout: TimeSpan.FromSeconds(1));
        var thrown = await Assert.ThrowsAsync<DatabaseAdminException>(() =>
            admin.EnsureDatabaseAsync(postgres.Admin, name, name, PasswordGenerator.Generate(), ExistingRolePassword.Keep, Ct));

        Assert.Equal(DatabaseFailure.Timeout, thrown.Failure);
        Assert.True(thrown.IsTransient);
        Assert.Equal($"cannot provision database {name} for role {name} on {postgres.Server}: no answer within 1 s", thrown.Message);
        Assert.False(await postgres.RoleExistsAsync(name));
    }

    [Fact]
    public async Task A_database_owned_by_someone_else_is_refused_and_nothing_changes()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var name = postgres.RelationName();
        var someoneElse = await postgres.CreateForeignRoleAsync();
        await postgres.ExecuteAsync($"CREATE DATABASE {name} OWNER {someoneElse}");
        var aclBefore = await postgres.ScalarAsync<string>("SELECT coalesce(datacl::text, 'default') FROM pg_database WHERE datname = $1", name);

        var result = await admin.EnsureDatabaseAsync(postgres.Admin, name, name, PasswordGenerator.Generate(), ExistingRolePassword.Reset, Ct);

        Assert.False(result.IsSuccess);
        var error = Assert.Single(result.Errors);
        Assert.Equal("database", error.Path);
        Assert.Equal($"database {name} exists and is owned by someone else ({someoneElse}); the portal will not take it over", error.Message);
        Assert.False(await postgres.RoleExistsAsync(name));
        Assert.Equal(someoneElse, await postgres.DatabaseOwnerAsync(name));
        Assert.Equal(aclBefore, await postgres.ScalarAsync<string>("SELECT coalesce(datacl::text, 'default') FROM pg_database WHERE datname = $1", name));
    }

    [Theory]
    [InlineData("LOGIN CREATEDB", "CREATEDB")]
    [InlineData("NOLOGIN", "NOLOGIN")]
    [InlineData("LOGIN CREATEROLE", "CREATEROLE")]
    public async Task An_existing_role_with_other_powers_is_refused_and_no_database_is_created(string attributes, string named)
    {
        var admin = postgres.CreateDatabaseAdmin();
        var name = postgres.RelationName();
        await postgres.ExecuteAsync($"CREATE ROLE {name} {attributes} PASSWORD 'original'");

        var result = await admin.EnsureDatabaseAsync(postgres.Admin, name, name, PasswordGenerator.Generate(), ExistingRolePassword.Reset, Ct);

        var error = Assert.Single(result.Errors);
        Assert.Equal("role", error.Path);
        Assert.Equal($"role {name} exists but is not a plain login role ({named}); the portal will not use it", error.Message);
        Assert.Null(await postgres.DatabaseOwnerAsync(name));
        Assert.Equal(
            attributes.StartsWith("LOGIN", StringComparison.Ordinal),
            (await admin.VerifyLoginAsync(postgres.Server, "postgres", name, "original", Ct)).Succeeded);
    }

    [Fact]
    public async Task Both_conflicts_are_reported_at_once()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var name = postgres.RelationName();
        var someoneElse = await postgres.CreateForeignRoleAsync();
        await postgres.ExecuteAsync($"CREATE ROLE {name} LOGIN CREATEDB");
        await postgres.ExecuteAsync($"CREATE DATABASE {name} OWNER {someoneElse}");

        var result = await admin.EnsureDatabaseAsync(postgres.Admin, name, name, PasswordGenerator.Generate(), ExistingRolePassword.Keep, Ct);

        Assert.Equal(["role", "database"], result.Errors.Select(e => e.Path));
    }

    [Fact]
    public async Task An_existing_role_keeps_its_password_unless_asked_to_reset_it()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var name = postgres.RelationName();
        var first = PasswordGenerator.Generate();
        var second = PasswordGenerator.Generate();
        var third = PasswordGenerator.Generate();
        await EnsureAsync(admin, name, first);

        var kept = await admin.EnsureDatabaseAsync(postgres.Admin, name, name, second, ExistingRolePassword.Keep, Ct);
        var firstStillWorks = await admin.VerifyLoginAsync(postgres.Server, name, name, first, Ct);
        var secondRejected = await admin.VerifyLoginAsync(postgres.Server, name, name, second, Ct);
        var reset = await admin.EnsureDatabaseAsync(postgres.Admin, name, name, third, ExistingRolePassword.Reset, Ct);

        Assert.Empty(kept.Value.Changes);
        Assert.True(firstStillWorks.Succeeded);
        Assert.Equal(DatabaseFailure.AuthenticationFailed, secondRejected.Failure);
        Assert.Equal([$"set the password of role {name}"], reset.Value.Changes);
        Assert.True((await admin.VerifyLoginAsync(postgres.Server, name, name, third, Ct)).Succeeded);
        Assert.False((await admin.VerifyLoginAsync(postgres.Server, name, name, first, Ct)).Succeeded);
    }

    [Theory]
    [InlineData("it's a \"quoted\" pass'word''")]
    [InlineData(@"back\slash\\double\' \x41 \n end\")]
    [InlineData("héllo wörld ñ 日本語 Ελληνικά 🔑")]
    [InlineData("'; DROP ROLE postgres; --")]
    [InlineData("$$ dollar $tag$ E'quote' %L %I")]
    public async Task Passwords_with_quotes_backslashes_and_unicode_log_in_and_are_never_logged(string password)
    {
        var logger = new CapturingLogger<ExternalDatabaseAdmin>();
        var admin = postgres.CreateDatabaseAdmin(logger);
        var name = postgres.RelationName();

        await EnsureAsync(admin, name, password);
        var login = await admin.VerifyLoginAsync(postgres.Server, name, name, password, Ct);
        var wrong = await admin.VerifyLoginAsync(postgres.Server, name, name, password + "x", Ct);
        await using var direct = await postgres.ConnectAsAsync(name, name, password);

        Assert.True(login.Succeeded, login.Message);
        Assert.Equal(DatabaseFailure.AuthenticationFailed, wrong.Failure);
        Assert.DoesNotContain(password, logger.All, StringComparison.Ordinal);
        Assert.DoesNotContain(password, login.Message + wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_never_receives_the_password_itself_only_a_scram_verifier()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var name = postgres.RelationName();

        await EnsureAsync(admin, name, PasswordGenerator.Generate());

        var stored = await postgres.ScalarAsync<string>("SELECT rolpassword FROM pg_authid WHERE rolname = $1", name);
        Assert.StartsWith("SCRAM-SHA-256$4096:", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Names_that_postgresql_would_truncate_are_rejected_before_touching_the_server()
    {
        var admin = postgres.CreateDatabaseAdmin();
        var tooLong = new string('a', 64);

        await Assert.ThrowsAsync<ArgumentException>(() =>
            admin.EnsureDatabaseAsync(postgres.Admin, tooLong, tooLong, "password", ExistingRolePassword.Keep, Ct));
    }

    private static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50, Ct);
        }

        return false;
    }

    private async Task EnsureAsync(IDatabaseAdmin admin, string name, string password)
    {
        var result = await admin.EnsureDatabaseAsync(postgres.Admin, name, name, password, ExistingRolePassword.Keep, Ct);
        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
    }
}
