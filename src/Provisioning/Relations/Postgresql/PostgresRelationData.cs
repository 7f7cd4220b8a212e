using System.Globalization;
using Portal.Domain.Naming;

namespace Portal.Provisioning.Relations.Postgresql;

/// <summary>The values of a <c>postgresql_client</c> relation Secret (<see cref="RelationData"/> keys) for a provisioned
/// database, as the requirer's workloads read them.</summary>
internal static class PostgresRelationData
{
    public static IReadOnlyDictionary<string, string> For(PostgresServer server, string database, string role, string password) =>
        new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [RelationData.Host] = server.Host,
            [RelationData.Port] = server.Port.ToString(CultureInfo.InvariantCulture),
            [RelationData.Database] = database,
            [RelationData.Username] = role,
            [RelationData.Password] = password,
            [RelationData.SslMode] = server.SslModeName,
        };
}
