using System.Collections.Frozen;

namespace Portal.Domain.Status;

/// <summary>What the portal knows that the cluster does not show: its own activity (operations and steps) and the checks it ran.</summary>
/// <remarks>Keys are component names, or relation keys (<see cref="Blueprints.RelationSpec.Key"/>) where stated.</remarks>
public sealed record PortalFacts
{
    public static PortalFacts None { get; } = new();

    /// <summary>Components the portal has applied at least once (from its operation history).</summary>
    public IReadOnlySet<string> Deployed { get; init; } = FrozenSet<string>.Empty;

    /// <summary>Components a running operation will still apply.</summary>
    public IReadOnlySet<string> Queued { get; init; } = FrozenSet<string>.Empty;

    /// <summary>Components a step is applying right now, with the step's description ("applying airbyte").</summary>
    public IReadOnlyDictionary<string, string> Applying { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>Relation keys whose wiring step completed at least once.</summary>
    public IReadOnlySet<string> WiredRelations { get; init; } = FrozenSet<string>.Empty;

    /// <summary>Relation keys a step is wiring right now, with the step's description.</summary>
    public IReadOnlyDictionary<string, string> Wiring { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>Problems the portal found that need a person, by component ("value of 'num-history-shards' config cannot be
    /// changed after deployment", an ACME order that failed…); the component is blocked with this message.</summary>
    public IReadOnlyDictionary<string, string> Blocked { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>The last connection check of each external database, by component; absent means not checked yet.</summary>
    public IReadOnlyDictionary<string, ExternalDatabaseCheck> ExternalDatabases { get; init; } = FrozenDictionary<string, ExternalDatabaseCheck>.Empty;

    /// <summary>The last end-to-end check of a relation (log in with the relation's credentials, write to the bucket…), by relation key.</summary>
    public IReadOnlyDictionary<string, EndToEndCheck> EndToEndChecks { get; init; } = FrozenDictionary<string, EndToEndCheck>.Empty;
}

/// <summary>Whether the portal could reach and log in to an external database server with the admin role.</summary>
/// <param name="Reachable">True when the admin role logged in.</param>
/// <param name="Problem">What went wrong, in one sentence, when it did not.</param>
public sealed record ExternalDatabaseCheck(bool Reachable, string? Problem = null);

/// <summary>The result of an end-to-end check of a relation.</summary>
public sealed record EndToEndCheck(bool Passed, string Message, DateTimeOffset CheckedAt);
