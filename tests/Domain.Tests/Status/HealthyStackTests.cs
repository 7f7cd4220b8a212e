using Portal.Domain.Status;

namespace Portal.Domain.Tests.Status;

public sealed class HealthyStackTests
{
    [Fact]
    public void A_fully_deployed_healthy_stack_is_active_with_every_relation_healthy()
    {
        var status = StatusWorld.Healthy().Evaluate();

        Assert.All(status.Components, c => Assert.True(c.IsActive, c.ToString()));
        Assert.All(status.Relations, r => Assert.True(r.Status == RelationStatus.Healthy, r.ToString()));
        Assert.Equal(ComponentStatus.Active, status.Status);
        Assert.Equal("10 components: 10 active", status.Message);
    }
}
