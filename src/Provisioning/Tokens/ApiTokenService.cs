using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Domain.Access;
using Portal.Domain.Common;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Tokens;

/// <summary>API tokens in the portal database; creation and revocation are written to the audit log.</summary>
internal sealed class ApiTokenService(PortalDatabase database, TimeProvider time, ILogger<ApiTokenService> logger) : IApiTokenService
{
    public const int MaxNameLength = 100;
    public const int DefaultExpiryDays = 90;
    public const int MaxExpiryDays = 366;

    /// <summary>Last use is recorded to this resolution, so that a busy automation writes at most once a minute per token.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    // Tokens are never deleted, so once one exists the answer stays true: remember it rather than ask on every call.
    private volatile bool _anyCreated;

    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var records = await context.ApiTokens.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        return records.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).Select(r => View(r, now)).ToList();
    }

    public async Task<ServiceResult<ApiTokenView>> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var record = await context.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, cancellationToken).ConfigureAwait(false);
        return record is null
            ? ServiceResult<ApiTokenView>.NotFound(NoToken(id))
            : ServiceResult<ApiTokenView>.Ok(View(record, time.GetUtcNow()));
    }

    public async Task<ServiceResult<CreatedApiToken>> CreateAsync(CreateApiTokenCommand command, string actor, CancellationToken cancellationToken)
    {
        var errors = new ErrorList();
        var name = command.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add("name", "A name is needed: say what uses the token (e.g. \"ci deploy\").");
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add("name", $"The name has {name.Length} characters; at most {MaxNameLength}.");
        }
        else if (name.Any(char.IsControl))
        {
            errors.Add("name", "The name must be one line of text without control characters.");
        }

        errors.Collect(PortalRoles.TryParse(command.Role), "", out var role);
        var days = command.ExpiresInDays ?? DefaultExpiryDays;
        if (days is < 1 or > MaxExpiryDays)
        {
            errors.Add("expiresInDays", $"A token expires after 1 to {MaxExpiryDays} days; {days} is outside that.");
        }

        if (errors.Count > 0)
        {
            return ServiceResult<CreatedApiToken>.Invalid(errors);
        }

        var now = time.GetUtcNow();
        var (id, value) = ApiTokenFormat.Generate();
        var record = new ApiTokenRecord
        {
            Id = id,
            Name = name!,
            Role = role,
            Hash = ApiTokenFormat.Hash(value),
            CreatedAt = now,
            CreatedBy = actor,
            ExpiresAt = now.AddDays(days),
        };
        await using (var context = database.CreateContext())
        {
            context.ApiTokens.Add(record);
            context.Audit.Add(Audit(actor, "create-token", record, $"created with role {role}, expires {record.ExpiresAt:yyyy-MM-dd HH:mm} UTC"));
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        _anyCreated = true;
        ApiTokenLog.Created(logger, id, record.Name, role, actor, record.ExpiresAt);
        return ServiceResult<CreatedApiToken>.Ok(new CreatedApiToken(View(record, now), value));
    }

    public async Task<ServiceResult<ApiTokenView>> RevokeAsync(string id, string actor, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var record = await context.ApiTokens.FirstOrDefaultAsync(t => t.Id == id, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            return ServiceResult<ApiTokenView>.NotFound(NoToken(id));
        }

        var now = time.GetUtcNow();
        if (record.RevokedAt is { } revokedAt)
        {
            return ServiceResult<ApiTokenView>.Conflict($"Token {record.Name} ({id}) was already revoked by {record.RevokedBy} at {revokedAt:yyyy-MM-dd HH:mm} UTC.");
        }

        record.RevokedAt = now;
        record.RevokedBy = actor;
        context.Audit.Add(Audit(actor, "revoke-token", record, "revoked"));
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        ApiTokenLog.Revoked(logger, id, record.Name, actor);
        return ServiceResult<ApiTokenView>.Ok(View(record, now));
    }

    public async Task<ApiTokenVerification> VerifyAsync(string token, CancellationToken cancellationToken)
    {
        if (ApiTokenFormat.IdOf(token) is not { } id)
        {
            return new ApiTokenVerification(ApiTokenVerificationStatus.Unknown, null);
        }

        await using var context = database.CreateContext();
        var record = await context.ApiTokens.FirstOrDefaultAsync(t => t.Id == id, cancellationToken).ConfigureAwait(false);
        if (record is null || !ApiTokenFormat.Matches(token, record.Hash))
        {
            return new ApiTokenVerification(ApiTokenVerificationStatus.Unknown, null);
        }

        var now = time.GetUtcNow();
        var state = StateOf(record, now);
        if (state != ApiTokenState.Active)
        {
            var status = state == ApiTokenState.Revoked ? ApiTokenVerificationStatus.Revoked : ApiTokenVerificationStatus.Expired;
            return new ApiTokenVerification(status, View(record, now));
        }

        if (record.LastUsedAt is not { } lastUsed || now - lastUsed >= LastUsedResolution)
        {
            record.LastUsedAt = now;
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        return new ApiTokenVerification(ApiTokenVerificationStatus.Valid, View(record, now));
    }

    public async Task<bool> AnyCreatedAsync(CancellationToken cancellationToken)
    {
        if (_anyCreated)
        {
            return true;
        }

        await using var context = database.CreateContext();
        _anyCreated = await context.ApiTokens.AnyAsync(cancellationToken).ConfigureAwait(false);
        return _anyCreated;
    }

    private static ApiTokenState StateOf(ApiTokenRecord record, DateTimeOffset now) =>
        record.RevokedAt is not null ? ApiTokenState.Revoked
        : record.ExpiresAt <= now ? ApiTokenState.Expired
        : ApiTokenState.Active;

    private static ApiTokenView View(ApiTokenRecord record, DateTimeOffset now) => new(
        record.Id,
        record.Name,
        record.Role,
        record.CreatedAt,
        record.CreatedBy,
        record.ExpiresAt,
        record.RevokedAt,
        record.RevokedBy,
        record.LastUsedAt,
        StateOf(record, now));

    private static string NoToken(string id) => $"There is no API token with id {id}.";

    private AuditRecord Audit(string actor, string action, ApiTokenRecord record, string result) => new()
    {
        At = time.GetUtcNow(),
        Actor = actor,
        Action = action,
        Target = $"token {record.Name} ({record.Id})",
        Result = result,
    };
}

/// <summary>Log messages of API tokens (never a token's value).</summary>
internal static partial class ApiTokenLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "API token {Id} ({Name}) with role {Role} created by {Actor}, expires {ExpiresAt:u}")]
    public static partial void Created(ILogger logger, string id, string name, PortalRole role, string actor, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "API token {Id} ({Name}) revoked by {Actor}")]
    public static partial void Revoked(ILogger logger, string id, string name, string actor);
}
