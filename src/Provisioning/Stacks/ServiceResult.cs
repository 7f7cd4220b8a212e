using Portal.Domain.Common;

namespace Portal.Provisioning.Stacks;

/// <summary>How a stack or cluster request ended, in the terms an API maps to a status code.</summary>
public enum ServiceStatus
{
    /// <summary>Done (or accepted: an operation started).</summary>
    Ok,
    /// <summary>The input is wrong; <see cref="ServiceResult{T}.Errors"/> lists every problem with its path.</summary>
    Invalid,
    /// <summary>The stack, operation or cluster does not exist.</summary>
    NotFound,
    /// <summary>The request clashes with the current state (a name in use, the stack busy, an operation that cannot be retried).</summary>
    Conflict,
    /// <summary>A cluster the request needs could not be reached; nothing was saved and the request can be sent again.</summary>
    Unavailable,
}

/// <summary>The outcome of a request to the stack service: a value, every validation error, or one sentence saying why not.</summary>
/// <remarks>Expected failures travel as a result so that callers (the REST API, the UI) decide how to show them; exceptions
/// are left for bugs and infrastructure faults.</remarks>
public sealed class ServiceResult<T>
{
    private readonly T? _value;

    private ServiceResult(ServiceStatus status, T? value, IReadOnlyList<ValidationError> errors, string message)
    {
        Status = status;
        _value = value;
        Errors = errors;
        Message = message;
    }

    public ServiceStatus Status { get; }

    public bool IsSuccess => Status == ServiceStatus.Ok;

    /// <summary>The value; only valid when <see cref="IsSuccess"/>.</summary>
    public T Value => IsSuccess ? _value! : throw new InvalidOperationException($"The request failed ({Status}): {Message}");

    public IReadOnlyList<ValidationError> Errors { get; }

    /// <summary>One sentence for the operator: why the request failed.</summary>
    public string Message { get; }

    public static ServiceResult<T> Ok(T value) => new(ServiceStatus.Ok, value, [], "");

    public static ServiceResult<T> Invalid(IReadOnlyList<ValidationError> errors) =>
        new(ServiceStatus.Invalid, default, errors, errors.Count == 1 ? errors[0].ToString() : $"The request has {errors.Count} problems.");

    public static ServiceResult<T> Invalid(string path, string message) => Invalid([new ValidationError(path, message)]);

    public static ServiceResult<T> NotFound(string message) => new(ServiceStatus.NotFound, default, [], message);

    public static ServiceResult<T> Conflict(string message) => new(ServiceStatus.Conflict, default, [], message);

    public static ServiceResult<T> Unavailable(string message) => new(ServiceStatus.Unavailable, default, [], message);

    /// <summary>The same failure for another value type.</summary>
    public static ServiceResult<T> FailureFrom<TOther>(ServiceResult<TOther> other) =>
        other.IsSuccess
            ? throw new ArgumentException("Only a failure can be converted.", nameof(other))
            : new(other.Status, default, other.Errors, other.Message);
}
