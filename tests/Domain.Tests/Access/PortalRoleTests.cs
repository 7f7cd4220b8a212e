using Portal.Domain.Access;

namespace Portal.Domain.Tests.Access;

public class PortalRoleTests
{
    [Theory]
    [InlineData(PortalRole.Viewer, PortalRole.Viewer, true)]
    [InlineData(PortalRole.Viewer, PortalRole.Operator, false)]
    [InlineData(PortalRole.Viewer, PortalRole.Admin, false)]
    [InlineData(PortalRole.Operator, PortalRole.Viewer, true)]
    [InlineData(PortalRole.Operator, PortalRole.Operator, true)]
    [InlineData(PortalRole.Operator, PortalRole.Admin, false)]
    [InlineData(PortalRole.Admin, PortalRole.Viewer, true)]
    [InlineData(PortalRole.Admin, PortalRole.Operator, true)]
    [InlineData(PortalRole.Admin, PortalRole.Admin, true)]
    public void Each_role_includes_the_ones_below_it(PortalRole role, PortalRole needed, bool allowed) =>
        Assert.Equal(allowed, role.Includes(needed));

    [Fact]
    public void An_admin_holds_every_role_and_a_viewer_only_its_own()
    {
        Assert.Equal([PortalRole.Viewer, PortalRole.Operator, PortalRole.Admin], PortalRole.Admin.Implied());
        Assert.Equal([PortalRole.Viewer], PortalRole.Viewer.Implied());
    }

    [Theory]
    [InlineData("viewer", PortalRole.Viewer)]
    [InlineData(" Operator ", PortalRole.Operator)]
    [InlineData("ADMIN", PortalRole.Admin)]
    public void Role_names_parse_in_any_case(string text, PortalRole expected) => Assert.Equal(expected, PortalRoles.TryParse(text).Value);

    [Theory]
    [InlineData(null, "A role is needed")]
    [InlineData("", "A role is needed")]
    [InlineData("root", "'root' is not a role; the roles are Viewer, Operator, Admin.")]
    [InlineData("3", "'3' is not a role")]
    public void Anything_else_is_refused_with_the_roles_named(string? text, string message)
    {
        var error = Assert.Single(PortalRoles.TryParse(text).Errors);

        Assert.Equal("role", error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
