using Portal.Domain.Common;

namespace Portal.Domain.Values;

/// <summary>Builds results for value objects, whose errors have no path of their own (the caller adds it).</summary>
internal static class Errors
{
    /// <summary>The most problems one value reports: a list of 50,000 bad items gets the first ones and a note, not 50,000
    /// sentences.</summary>
    public const int MaxProblems = 10;

    public static Result<T> Fail<T>(string message) => Result<T>.Failure("", message);

    public static Result<T> Fail<T>(IEnumerable<string> messages) =>
        Result<T>.Failure(Limit(messages).Select(m => new ValidationError("", m)));

    public static Result<T> Finish<T>(List<string> messages, Func<T> onSuccess) =>
        messages.Count == 0 ? Result<T>.Success(onSuccess()) : Fail<T>(messages);

    /// <summary>Whether a parser has found enough problems to stop looking for more (see <see cref="MaxProblems"/>).</summary>
    public static bool Enough(ICollection<string> messages) => messages.Count > MaxProblems;

    /// <summary>Each message once, at most <see cref="MaxProblems"/> of them and a note when there were more.</summary>
    private static List<string> Limit(IEnumerable<string> messages)
    {
        var distinct = messages.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count <= MaxProblems
            ? distinct
            : [.. distinct.Take(MaxProblems), "There are more problems than these; fix these first and the rest will be listed."];
    }
}
