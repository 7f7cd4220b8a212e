namespace Portal.Domain.Catalog;

/// <summary>The relation interfaces of the stack; both endpoints of a relation name the same one.</summary>
public static class Interfaces
{
    public const string PostgresqlClient = "postgresql_client";
    public const string ObjectStorage = "object-storage";
    public const string TemporalHostInfo = "temporal-host-info";
    public const string Temporal = "temporal";
    public const string NginxRoute = "nginx-route";
    public const string HttpUpstream = "http-upstream";
    public const string TlsCertificates = "tls-certificates";
}
