using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>Builds results for value objects, whose errors have no path of their own (the caller adds it).</summary>
internal static class Errors
{
    public static Result<T> Fail<T>(string message) => Result<T>.Failure("", message);

    public static Result<T> Fail<T>(IEnumerable<string> messages) =>
        Result<T>.Failure(messages.Select(m => new ValidationError("", m)));

    public static Result<T> Finish<T>(List<string> messages, Func<T> onSuccess) =>
        messages.Count == 0 ? Result<T>.Success(onSuccess()) : Fail<T>(messages);
}
