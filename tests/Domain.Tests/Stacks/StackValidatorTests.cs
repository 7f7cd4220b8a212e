using Portal.Domain.Tests.TestData;

namespace Portal.Domain.Tests.Stacks;

public sealed class StackValidatorTests
{
    [Fact]
    public void Minimal_request_validates()
    {
        var result = StackRequests.Minimal().Validate();

        Assert.True(result.IsSuccess, string.Join("\n", result.Errors));
    }
}
