using Portal.Domain.Catalog;

namespace Portal.Domain.Naming;

/// <summary>The keys of the relation Secret (<see cref="ObjectNames.RelationSecret"/>) each interface fills: the contract
/// between the provider-side wiring that writes them and the requirer's workloads that read them through <c>secretKeyRef</c>.</summary>
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
    public const string Url = "url";

    /// <summary>The keys a relation Secret of this interface holds; empty when the interface passes no data through a Secret
    /// (<c>nginx-route</c> renders Ingress objects, <c>tls-certificates</c> writes TLS Secrets, <c>temporal</c> runs schema Jobs).</summary>
    public static IReadOnlyList<string> KeysOf(string @interface) => @interface switch
    {
        Interfaces.PostgresqlClient => [Host, Port, Database, Username, Password, SslMode],
        Interfaces.ObjectStorage => [Endpoint, Host, Port, AccessKey, SecretKey, Secure],
        Interfaces.TemporalHostInfo => [Host, Port],
        Interfaces.HttpUpstream => [Url],
        _ => [],
    };

    /// <summary>The keys whose values are credentials (never shown, only fingerprinted).</summary>
    public static bool IsCredential(string key) => key is Password or SecretKey or AccessKey;
}
