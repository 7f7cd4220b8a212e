using Microsoft.AspNetCore.Authorization;
using Portal.Domain.Access;

namespace Portal.Security;

/// <summary>The named authorization policies, one per role; every page, API endpoint and circuit action names one of them.</summary>
/// <remarks>Roles include the ones below them, so a policy is met by its role or any higher one.</remarks>
public static class PortalPolicies
{
    /// <summary>Read: stacks, operations, clusters, blueprints, the audit log.</summary>
    public const string Viewer = nameof(PortalRole.Viewer);

    /// <summary>Change stacks: deploy, reconfigure, rotate, retry, cancel, tear down.</summary>
    public const string Operator = nameof(PortalRole.Operator);

    /// <summary>Run the portal: clusters, API tokens, settings, the jobs dashboard.</summary>
    public const string Admin = nameof(PortalRole.Admin);

    public static IReadOnlyList<string> All { get; } = [Viewer, Operator, Admin];

    public static string For(PortalRole role) => role.ToString();

    /// <summary>The role a policy name stands for, or null for a name that is not a role policy.</summary>
    public static PortalRole? RoleOf(string? policy) =>
        policy is not null && All.Contains(policy, StringComparer.Ordinal) ? Enum.Parse<PortalRole>(policy) : null;

    internal static AuthorizationBuilder AddPortalPolicies(this AuthorizationBuilder builder)
    {
        foreach (var role in PortalRoles.All)
        {
            builder.AddPolicy(For(role), policy => policy.RequireAuthenticatedUser().AddRequirements(new PortalRoleRequirement(role)));
        }

        return builder;
    }
}

/// <summary>Met by a user whose portal role includes <see cref="Needed"/>.</summary>
public sealed class PortalRoleRequirement(PortalRole needed) : AuthorizationHandler<PortalRoleRequirement>, IAuthorizationRequirement
{
    public PortalRole Needed { get; } = needed;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PortalRoleRequirement requirement)
    {
        if (context.User.GetPortalRole() is { } role && role.Includes(requirement.Needed))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    public override string ToString() => $"the {Needed} role";
}
