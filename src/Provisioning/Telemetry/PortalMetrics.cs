using System.Diagnostics;
using System.Diagnostics.Metrics;
using Portal.Domain.Operations;
using Portal.Domain.Plans;
using Portal.Provisioning.Live;
using Portal.Provisioning.Persistence;

namespace Portal.Provisioning.Telemetry;

/// <summary>The portal's metrics, on the Meter <see cref="PortalTelemetry.Name"/>: operations by kind and result, operation and
/// step durations, how far behind each cluster's watch cache is, days to each certificate's expiry, each secret's age and the
/// overdue rotations per stack.</summary>
/// <remarks>
/// The gauges read cached state only. Watch lag and sync come from the watch caches in memory. Certificates and secrets come from
/// <see cref="StackReadings"/>: a collection (a Prometheus scrape, an OTLP export) reads its last numbers and, when they are older
/// than <see cref="TelemetryReadingsOptions.GaugeRefreshInterval"/>, starts one read of the stacks' clusters in the background, so a scrape
/// never waits for a cluster and the clusters are read at most once per interval, and only while someone collects.
/// </remarks>
internal sealed class PortalMetrics : IDisposable
{
    public const string OperationsName = "portal.operations";
    public const string OperationDurationName = "portal.operation.duration";
    public const string StepDurationName = "portal.step.duration";
    public const string WatchLagName = "portal.watch.lag";
    public const string WatchSyncedName = "portal.watch.synced";
    public const string CertificateExpiryName = "portal.certificate.expiry";
    public const string SecretAgeName = "portal.secret.age";
    public const string OverdueRotationsName = "portal.secret.rotations.overdue";

    private static readonly IReadOnlyList<double> StepBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
    private static readonly IReadOnlyList<double> OperationBuckets = [1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

    private readonly Meter _meter;
    private readonly Counter<long> _operations;
    private readonly Histogram<double> _operationDuration;
    private readonly Histogram<double> _stepDuration;
    private readonly PortalDatabase _database;
    private readonly ILiveClusters _clusters;
    private readonly StackReadings _readings;
    private readonly TimeProvider _time;

    public PortalMetrics(IMeterFactory meters, PortalDatabase database, ILiveClusters clusters, StackReadings readings, TimeProvider time)
    {
        _database = database;
        _clusters = clusters;
        _readings = readings;
        _time = time;
        _meter = meters.Create(PortalTelemetry.Name, typeof(PortalMetrics).Assembly.GetName().Version?.ToString());
        _operations = _meter.CreateCounter<long>(
            OperationsName, "{operation}", "Operations that reached their end, by kind and result (Succeeded, Failed, Cancelled).");
        _operationDuration = _meter.CreateHistogram(
            OperationDurationName, "s", "From the start of an operation to its end, by kind and result.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = OperationBuckets });
        _stepDuration = _meter.CreateHistogram(
            StepDurationName, "s", "One run of a step's handler, by step kind and result (succeeded, waiting, retrying, failed, interrupted).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StepBuckets });
        _meter.CreateObservableGauge(
            WatchLagName, ObserveWatchLag, "s",
            "Seconds since a cluster's watch cache last heard from the cluster (a list, an event or a bookmark) on its least recently heard kind; grows while a watch is down.");
        _meter.CreateObservableGauge(
            WatchSyncedName, ObserveWatchSynced, unit: null, "1 when a cluster's watch cache has listed every kind and none is failing, else 0.");
        _meter.CreateObservableGauge(
            CertificateExpiryName, ObserveCertificateExpiry, "d",
            "Days until the live certificate of a stack's hostname expires (negative once expired).");
        _meter.CreateObservableGauge(
            SecretAgeName, ObserveSecretAge, "d", "Days since a stack's secret was last rotated (or created, when never rotated).");
        _meter.CreateObservableGauge(
            OverdueRotationsName, ObserveOverdue, "{secret}", "Secrets of a stack whose rotation policy is overdue.");
        database.OperationFinished += OperationFinished;
    }

    /// <summary>One run of a step ended with <paramref name="result"/> (see <see cref="StepResults"/>).</summary>
    public void StepRan(StepKind kind, string result, TimeSpan duration) =>
        _stepDuration.Record(
            duration.TotalSeconds,
            new KeyValuePair<string, object?>(PortalTelemetryTags.StepKind, kind.ToString()),
            new KeyValuePair<string, object?>(PortalTelemetryTags.StepResult, result));

    public void Dispose()
    {
        _database.OperationFinished -= OperationFinished;
        _meter.Dispose();
    }

    private void OperationFinished(Operation operation)
    {
        var tags = new TagList
        {
            { PortalTelemetryTags.OperationKind, operation.Kind.ToString() },
            { PortalTelemetryTags.OperationResult, operation.State.ToString() },
        };
        _operations.Add(1, tags);
        if (operation.FinishedAt is { } finished && finished >= operation.CreatedAt)
        {
            _operationDuration.Record((finished - operation.CreatedAt).TotalSeconds, tags);
        }
    }

    private IEnumerable<Measurement<double>> ObserveWatchLag()
    {
        var now = _time.GetUtcNow();
        foreach (var cluster in _clusters.All)
        {
            if (cluster.Lag(now) is { } lag)
            {
                yield return new Measurement<double>(lag.TotalSeconds, new KeyValuePair<string, object?>(PortalTelemetryTags.Cluster, cluster.Cluster));
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveWatchSynced() =>
        _clusters.All.Select(c => new Measurement<int>(c.Synced ? 1 : 0, new KeyValuePair<string, object?>(PortalTelemetryTags.Cluster, c.Cluster)));

    private IEnumerable<Measurement<double>> ObserveCertificateExpiry()
    {
        var now = _time.GetUtcNow();
        return _readings.Latest().Certificates.Select(c => new Measurement<double>(
            (c.NotAfter - now).TotalDays,
            new KeyValuePair<string, object?>(PortalTelemetryTags.Stack, c.Stack),
            new KeyValuePair<string, object?>(PortalTelemetryTags.Hostname, c.Host),
            new KeyValuePair<string, object?>(PortalTelemetryTags.CertificateSource, c.Source)));
    }

    private IEnumerable<Measurement<double>> ObserveSecretAge()
    {
        var now = _time.GetUtcNow();
        return _readings.Latest().Secrets.Where(s => s.Since is not null).Select(s => new Measurement<double>(
            (now - s.Since!.Value).TotalDays,
            new KeyValuePair<string, object?>(PortalTelemetryTags.Stack, s.Stack),
            new KeyValuePair<string, object?>(PortalTelemetryTags.Secret, s.Id)));
    }

    private IEnumerable<Measurement<int>> ObserveOverdue() =>
        _readings.Latest().Secrets.GroupBy(s => s.Stack, StringComparer.Ordinal).Select(g => new Measurement<int>(
            g.Count(s => s.Overdue), new KeyValuePair<string, object?>(PortalTelemetryTags.Stack, g.Key)));
}
