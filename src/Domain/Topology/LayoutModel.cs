namespace Portal.Domain.Topology;

/// <summary>A hint on where a node belongs vertically, used only where the edges leave a choice.</summary>
public enum LayoutTier
{
    /// <summary>Placed by its edges; a node nothing points at sits right above the nodes it points at.</summary>
    Auto,

    /// <summary>An entry point (ingress, certificate provider): when nothing points at it, it stays on the top layer.</summary>
    Entry,

    /// <summary>Storage (database, object store): when it points at nothing, it sits on the bottom layer.</summary>
    Storage,
}

/// <summary>A node to lay out: a component name and an optional tier hint.</summary>
public sealed record LayoutNode(string Name, LayoutTier Tier = LayoutTier.Auto);

/// <summary>A directed edge from a requirer to a provider (<paramref name="From"/> → <paramref name="To"/>).</summary>
/// <remarks>By default the requirer is drawn above the provider (Airbyte above PostgreSQL). <see cref="DrawnUpward"/>
/// turns that around for relations that bring something into the requirer from outside, so that traffic and certificates
/// flow down the page: the ingress above the app it routes to, lego above the ingress it serves.</remarks>
public sealed record LayoutEdge(string From, string To)
{
    /// <summary>Identifies the edge in the result (a relation key); defaults to <c>From->To</c>.</summary>
    public string Key { get; init; } = $"{From}->{To}";

    /// <summary>Draw the provider (<see cref="To"/>) above the requirer.</summary>
    public bool DrawnUpward { get; init; }
}

/// <summary>Sizes and effort of the layered layout.</summary>
public sealed record LayoutOptions
{
    public static LayoutOptions Default { get; } = new();

    public double NodeWidth { get; init; } = 180;

    public double NodeHeight { get; init; } = 56;

    /// <summary>Horizontal space between two node boxes.</summary>
    public double NodeGap { get; init; } = 40;

    /// <summary>Horizontal space between an edge passing through a layer and its neighbours.</summary>
    public double EdgeGap { get; init; } = 20;

    /// <summary>Vertical space between two layers, where edges run.</summary>
    public double LayerGap { get; init; } = 72;

    public double Margin { get; init; } = 24;

    /// <summary>Down-and-up barycenter sweeps of crossing reduction; 0 keeps the initial order (nodes by name).</summary>
    public int CrossingSweeps { get; init; } = 24;

    /// <summary>Passes of coordinate assignment that pull nodes towards their neighbours.</summary>
    public int AlignmentPasses { get; init; } = 12;
}

/// <summary>A point of the layout, in the same units as the options (CSS pixels for the topology view).</summary>
public readonly record struct LayoutPoint(double X, double Y);

/// <summary>Where a node goes: its layer, its position in the layer and its box (top-left corner and size).</summary>
public sealed record NodePlacement(string Name, int Layer, int Order, double X, double Y, double Width, double Height)
{
    public double CenterX => X + (Width / 2);

    public double CenterY => Y + (Height / 2);

    public double Right => X + Width;

    public double Bottom => Y + Height;

    public bool Overlaps(NodePlacement other) =>
        X < other.Right && other.X < Right && Y < other.Bottom && other.Y < Bottom;
}

/// <summary>The polyline of one edge, from <see cref="From"/>'s box to <see cref="To"/>'s box.</summary>
/// <param name="Points">Starts on the boundary of the From node and ends on the boundary of the To node; in between, a
/// vertical run through each layer the edge crosses (where a dummy node kept it a lane).</param>
/// <param name="LayersCrossed">How many layers lie strictly between the two nodes (dummy nodes on the way).</param>
public sealed record EdgeRoute(string Key, string From, string To, IReadOnlyList<LayoutPoint> Points, int LayersCrossed);

/// <summary>A layered drawing of a graph: node boxes, edge polylines and the size of the whole.</summary>
public sealed class GraphLayout
{
    private readonly Dictionary<string, NodePlacement> _byName;

    internal GraphLayout(
        IReadOnlyList<NodePlacement> nodes, IReadOnlyList<EdgeRoute> edges, double width, double height, int layerCount, int crossings)
    {
        Nodes = nodes;
        Edges = edges;
        Width = width;
        Height = height;
        LayerCount = layerCount;
        Crossings = crossings;
        _byName = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
    }

    /// <summary>Every node, by name.</summary>
    public IReadOnlyList<NodePlacement> Nodes { get; }

    /// <summary>Every edge between two different nodes, by key.</summary>
    public IReadOnlyList<EdgeRoute> Edges { get; }

    public double Width { get; }

    public double Height { get; }

    public int LayerCount { get; }

    /// <summary>How many pairs of edge segments cross (edges sharing a route, such as two relations between the same
    /// components, count once).</summary>
    public int Crossings { get; }

    public NodePlacement this[string name] =>
        _byName.TryGetValue(name, out var node) ? node : throw new KeyNotFoundException($"The layout has no node '{name}'.");

    public EdgeRoute Edge(string key) =>
        Edges.FirstOrDefault(e => e.Key == key) ?? throw new KeyNotFoundException($"The layout has no edge '{key}'.");
}
