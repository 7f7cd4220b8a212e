using System.Globalization;
using System.Text;
using Portal.Provisioning.Stacks;

namespace Portal.Features.Audit;

/// <summary>The audit log as CSV (RFC 4180): a header row, one row per entry, CRLF line ends, fields quoted when they need it.</summary>
public static class AuditCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    public static readonly string[] Columns = ["id", "at", "actor", "action", "stack", "target", "reason", "outcome", "result", "operation", "diff"];

    /// <summary>The file name of a download made at <paramref name="now"/>.</summary>
    public static string FileName(DateTimeOffset now) =>
        $"audit-{now.ToUniversalTime().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv";

    /// <summary>Writes the header and every entry as it is read, flushing now and then so a long export starts at once.</summary>
    public static async Task WriteAsync(Stream output, IAsyncEnumerable<AuditEntry> entries, CancellationToken cancellationToken)
    {
        // The byte order mark makes spreadsheet programs read the file as UTF-8 (diffs hold arrows, names may hold accents).
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(Row(Columns).AsMemory(), cancellationToken);
        var rows = 0;
        await foreach (var entry in entries.WithCancellation(cancellationToken))
        {
            await writer.WriteAsync(Row(Fields(entry)).AsMemory(), cancellationToken);
            if (++rows % 500 == 0)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }

        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>One row, each field quoted as needed, ending in CRLF.</summary>
    public static string Row(IEnumerable<string?> fields) => string.Join(',', fields.Select(Field)) + "\r\n";

    /// <summary>A field: quoted when it holds a comma, a quote or a line break (quotes doubled); a field a spreadsheet would
    /// run as a formula (starting with =, +, -, @, tab or CR) gets a leading apostrophe first, so a reason typed as
    /// <c>=HYPERLINK(…)</c> stays text.</summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static string?[] Fields(AuditEntry entry) =>
    [
        entry.Id.ToString(CultureInfo.InvariantCulture),
        entry.At.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        entry.Actor,
        entry.Action,
        entry.Stack,
        entry.Target,
        entry.Reason,
        entry.Outcome,
        entry.Result,
        entry.OperationId?.ToString(),
        entry.Diff,
    ];
}
