namespace Portal.Domain.Catalog;

/// <summary>Which side of a relation an endpoint is on.</summary>
public enum EndpointRole
{
    Provides,
    Requires,
}

/// <summary>A named relation endpoint of a component kind (as in a charm's metadata).</summary>
/// <param name="Name">Endpoint name, e.g. <c>db</c>.</param>
/// <param name="Role">Provides or requires.</param>
/// <param name="Interface">Interface name, e.g. <c>postgresql_client</c>; both sides of a relation must match.</param>
/// <param name="Required">A required endpoint without a relation keeps the component blocked.</param>
/// <param name="Limit">How many relations the endpoint accepts; null means unlimited.</param>
/// <param name="MissingMessage">The blocked message shown while a required relation is missing or not ready.</param>
public sealed record EndpointDefinition(
    string Name,
    EndpointRole Role,
    string Interface,
    bool Required,
    int? Limit,
    string Description,
    string? MissingMessage = null)
{
    public static EndpointDefinition Requires(string name, string @interface, string description, string missingMessage, int? limit = 1) =>
        new(name, EndpointRole.Requires, @interface, Required: true, limit, description, missingMessage);

    public static EndpointDefinition OptionallyRequires(string name, string @interface, string description, int? limit = 1) =>
        new(name, EndpointRole.Requires, @interface, Required: false, limit, description);

    public static EndpointDefinition Provides(string name, string @interface, string description, int? limit = null) =>
        new(name, EndpointRole.Provides, @interface, Required: false, limit, description);
}
