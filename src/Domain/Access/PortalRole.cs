using Portal.Domain.Common;
using Portal.Domain.Values;

namespace Portal.Domain.Access;

/// <summary>What a person or API token may do in the portal; each role includes the ones below it.</summary>
public enum PortalRole
{
    /// <summary>Reads stacks, operations, clusters and the audit log.</summary>
    Viewer = 1,

    /// <summary>A viewer who also deploys, reconfigures, rotates, retries, cancels and tears down stacks.</summary>
    Operator = 2,

    /// <summary>An operator who also manages clusters, API tokens and settings, and sees the jobs dashboard.</summary>
    Admin = 3,
}

/// <summary>Parsing and ordering of <see cref="PortalRole"/>.</summary>
public static class PortalRoles
{
    /// <summary>Every role, lowest first.</summary>
    public static IReadOnlyList<PortalRole> All { get; } = [PortalRole.Viewer, PortalRole.Operator, PortalRole.Admin];

    /// <summary>Whether someone with <paramref name="role"/> may do what <paramref name="needed"/> allows.</summary>
    public static bool Includes(this PortalRole role, PortalRole needed) => role >= needed;

    /// <summary>The roles a role includes, itself among them (Admin → Viewer, Operator, Admin).</summary>
    public static IEnumerable<PortalRole> Implied(this PortalRole role) => All.Where(r => role.Includes(r));

    /// <summary>Parses a role name, ignoring case: <c>viewer</c>, <c>Operator</c>, <c>ADMIN</c>.</summary>
    public static Result<PortalRole> TryParse(string? text, string path = "role")
    {
        foreach (var role in All)
        {
            if (string.Equals(text?.Trim(), role.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return role;
            }
        }

        return Result<PortalRole>.Failure(path, string.IsNullOrWhiteSpace(text)
            ? $"A role is needed: one of {string.Join(", ", All)}."
            : $"{Show.QuoteStart(text!)} is not a role; the roles are {string.Join(", ", All)}.");
    }
}
