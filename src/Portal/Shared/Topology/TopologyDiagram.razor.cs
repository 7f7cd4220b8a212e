using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;
using Portal.Domain.Topology;

namespace Portal.Shared.Topology;

/// <summary>Draws a <see cref="GraphLayout"/> as SVG: nodes with status, edges coloured by health, labels clear of boxes;
/// when <see cref="Interactive"/>, with pan and zoom, and clicks on nodes and edges.</summary>
public sealed partial class TopologyDiagram : IAsyncDisposable
{
    private const double LabelCharWidth = 6.2;
    private const double ParallelEdgeGap = 10;
    private const double ExtentMargin = 14;

    private static readonly string[] MarkerTones = ["", "active", "maintenance", "waiting", "unknown", "blocked", "error"];
    private static int s_instances;

    private readonly string _id = $"topology-{Interlocked.Increment(ref s_instances)}";
    private ElementReference _host;
    private IJSObjectReference? _module;
    private GraphLayout? _attachedLayout;
    private GraphLayout? _routedFor;
    private List<(EdgeRoute Edge, string Points, EdgeHandle Handle)>? _routed;

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Parameter, EditorRequired]
    public required GraphLayout Layout { get; set; }

    [Parameter]
    public IReadOnlyDictionary<string, DiagramNode> Nodes { get; set; } = new Dictionary<string, DiagramNode>();

    [Parameter]
    public IReadOnlyDictionary<string, DiagramEdge> Edges { get; set; } = new Dictionary<string, DiagramEdge>();

    [Parameter]
    public string AriaLabel { get; set; } = "Topology";

    /// <summary>Pan and zoom (a fixed-height viewport the diagram fills); otherwise the diagram is a static picture.</summary>
    [Parameter]
    public bool Interactive { get; set; }

    [Parameter]
    public string? SelectedNode { get; set; }

    [Parameter]
    public string? SelectedEdge { get; set; }

    /// <summary>Where the first view of a large diagram is centred when it cannot fit at a readable size.</summary>
    [Parameter]
    public string? FocusNode { get; set; }

    [Parameter]
    public EventCallback<string> OnNodeClick { get; set; }

    /// <summary>Called with the key of the clicked edge (or of the worst edge of a shared label).</summary>
    [Parameter]
    public EventCallback<string> OnEdgeClick { get; set; }

    private bool Clickable => OnNodeClick.HasDelegate || OnEdgeClick.HasDelegate;

    private string? FocusX => FocusNode is { } name && Layout.Nodes.FirstOrDefault(n => n.Name == name) is { } node ? F(node.CenterX) : null;

    private string? FocusY => FocusNode is { } name && Layout.Nodes.FirstOrDefault(n => n.Name == name) is { } node ? F(node.CenterY) : null;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!Interactive || ReferenceEquals(_attachedLayout, Layout))
        {
            return;
        }

        try
        {
            _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/topology.js");
            if (_module is null)
            {
                return;
            }

            // A new layout (the stack's structure changed) starts from a fresh view; a status change never gets here.
            await _module.InvokeVoidAsync(_attachedLayout is null ? "attach" : "reset", _host);
            _attachedLayout = Layout;
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone; nothing to attach to.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is null)
        {
            return;
        }

        try
        {
            await _module.InvokeVoidAsync("detach", _host);
            await _module.DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone, and the browser's side with it.
        }
    }

    private DiagramNode NodeInfo(string name) => Nodes.TryGetValue(name, out var node) ? node : new DiagramNode("", "");

    private DiagramEdge EdgeInfo(string key) => Edges.TryGetValue(key, out var edge) ? edge : new DiagramEdge("", "");

    private string MarkerId(string tone) => tone.Length == 0 ? $"{_id}-arrow" : $"{_id}-arrow-{tone}";

    private static string Tone(string? tone) => tone is null ? "" : $"tone-{tone}";

    private static string NodeLabel(string name, DiagramNode info)
    {
        var label = info.Status is null ? $"{name} ({info.Subtitle})"
            : info.Message.Length == 0 ? $"{name} ({info.Subtitle}): {info.Status}"
            : $"{name} ({info.Subtitle}): {info.Status}: {info.Message}";
        return info.Flag is null ? label : $"{label}. {info.Flag}";
    }

    private async Task NodeClickedAsync(string name)
    {
        if (OnNodeClick.HasDelegate)
        {
            await OnNodeClick.InvokeAsync(name);
        }
    }

    private async Task NodeKeyAsync(KeyboardEventArgs e, string name)
    {
        if (e.Key is "Enter" or " ")
        {
            await NodeClickedAsync(name);
        }
    }

    private async Task EdgeClickedAsync(string key)
    {
        if (OnEdgeClick.HasDelegate)
        {
            await OnEdgeClick.InvokeAsync(key);
        }
    }

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>The text cut to what fits in <paramref name="width"/> pixels, with an ellipsis; the tooltip has it whole.</summary>
    private static string Shorten(string text, double width, double charWidth)
    {
        var max = Math.Max(4, (int)(width / charWidth));
        return text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
    }

    /// <summary>The text in at most <paramref name="lines"/> lines that fit in <paramref name="width"/> pixels, broken between words
    /// where it can; the last line ends with an ellipsis when the text does not fit. The tooltip has it whole.</summary>
    private static List<string> Wrap(string text, double width, double charWidth, int lines)
    {
        var max = Math.Max(4, (int)(width / charWidth));
        var result = new List<string>();
        var rest = text.Trim();
        while (rest.Length > 0 && result.Count < lines)
        {
            if (rest.Length <= max)
            {
                result.Add(rest);
                break;
            }

            if (result.Count == lines - 1)
            {
                result.Add(Shorten(rest, width, charWidth));
                break;
            }

            var cut = rest.LastIndexOf(' ', max);
            cut = cut < max / 2 ? max : cut;
            result.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart();
        }

        return result;
    }

    /// <summary>Each edge with its points and its handle; edges between the same two nodes are spread apart so that each can be
    /// seen and clicked.</summary>
    private List<(EdgeRoute Edge, string Points, EdgeHandle Handle)> RoutedEdges()
    {
        // Geometry depends on the layout only: computed once per layout, not on every status update.
        if (ReferenceEquals(_routedFor, Layout) && _routed is not null)
        {
            return _routed;
        }

        var routes = new List<(EdgeRoute Edge, List<LayoutPoint> Points)>();
        foreach (var group in Layout.Edges.GroupBy(e => string.CompareOrdinal(e.From, e.To) < 0 ? (e.From, e.To) : (e.To, e.From)))
        {
            var edges = group.ToList();
            for (var i = 0; i < edges.Count; i++)
            {
                var shift = (i - ((edges.Count - 1) / 2.0)) * ParallelEdgeGap;
                routes.Add((edges[i], edges[i].Points.Select(p => new LayoutPoint(p.X + shift, p.Y)).ToList()));
            }
        }

        _routed = routes
            .Select(r => (r.Edge, string.Join(" ", r.Points.Select(p => $"{F(p.X)},{F(p.Y)}")), Handle(r.Points, routes.Where(o => o.Edge != r.Edge).Select(o => o.Points))))
            .ToList();
        _routedFor = Layout;
        return _routed;
    }

    private sealed record EdgeHandle(LayoutPoint At, (double X, double Y, double Width, double Height) Extent);

    // A point of the edge clear of every node box and of the other edges (the middle of a segment, else a third of the way),
    // and the box around the edge centred on it.
    private EdgeHandle Handle(List<LayoutPoint> points, IEnumerable<List<LayoutPoint>> others)
    {
        var segments = points.Zip(points.Skip(1)).ToList();
        var otherSegments = others.SelectMany(o => o.Zip(o.Skip(1))).ToList();
        var candidates = segments
            .OrderByDescending(s => Distance(s.First, s.Second))
            .SelectMany(s => new[] { 0.5, 0.35, 0.65, 0.2, 0.8 }.Select(t => new LayoutPoint(s.First.X + ((s.Second.X - s.First.X) * t), s.First.Y + ((s.Second.Y - s.First.Y) * t))))
            .ToList();
        var at = candidates.FirstOrDefault(
            c => !Layout.Nodes.Any(n => c.X > n.X - 6 && c.X < n.Right + 6 && c.Y > n.Y - 6 && c.Y < n.Bottom + 6)
                 && !otherSegments.Any(o => DistanceToSegment(c, o.First, o.Second) < 6),
            candidates[0]);
        // The extent also covers what strokes and the arrow head add around the points, so that it alone decides the box.
        var halfWidth = Math.Max(at.X - points.Min(p => p.X), points.Max(p => p.X) - at.X) + ExtentMargin;
        var halfHeight = Math.Max(at.Y - points.Min(p => p.Y), points.Max(p => p.Y) - at.Y) + ExtentMargin;
        return new EdgeHandle(at, (at.X - halfWidth, at.Y - halfHeight, 2 * halfWidth, 2 * halfHeight));
    }

    private static double Distance(LayoutPoint a, LayoutPoint b) => Math.Sqrt(Math.Pow(b.X - a.X, 2) + Math.Pow(b.Y - a.Y, 2));

    private static double DistanceToSegment(LayoutPoint p, LayoutPoint a, LayoutPoint b)
    {
        var length = Math.Pow(b.X - a.X, 2) + Math.Pow(b.Y - a.Y, 2);
        var t = length == 0 ? 0 : Math.Clamp((((p.X - a.X) * (b.X - a.X)) + ((p.Y - a.Y) * (b.Y - a.Y))) / length, 0, 1);
        return Distance(p, new LayoutPoint(a.X + (t * (b.X - a.X)), a.Y + (t * (b.Y - a.Y))));
    }

    private sealed record Label(string Key, string Text, string? Tone, LayoutPoint At);

    // Each label sits beside the middle of a segment of its edge: the middle segment if the label is clear of every box and
    // of the labels placed before it, else the nearest segment (or side) where it is. Parallel edges share one label, which
    // takes the tone of the worst of them.
    private List<Label> PlaceLabels()
    {
        var placed = new List<Label>();
        foreach (var group in Layout.Edges.GroupBy(e => (e.From, e.To)))
        {
            var text = string.Join(", ", group.Select(e => EdgeInfo(e.Key).Label).Where(t => t.Length > 0).GroupBy(t => t)
                .Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ×{g.Count()}"));
            if (text.Length == 0)
            {
                continue;
            }

            var worst = group.OrderByDescending(e => Severity(EdgeInfo(e.Key).Tone)).First();
            var candidates = Candidates(group.First(), text).ToList();
            var at = candidates.FirstOrDefault(p => Clear(p, text, placed), candidates[0]);
            placed.Add(new Label(worst.Key, text, EdgeInfo(worst.Key).Tone, at));
        }

        return placed;
    }

    private static int Severity(string? tone) => Array.IndexOf(MarkerTones, tone ?? "");

    private static IEnumerable<LayoutPoint> Candidates(EdgeRoute edge, string text)
    {
        var segments = edge.Points.Zip(edge.Points.Skip(1)).ToList();
        var middle = (segments.Count - 1) / 2.0;
        foreach (var (a, b) in segments.Select((s, i) => (s, i)).OrderBy(x => Math.Abs(x.i - middle)).Select(x => x.s))
        {
            foreach (var t in new[] { 0.5, 0.3, 0.7 })
            {
                var x = a.X + ((b.X - a.X) * t);
                var y = a.Y + ((b.Y - a.Y) * t) + 4;
                yield return new LayoutPoint(x + 8, y);
                yield return new LayoutPoint(x - 8 - Width(text), y);
            }
        }
    }

    private bool Clear(LayoutPoint at, string text, List<Label> placed) =>
        !Layout.Nodes.Any(n => Overlaps(at, text, n.X, n.Y, n.Right, n.Bottom))
        && !placed.Any(p => Overlaps(at, text, p.At.X, p.At.Y - 11, p.At.X + Width(p.Text), p.At.Y + 3));

    // The label's box (11px text) against a rectangle, with a little room around it.
    private static bool Overlaps(LayoutPoint at, string text, double left, double top, double right, double bottom) =>
        at.X < right + 4 && at.X + Width(text) > left - 4 && at.Y - 11 < bottom + 4 && at.Y + 3 > top - 4;

    private static double Width(string text) => text.Length * LabelCharWidth;
}
