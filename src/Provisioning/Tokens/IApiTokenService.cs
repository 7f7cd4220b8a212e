using Portal.Domain.Access;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Tokens;

/// <summary>API tokens for automation: created and revoked by admins, each with a role and an expiry, shown once, stored hashed.</summary>
public interface IApiTokenService
{
    /// <summary>Every token ever created, newest first; never a token's value.</summary>
    Task<IReadOnlyList<ApiTokenView>> ListAsync(CancellationToken cancellationToken);

    Task<ServiceResult<ApiTokenView>> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Creates a token; the result carries its value, which is not kept and cannot be shown again.</summary>
    Task<ServiceResult<CreatedApiToken>> CreateAsync(CreateApiTokenCommand command, string actor, CancellationToken cancellationToken);

    /// <summary>Revokes a token at once; revoking one already revoked is a conflict.</summary>
    Task<ServiceResult<ApiTokenView>> RevokeAsync(string id, string actor, CancellationToken cancellationToken);

    /// <summary>Checks a presented token: its format, its digest (in constant time), revocation and expiry.</summary>
    Task<ApiTokenVerification> VerifyAsync(string token, CancellationToken cancellationToken);

    /// <summary>Whether any API token was ever created: from then on the bootstrap token is retired.</summary>
    Task<bool> AnyCreatedAsync(CancellationToken cancellationToken);
}

/// <summary>The body of a token creation: a name saying what uses it, a role and the days until it expires.</summary>
public sealed record CreateApiTokenCommand(string? Name, string? Role, int? ExpiresInDays);

/// <summary>A token as admins see it: never its value.</summary>
public sealed record ApiTokenView(
    string Id,
    string Name,
    PortalRole Role,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    string? RevokedBy,
    DateTimeOffset? LastUsedAt,
    ApiTokenState State);

/// <summary>Whether a token still authenticates.</summary>
public enum ApiTokenState
{
    Active,
    Expired,
    Revoked,
}

/// <summary>A token just created, with its value: the only time the value exists outside the caller's hands.</summary>
public sealed record CreatedApiToken(ApiTokenView Token, string Value);

/// <summary>The outcome of checking a presented token.</summary>
/// <param name="Token">The token's record when the presented text matched it (also when it is revoked or expired).</param>
public sealed record ApiTokenVerification(ApiTokenVerificationStatus Status, ApiTokenView? Token)
{
    public bool IsValid => Status == ApiTokenVerificationStatus.Valid;
}

/// <summary>Why a presented token was accepted or not.</summary>
public enum ApiTokenVerificationStatus
{
    Valid,
    /// <summary>Not a token of this portal: wrong format, unknown id, or a secret that does not match.</summary>
    Unknown,
    Revoked,
    Expired,
}
