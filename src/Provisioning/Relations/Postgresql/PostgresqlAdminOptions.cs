using Microsoft.Extensions.Options;

namespace Portal.Provisioning.Relations.Postgresql;

/// <summary>How long the portal waits on an external PostgreSQL server (section <c>Provisioning:Postgresql</c>).</summary>
internal sealed class PostgresqlAdminOptions
{
    public const string Section = "Provisioning:Postgresql";

    /// <summary>Connecting, TLS and login together (Npgsql <c>Timeout</c>).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>One statement, including waiting for another replica's advisory lock (Npgsql <c>Command Timeout</c>).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>Reports every invalid timeout at once.</summary>
internal sealed class PostgresqlAdminOptionsValidator : IValidateOptions<PostgresqlAdminOptions>
{
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, PostgresqlAdminOptions options)
    {
        var errors = new List<string>();
        if (options.ConnectTimeout < TimeSpan.FromSeconds(1) || options.ConnectTimeout > Longest)
        {
            errors.Add($"{PostgresqlAdminOptions.Section}:ConnectTimeout must be between 1 second and 10 minutes.");
        }

        if (options.CommandTimeout < TimeSpan.FromSeconds(1) || options.CommandTimeout > Longest)
        {
            errors.Add($"{PostgresqlAdminOptions.Section}:CommandTimeout must be between 1 second and 10 minutes.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
