using Portal.Domain.Topology;

namespace Portal.Domain.Tests.Topology;

/// <summary>Checks on a finished drawing computed from its coordinates alone, independent of how the layout got there.</summary>
internal static class LayoutGeometry
{
    /// <summary>Pairs of edge segments that cross (strictly: sharing an end point is not a crossing; identical segments,
    /// such as two relations between the same components, are counted once).</summary>
    public static int Crossings(GraphLayout layout)
    {
        var segments = layout.Edges
            .SelectMany(e => e.Points.Zip(e.Points.Skip(1), (a, b) => a.Y <= b.Y ? (Top: a, Bottom: b) : (Top: b, Bottom: a)))
            .Distinct()
            .ToList();
        var count = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            for (var j = i + 1; j < segments.Count; j++)
            {
                var (s, t) = (segments[i], segments[j]);
                // Every segment runs between two of the horizontal lines that bound layers and gaps; only segments over
                // the same band can cross, and they cross when their order at the top and at the bottom differs.
                if (s.Top.Y == t.Top.Y && s.Bottom.Y == t.Bottom.Y && (s.Top.X - t.Top.X) * (s.Bottom.X - t.Bottom.X) < 0)
                {
                    count++;
                }
            }
        }

        return count;
    }

    public static bool OnTopCentre(LayoutPoint point, NodePlacement node) => point.X == node.CenterX && point.Y == node.Y;

    public static bool OnBottomCentre(LayoutPoint point, NodePlacement node) => point.X == node.CenterX && point.Y == node.Bottom;

    public static bool OnBoundaryCentre(LayoutPoint point, NodePlacement node) => OnTopCentre(point, node) || OnBottomCentre(point, node);

    /// <summary>A vertical run of an edge through a layer (a dummy's lane) that passes through a node box of that layer.</summary>
    public static IEnumerable<(string Edge, string Node)> LanesThroughNodes(GraphLayout layout) =>
        from edge in layout.Edges
        from pair in edge.Points.Zip(edge.Points.Skip(1))
        where pair.First.X == pair.Second.X && pair.First.Y != pair.Second.Y
        from node in layout.Nodes
        where node.X <= pair.First.X && pair.First.X <= node.Right
              && Math.Min(pair.First.Y, pair.Second.Y) < node.Bottom && node.Y < Math.Max(pair.First.Y, pair.Second.Y)
        select (edge.Key, node.Name);

    public static IEnumerable<(string, string)> OverlappingNodes(GraphLayout layout) =>
        from a in layout.Nodes
        from b in layout.Nodes
        where string.CompareOrdinal(a.Name, b.Name) < 0 && a.Overlaps(b)
        select (a.Name, b.Name);

    /// <summary>Everything about a layout, as text, to compare two layouts exactly.</summary>
    public static IReadOnlyList<string> Fingerprint(GraphLayout layout) =>
    [
        $"{layout.Width}x{layout.Height} layers={layout.LayerCount} crossings={layout.Crossings}",
        .. layout.Nodes.Select(n => $"{n.Name} L{n.Layer}#{n.Order} ({n.X},{n.Y},{n.Width},{n.Height})"),
        .. layout.Edges.Select(e => $"{e.Key} {e.From}->{e.To} {string.Join(" ", e.Points.Select(p => $"({p.X},{p.Y})"))}"),
    ];
}
