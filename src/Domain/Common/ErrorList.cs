namespace Portal.Domain.Common;

/// <summary>Collects validation errors while a whole input is checked, so that every problem is reported at once.</summary>
public sealed class ErrorList : List<ValidationError>
{
    public void Add(string path, string message) => Add(new ValidationError(path, message));

    /// <summary>Adds the errors of <paramref name="result"/> and returns its value when it has one.</summary>
    public bool Collect<T>(Result<T> result, string path, out T value)
    {
        if (result.IsSuccess)
        {
            value = result.Value;
            return true;
        }

        foreach (var error in result.Errors)
        {
            Add(Result<T>.PathOf(path, error.Path), error.Message);
        }

        value = default!;
        return false;
    }

    public Result<T> ToResult<T>(Func<T> onSuccess) => Count == 0 ? Result<T>.Success(onSuccess()) : Result<T>.Failure(this);
}
