using Portal.Domain.Access;

namespace Portal.Provisioning.Persistence;

/// <summary>An API token as the portal keeps it: its public id, a SHA-256 digest of the whole token (never the token itself),
/// its role, its expiry and who revoked it.</summary>
internal sealed class ApiTokenRecord
{
    /// <summary>The public part of the token (<c>apt_&lt;id&gt;_…</c>): how a presented token finds its record.</summary>
    public required string Id { get; set; }

    public required string Name { get; set; }

    public PortalRole Role { get; set; }

    /// <summary>SHA-256 of the whole token text.</summary>
    public required byte[] Hash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedBy { get; set; }

    /// <summary>When a call last authenticated with the token, to the minute (so that automation does not write on every call).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }
}
