using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Provisioning.Certificates;
using Portal.Provisioning.Persistence;
using Portal.Provisioning.Secrets;
using Portal.Provisioning.Stacks;

namespace Portal.Provisioning.Telemetry;

/// <summary>How the portal's telemetry reads the stacks' clusters (configuration section <c>Portal:Telemetry</c>).</summary>
public sealed class TelemetryReadingsOptions
{
    public const string SectionName = "Portal:Telemetry";

    /// <summary>How old the certificate and secret numbers behind the gauges may get before a collection (a scrape) starts reading
    /// the stacks' clusters again, in the background.</summary>
    public TimeSpan GaugeRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Reports an invalid telemetry reading option.</summary>
internal sealed class TelemetryReadingsOptionsValidator : IValidateOptions<TelemetryReadingsOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryReadingsOptions options) =>
        options.GaugeRefreshInterval > TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{TelemetryReadingsOptions.SectionName}:{nameof(options.GaugeRefreshInterval)} must be a positive duration, not {options.GaugeRefreshInterval}.");
}

/// <summary>The certificate expiries and secret facts of every stack, as the certificate service and the secret inventory last read
/// them from the clusters: what the certificate and secret gauges report.</summary>
/// <remarks>
/// <see cref="Latest"/> never waits for a cluster. When the numbers are older than
/// <see cref="TelemetryReadingsOptions.GaugeRefreshInterval"/> it starts one read in the background (never two at once) and returns
/// the numbers it has; the first collection after start returns none. One read costs, per stack: a read of each TLS Secret its
/// ingresses name (<see cref="ICertificateService.ExpiriesAsync"/>) and the secret inventory (<see cref="ISecretService.ListAsync"/>:
/// a list of its Deployments, StatefulSets and Pods and a read of each Secret it owns). A stack whose cluster does not answer keeps
/// its last numbers; a stack that no longer exists drops out.
/// </remarks>
internal sealed partial class StackReadings(
    ICertificateService certificates,
    ISecretService secrets,
    PortalDatabase database,
    IOptions<TelemetryReadingsOptions> options,
    TimeProvider time,
    ILogger<StackReadings> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Snapshot _latest = Snapshot.Empty;
    private Task? _reading;
    private DateTimeOffset? _readStartedAt;

    /// <summary>The latest numbers; starts a read in the background when they are due for one.</summary>
    public Snapshot Latest()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_reading is null && !_stop.IsCancellationRequested
                && (_readStartedAt is not { } started || now - started >= options.Value.GaugeRefreshInterval))
            {
                _readStartedAt = now;
                _reading = Task.Run(ReadInBackgroundAsync, CancellationToken.None);
            }

            return _latest;
        }
    }

    /// <summary>Reads every stack's certificates and secrets now and keeps the result.</summary>
    public async Task<Snapshot> ReadAsync(CancellationToken cancellationToken)
    {
        Snapshot previous;
        lock (_gate)
        {
            previous = _latest;
        }

        var certificateReadings = new List<CertificateReading>();
        foreach (var stack in await certificates.ExpiriesAsync(cancellationToken).ConfigureAwait(false))
        {
            if (stack.Problem is not null)
            {
                certificateReadings.AddRange(previous.Certificates.Where(c => c.Stack == stack.Stack));
                continue;
            }

            certificateReadings.AddRange(stack.Certificates.Select(c => new CertificateReading(stack.Stack, c.Host, SourceText(c.Source), c.NotAfter)));
        }

        List<string> stacks;
        await using (var context = database.CreateContext())
        {
            stacks = await context.Stacks.AsNoTracking().Select(s => s.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        var secretReadings = new List<SecretReading>();
        foreach (var stack in stacks.Order(StringComparer.Ordinal))
        {
            var inventory = await secrets.ListAsync(stack, cancellationToken).ConfigureAwait(false);
            if (inventory.IsSuccess)
            {
                secretReadings.AddRange(inventory.Value.Secrets.Select(s => new SecretReading(stack, s.Id, s.LastRotatedAt ?? s.CreatedAt, s.Overdue)));
            }
            else if (inventory.Status == ServiceStatus.Unavailable)
            {
                secretReadings.AddRange(previous.Secrets.Where(s => s.Stack == stack));
            }
        }

        var snapshot = new Snapshot(certificateReadings, secretReadings, time.GetUtcNow());
        lock (_gate)
        {
            _latest = snapshot;
        }

        return snapshot;
    }

    public async ValueTask DisposeAsync()
    {
        Task? reading;
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _stop.Cancel();
            reading = _reading;
        }

        if (reading is not null)
        {
            await reading.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task ReadInBackgroundAsync()
    {
        try
        {
            var snapshot = await ReadAsync(_stop.Token).ConfigureAwait(false);
            Log.Read(logger, snapshot.Certificates.Count, snapshot.Secrets.Count);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Shutting down.
        }
#pragma warning disable CA1031 // A failed read must not fault a scrape; the next collection after the interval tries again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.ReadFailed(logger, e);
        }
        finally
        {
            lock (_gate)
            {
                _reading = null;
            }
        }
    }

    private static string SourceText(CertificateSource source) => source switch
    {
        CertificateSource.Acme => "acme",
        CertificateSource.InternalCa => "internal-ca",
        CertificateSource.Manual => "manual",
        CertificateSource.External => "external",
        _ => source.ToString().ToLowerInvariant(),
    };

    /// <summary>What the gauges report, as read at <paramref name="ReadAt"/> (<see cref="DateTimeOffset.MinValue"/> before the first read).</summary>
    internal sealed record Snapshot(IReadOnlyList<CertificateReading> Certificates, IReadOnlyList<SecretReading> Secrets, DateTimeOffset ReadAt)
    {
        public static Snapshot Empty { get; } = new([], [], DateTimeOffset.MinValue);
    }

    /// <summary>The live certificate of one hostname of a stack.</summary>
    internal sealed record CertificateReading(string Stack, string Host, string Source, DateTimeOffset NotAfter);

    /// <summary>One secret of a stack: when it was last rotated (or created), and whether its rotation policy is overdue.</summary>
    internal sealed record SecretReading(string Stack, string Id, DateTimeOffset? Since, bool Overdue);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Telemetry read {Certificates} certificate(s) and {Secrets} secret(s) from the stacks' clusters")]
        public static partial void Read(ILogger logger, int certificates, int secrets);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry could not read the stacks' certificates and secrets; the gauges keep their last numbers")]
        public static partial void ReadFailed(ILogger logger, Exception exception);
    }
}
