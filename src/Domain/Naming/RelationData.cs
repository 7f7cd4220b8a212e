namespace Portal.Domain.Naming;

/// <summary>The key names of relation Secrets (<see cref="ObjectNames.RelationSecret"/>): written by the provider-side wiring,
/// read by the requirer's workloads through <c>secretKeyRef</c>. Which interface carries which keys is in
/// <see cref="Status.RelationContracts"/>.</summary>
public static class RelationData
{
    public const string Host = "host";
    public const string Port = "port";
    public const string Database = "database";
    public const string Username = "username";
    public const string Password = "password";
    public const string SslMode = "sslmode";
    public const string Endpoint = "endpoint";
    public const string AccessKey = "access-key";
    public const string SecretKey = "secret-key";
    public const string Secure = "secure";
}
