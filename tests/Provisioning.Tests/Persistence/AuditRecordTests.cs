using Portal.Provisioning.Persistence;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Tests.Persistence;

/// <summary>An audit entry's action is one the audit filter documents (AuditActions.All); every path that audits runs in the
/// service tests, so an action written but not listed fails there.</summary>
public sealed class AuditRecordTests
{
    [Fact]
    public void Every_listed_action_is_accepted_and_an_unlisted_one_is_refused_naming_the_list()
    {
        Assert.All(AuditActions.All, action => Assert.Equal(action, new AuditRecord { Actor = "ops", Action = action, Result = "accepted" }.Action));

        var refused = Assert.Throws<ArgumentException>(() => new AuditRecord { Actor = "ops", Action = "deploy", Result = "accepted" });
        Assert.Contains("AuditActions.All", refused.Message, StringComparison.Ordinal);
    }
}
