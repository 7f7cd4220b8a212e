using Portal.Domain.Common;

namespace Portal.Domain.Tests.Values;

/// <summary>Assertions on results that say what went wrong when they fail.</summary>
internal static class ResultAssert
{
    public static T Success<T>(Result<T> result)
    {
        Assert.True(result.IsSuccess, "Expected success but got: " + string.Join(" | ", result.Errors));
        return result.Value;
    }

    /// <summary>Asserts failure and that some message contains each fragment (case-insensitive); returns the messages.</summary>
    public static IReadOnlyList<string> Failure<T>(Result<T> result, params string[] fragments)
    {
        Assert.False(result.IsSuccess, $"Expected failure but got success: {(result.IsSuccess ? result.Value : default)}");
        var messages = result.Errors.Select(e => e.Message).ToList();
        foreach (var fragment in fragments)
        {
            Assert.True(
                messages.Any(m => m.Contains(fragment, StringComparison.OrdinalIgnoreCase)),
                $"No message contains '{fragment}'. Messages: {string.Join(" | ", messages)}");
        }

        foreach (var message in messages)
        {
            Assert.False(string.IsNullOrWhiteSpace(message));
            Assert.True(message.TrimEnd().EndsWith('.') || message.TrimEnd().EndsWith('?'), $"A message is a sentence: '{message}'");
            Assert.DoesNotContain(message, c => char.IsControl(c));
        }

        return messages;
    }

    /// <summary>Asserts failure with an error at each path (exact).</summary>
    public static IReadOnlyList<ValidationError> FailureAt<T>(Result<T> result, params string[] paths)
    {
        Assert.False(result.IsSuccess, "Expected failure but got success.");
        foreach (var path in paths)
        {
            Assert.True(result.Errors.Any(e => e.Path == path), $"No error at '{path}'. Errors: {string.Join(" | ", result.Errors)}");
        }

        return result.Errors;
    }

    /// <summary>Asserts there is exactly one error at the path and returns it.</summary>
    public static ValidationError ErrorAt<T>(Result<T> result, string path)
    {
        Assert.False(result.IsSuccess, "Expected failure but got success.");
        var errors = result.Errors.Where(e => e.Path == path).ToList();
        Assert.True(errors.Count == 1, $"Expected one error at '{path}'. Errors: {string.Join(" | ", result.Errors)}");
        return errors[0];
    }
}
