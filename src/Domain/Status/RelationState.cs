using Portal.Domain.Blueprints;

namespace Portal.Domain.Status;

/// <summary>The health of a relation (an edge of the topology).</summary>
public enum RelationStatus
{
    /// <summary>Every check passed.</summary>
    Healthy,
    /// <summary>Some check is not there yet (credentials not written, consumers still rolling, provider not active).</summary>
    Pending,
    /// <summary>A check failed: it will not fix itself.</summary>
    Broken,
    /// <summary>Neither side is deployed yet.</summary>
    Unknown,
}

/// <summary>The outcome of one relation check.</summary>
public enum CheckResult
{
    Passed,
    Pending,
    Failed,
}

/// <summary>The names of the relation checks.</summary>
public static class RelationChecks
{
    /// <summary>The provider component is active.</summary>
    public const string Provider = "provider";
    /// <summary>The portal is wiring the relation right now.</summary>
    public const string Wiring = "wiring";
    /// <summary>The relation Secret exists with the keys the interface promises.</summary>
    public const string Credentials = "credentials";
    /// <summary>The requirer's pods load the live revision of the relation Secret.</summary>
    public const string Consumers = "consumers";
    /// <summary>temporal: the schema Job completed.</summary>
    public const string Schema = "schema";
    /// <summary>nginx-route: the Ingress exists and has an address.</summary>
    public const string Route = "route";
    /// <summary>tls-certificates: a TLS Secret per hostname.</summary>
    public const string Certificates = "certificates";
    /// <summary>http-upstream: the upstream Service exists.</summary>
    public const string Upstream = "upstream";
    /// <summary>A setup Job labelled with the relation (roles, buckets).</summary>
    public const string SetupJob = "setup-job";
    /// <summary>The portal's end-to-end check.</summary>
    public const string EndToEnd = "end-to-end";
}

/// <summary>One check of a relation: its outcome, a sentence, and what to do when it did not pass.</summary>
public sealed record RelationCheck(string Name, CheckResult Result, string Message)
{
    public string? Action { get; init; }

    /// <summary>For a check that waits on another component: that component.</summary>
    public string? WaitingOn { get; init; }
}

/// <summary>The health of one relation with every check behind it.</summary>
public sealed record RelationState(RelationSpec Relation, RelationStatus Status, string Message, IReadOnlyList<RelationCheck> Checks)
{
    public string Key => Relation.Key;

    /// <summary>The first failed check, else the first pending one; null when healthy.</summary>
    public RelationCheck? FirstProblem =>
        Checks.FirstOrDefault(c => c.Result == CheckResult.Failed) ?? Checks.FirstOrDefault(c => c.Result == CheckResult.Pending);

    public RelationCheck? Check(string name) => Checks.FirstOrDefault(c => c.Name == name);

    public override string ToString() => $"{Relation}: {Status}: {Message}";
}
