using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Portal.Security;

/// <summary>Counts failed bearer-token authentications per client IP in a fixed window (the rate limiter ASP.NET Core's
/// rate limiting is built on); once a client used up its failures, every token it sends is refused with 429 until the window
/// ends — the right token included, or guessing would just go on.</summary>
/// <remarks>Only failures are counted, so automation with a good token is never slowed. Behind a reverse proxy the client IP
/// is the proxy's unless forwarded headers are enabled (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c>).</remarks>
public sealed class TokenFailureLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures;
    private readonly TimeSpan _window;

    public TokenFailureLimiter(IOptions<PortalAuthOptions> options)
    {
        var limit = options.Value.FailedTokenLimit;
        _window = limit.Window;
        _failures = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    /// <summary>Whether the client has no failures left in this window, and how long until it has again.</summary>
    public bool IsLockedOut(string client, out TimeSpan retryAfter)
    {
        // Asking for zero permits tells whether any is left without using one.
        using var lease = _failures.AttemptAcquire(client, 0);
        if (lease.IsAcquired)
        {
            retryAfter = TimeSpan.Zero;
            return false;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : _window;
        return true;
    }

    public void RecordFailure(string client)
    {
        using var lease = _failures.AttemptAcquire(client);
    }

    public void Dispose() => _failures.Dispose();
}
