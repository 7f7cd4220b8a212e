namespace Portal.Domain.Common;

/// <summary>The outcome of parsing or validating operator input: a value, or every problem found.</summary>
/// <remarks>Expected failures (bad input, invalid topology) travel as a result; exceptions are for bugs.</remarks>
public sealed class Result<T>
{
    private readonly T? _value;

    private Result(T? value, IReadOnlyList<ValidationError> errors)
    {
        _value = value;
        Errors = errors;
    }

    public bool IsSuccess => Errors.Count == 0;

    public IReadOnlyList<ValidationError> Errors { get; }

    /// <summary>The value; only valid when <see cref="IsSuccess"/>.</summary>
    public T Value => IsSuccess
        ? _value!
        : throw new InvalidOperationException($"The result has {Errors.Count} error(s): {string.Join("; ", Errors)}");

    public static Result<T> Success(T value) => new(value, []);

    public static Result<T> Failure(IEnumerable<ValidationError> errors)
    {
        var list = errors.ToList();
        return list.Count == 0
            ? throw new ArgumentException("A failure needs at least one error.", nameof(errors))
            : new Result<T>(default, list);
    }

    public static Result<T> Failure(string path, string message) => Failure([new ValidationError(path, message)]);

#pragma warning disable CA2225 // Result<T> is created through Success/Failure; the conversion only shortens call sites.
    public static implicit operator Result<T>(T value) => Success(value);
#pragma warning restore CA2225

    /// <summary>Moves every error under a parent path, e.g. <c>host</c> becomes <c>postgresql.host</c>.</summary>
    public Result<T> Under(string parentPath) => IsSuccess
        ? this
        : Failure(Errors.Select(e => e with { Path = PathOf(parentPath, e.Path) }));

    public static string PathOf(string parent, string child) =>
        parent.Length == 0 ? child : child.Length == 0 ? parent : $"{parent}.{child}";
}
