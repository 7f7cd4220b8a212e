namespace Portal.Domain.Topology;

/// <summary>A deterministic layered (Sugiyama-style) layout: layers, dummy nodes, barycenter crossing reduction, coordinates.</summary>
/// <remarks>
/// The result depends only on node names, tiers and edges, never on the order they come in or on anything else (statuses),
/// so a node keeps its place while its status changes. Steps:
/// <list type="number">
/// <item>Orient: every edge points down the page (requirer above provider, unless <see cref="LayoutEdge.DrawnUpward"/>).</item>
/// <item>Break cycles: a depth-first search in name order turns around the edges that close a cycle.</item>
/// <item>Layer: longest path from the sources, so every edge points to a lower layer. Then the tier hints, where the
/// edges leave room: storage that uses nothing sinks to the bottom layer; a source that is not an entry point moves down
/// to sit just above what it points at (short edges); entry points stay on top.</item>
/// <item>Dummy nodes split every edge that spans several layers, so it gets a lane through each layer it crosses.</item>
/// <item>Order: nodes by name, then down-and-up barycenter sweeps with adjacent swaps; ties broken by name; the order
/// with the fewest crossings wins (never worse than by name). When crossings remain, a second run starts from a
/// depth-first order, and the better of the two is kept; of an order and its mirror image, the one closer to names.</item>
/// <item>Coordinates: each layer is pulled towards its neighbours' positions by a weighted least-squares fit under the
/// minimum spacing (exact, by pool-adjacent-violators), dummies weighted most so long edges run straight.</item>
/// </list>
/// Adding a node moves only what its edges touch: layers come from paths, and orders and positions start from names.
/// </remarks>
public static class LayeredLayout
{
    private const double DummyWeight = 8;
    private const double LooseWeight = 0.1;

    /// <summary>Lays out the graph. An edge from a node to itself has nothing to route and is left out of the result.</summary>
    /// <exception cref="ArgumentException">A node name or edge key is given twice, or an edge joins an unknown node.</exception>
    public static GraphLayout Compute(IEnumerable<LayoutNode> nodes, IEnumerable<LayoutEdge> edges, LayoutOptions? options = null)
    {
        options ??= LayoutOptions.Default;
        var nodeList = nodes.OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        var edgeList = edges.OrderBy(e => e.Key, StringComparer.Ordinal).ToList();
        Validate(nodeList, edgeList);
        var routed = edgeList.Where(e => e.From != e.To).ToList();

        var oriented = routed.Select(e => e.DrawnUpward ? (Upper: e.To, Lower: e.From) : (Upper: e.From, Lower: e.To)).ToList();
        var downward = BreakCycles(nodeList.Select(n => n.Name).ToList(), oriented.Distinct().ToList());
        var layers = AssignLayers(nodeList, downward);
        var (ordering, chains) = BuildLayers(nodeList, downward, layers, options);

        var crossings = ReduceCrossings(ordering, options.CrossingSweeps);
        if (options.CrossingSweeps > 0 && crossings > 0)
        {
            var firstTry = Snapshot(ordering);
            DepthFirstOrder(ordering);
            var secondTry = ReduceCrossings(ordering, options.CrossingSweeps);
            if (secondTry >= crossings)
            {
                Restore(ordering, firstTry);
            }
            else
            {
                crossings = secondTry;
            }
        }

        AssignCoordinates(ordering, options);
        return Build(ordering, chains, routed, oriented, crossings, options);
    }

    /// <summary>The number of crossing pairs of segments between consecutive layers, for an ordering.</summary>
    private static int CountCrossings(List<List<Vertex>> layers)
    {
        var total = 0;
        for (var l = 0; l + 1 < layers.Count; l++)
        {
            var segments = layers[l].SelectMany(u => u.Down.Select(d => (Top: u.Position, Bottom: d.Position))).ToList();
            for (var i = 0; i < segments.Count; i++)
            {
                for (var j = i + 1; j < segments.Count; j++)
                {
                    if ((segments[i].Top - segments[j].Top) * (segments[i].Bottom - segments[j].Bottom) < 0)
                    {
                        total++;
                    }
                }
            }
        }

        return total;
    }

    private static void Validate(List<LayoutNode> nodes, List<LayoutEdge> edges)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (!names.Add(node.Name))
            {
                throw new ArgumentException($"The node '{node.Name}' is given twice.", nameof(nodes));
            }
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var edge in edges)
        {
            if (!keys.Add(edge.Key))
            {
                throw new ArgumentException($"The edge key '{edge.Key}' is given twice.", nameof(edges));
            }

            if (!names.Contains(edge.From) || !names.Contains(edge.To))
            {
                throw new ArgumentException($"The edge '{edge.Key}' joins a node that is not in the graph.", nameof(edges));
            }
        }
    }

    // Depth-first in name order; an edge to a node still on the search path closes a cycle and is turned around.
    private static List<(string Upper, string Lower)> BreakCycles(List<string> names, List<(string Upper, string Lower)> edges)
    {
        var successors = names.ToDictionary(n => n, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var (upper, lower) in edges)
        {
            successors[upper].Add(lower);
        }

        foreach (var list in successors.Values)
        {
            list.Sort(StringComparer.Ordinal);
        }

        var onPath = new HashSet<string>(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var result = new HashSet<(string, string)>();

        void Visit(string node)
        {
            onPath.Add(node);
            foreach (var next in successors[node])
            {
                if (onPath.Contains(next))
                {
                    result.Add((next, node));
                }
                else
                {
                    result.Add((node, next));
                    if (!done.Contains(next))
                    {
                        Visit(next);
                    }
                }
            }

            onPath.Remove(node);
            done.Add(node);
        }

        foreach (var name in names.Where(n => !done.Contains(n)))
        {
            Visit(name);
        }

        return [.. result.OrderBy(e => e.Item1, StringComparer.Ordinal).ThenBy(e => e.Item2, StringComparer.Ordinal)];
    }

    private static Dictionary<string, int> AssignLayers(List<LayoutNode> nodes, List<(string Upper, string Lower)> edges)
    {
        var predecessors = nodes.ToDictionary(n => n.Name, _ => new List<string>(), StringComparer.Ordinal);
        var successors = nodes.ToDictionary(n => n.Name, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var (upper, lower) in edges)
        {
            predecessors[lower].Add(upper);
            successors[upper].Add(lower);
        }

        // Longest path from the sources, in a topological order (Kahn's, smallest name first).
        var layer = new Dictionary<string, int>(StringComparer.Ordinal);
        var waiting = nodes.ToDictionary(n => n.Name, n => predecessors[n.Name].Count, StringComparer.Ordinal);
        var ready = new SortedSet<string>(nodes.Where(n => waiting[n.Name] == 0).Select(n => n.Name), StringComparer.Ordinal);
        while (ready.Count > 0)
        {
            var node = ready.Min!;
            ready.Remove(node);
            layer[node] = predecessors[node].Count == 0 ? 0 : predecessors[node].Max(p => layer[p]) + 1;
            foreach (var next in successors[node])
            {
                if (--waiting[next] == 0)
                {
                    ready.Add(next);
                }
            }
        }

        var bottom = layer.Values.DefaultIfEmpty(0).Max();
        foreach (var node in nodes.Where(n => n.Tier == LayoutTier.Storage && successors[n.Name].Count == 0 && predecessors[n.Name].Count > 0))
        {
            layer[node.Name] = bottom;
        }

        foreach (var node in nodes.Where(n => n.Tier == LayoutTier.Auto && predecessors[n.Name].Count == 0 && successors[n.Name].Count > 0))
        {
            layer[node.Name] = successors[node.Name].Min(s => layer[s]) - 1;
        }

        // Moving nodes can empty a layer: number the layers in use from 0.
        var used = layer.Values.Distinct().Order().Select((value, index) => (value, index)).ToDictionary(p => p.value, p => p.index);
        return layer.ToDictionary(p => p.Key, p => used[p.Value], StringComparer.Ordinal);
    }

    private static (List<List<Vertex>> Layers, Dictionary<(string, string), List<Vertex>> Chains) BuildLayers(
        List<LayoutNode> nodes, List<(string Upper, string Lower)> edges, Dictionary<string, int> layerOf, LayoutOptions options)
    {
        var count = layerOf.Values.DefaultIfEmpty(-1).Max() + 1;
        var layers = Enumerable.Range(0, count).Select(_ => new List<Vertex>()).ToList();
        var vertices = new Dictionary<string, Vertex>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            var vertex = new Vertex(node.Name, node.Name, layerOf[node.Name], options.NodeWidth);
            vertices.Add(node.Name, vertex);
            layers[vertex.Layer].Add(vertex);
        }

        var chains = new Dictionary<(string, string), List<Vertex>>();
        foreach (var (upper, lower) in edges)
        {
            var chain = new List<Vertex> { vertices[upper] };
            for (var l = layerOf[upper] + 1; l < layerOf[lower]; l++)
            {
                // Dummies are named after their edge, so they sort (and break ties) next to the node they leave from.
                var dummy = new Vertex($"{upper}\u2192{lower}#{l:D3}", null, l, 0);
                layers[l].Add(dummy);
                chain.Add(dummy);
            }

            chain.Add(vertices[lower]);
            for (var i = 0; i + 1 < chain.Count; i++)
            {
                chain[i].Down.Add(chain[i + 1]);
                chain[i + 1].Up.Add(chain[i]);
            }

            chains.Add((upper, lower), chain);
        }

        foreach (var layer in layers)
        {
            layer.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            Renumber(layer);
        }

        return (layers, chains);
    }

    private static int ReduceCrossings(List<List<Vertex>> layers, int sweeps)
    {
        var best = Snapshot(layers);
        var fewest = CountCrossings(layers);
        var stale = 0;
        for (var sweep = 0; sweep < sweeps && fewest > 0 && stale < 4; sweep++)
        {
            for (var l = 1; l < layers.Count; l++)
            {
                SortByBarycenter(layers[l], v => v.Up);
            }

            for (var l = layers.Count - 2; l >= 0; l--)
            {
                SortByBarycenter(layers[l], v => v.Down);
            }

            Transpose(layers);
            var crossings = CountCrossings(layers);
            if (crossings < fewest)
            {
                fewest = crossings;
                best = Snapshot(layers);
                stale = 0;
            }
            else
            {
                stale++;
            }
        }

        Restore(layers, best);
        Orient(layers);
        return fewest;
    }

    // A drawing and its mirror image have the same crossings, and the sweeps may settle on either; choosing the one whose
    // nodes read closer to name order, layer by layer, keeps the drawing from flipping sides when a node is added.
    private static void Orient(List<List<Vertex>> layers)
    {
        var inversions = 0L;
        var pairs = 0L;
        foreach (var real in layers.Select(l => l.Where(v => !v.IsDummy).ToList()))
        {
            for (var i = 0; i < real.Count; i++)
            {
                for (var j = i + 1; j < real.Count; j++)
                {
                    pairs++;
                    if (string.CompareOrdinal(real[i].Key, real[j].Key) > 0)
                    {
                        inversions++;
                    }
                }
            }
        }

        if (2 * inversions > pairs)
        {
            foreach (var layer in layers)
            {
                layer.Reverse();
                Renumber(layer);
            }
        }
    }

    // A second starting order for the sweeps: nodes as a depth-first walk down from the top meets them, so that what a
    // node uses starts out next to what its neighbours use. The sweeps are a local search; two starts find more.
    private static void DepthFirstOrder(List<List<Vertex>> layers)
    {
        var seen = new HashSet<Vertex>();
        var rank = new Dictionary<Vertex, int>();

        void Visit(Vertex vertex)
        {
            if (!seen.Add(vertex))
            {
                return;
            }

            rank[vertex] = rank.Count;
            foreach (var next in vertex.Down.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                Visit(next);
            }
        }

        foreach (var vertex in layers.SelectMany(l => l.OrderBy(v => v.Key, StringComparer.Ordinal)))
        {
            Visit(vertex);
        }

        foreach (var layer in layers)
        {
            layer.Sort((a, b) => rank[a].CompareTo(rank[b]));
            Renumber(layer);
        }
    }

    // A node without neighbours on the reference side keeps its place; equal barycenters go by name.
    private static void SortByBarycenter(List<Vertex> layer, Func<Vertex, List<Vertex>> neighbours)
    {
        var barycenter = layer.ToDictionary(v => v, v => neighbours(v) is { Count: > 0 } list ? list.Average(n => n.Position) : v.Position);
        layer.Sort((a, b) => barycenter[a] != barycenter[b]
            ? barycenter[a].CompareTo(barycenter[b])
            : string.CompareOrdinal(a.Key, b.Key));
        Renumber(layer);
    }

    // Swap neighbours in a layer while that removes crossings with the layers above and below (greedy switching).
    private static void Transpose(List<List<Vertex>> layers)
    {
        var improved = true;
        for (var round = 0; improved && round < 16; round++)
        {
            improved = false;
            foreach (var layer in layers)
            {
                for (var i = 0; i + 1 < layer.Count; i++)
                {
                    var (left, right) = (layer[i], layer[i + 1]);
                    if (PairCrossings(right, left) < PairCrossings(left, right))
                    {
                        (layer[i], layer[i + 1]) = (right, left);
                        left.Position = i + 1;
                        right.Position = i;
                        improved = true;
                    }
                }
            }
        }
    }

    // Crossings between the edges of two nodes of one layer when `left` is placed left of `right`.
    private static int PairCrossings(Vertex left, Vertex right)
    {
        var count = 0;
        foreach (var (a, b) in new[] { (left.Up, right.Up), (left.Down, right.Down) })
        {
            foreach (var x in a)
            {
                foreach (var y in b)
                {
                    if (x.Position > y.Position)
                    {
                        count++;
                    }
                }
            }
        }

        return count;
    }

    private static void AssignCoordinates(List<List<Vertex>> layers, LayoutOptions options)
    {
        foreach (var layer in layers)
        {
            var x = 0.0;
            for (var i = 0; i < layer.Count; i++)
            {
                x += i == 0 ? 0 : Separation(layer[i - 1], layer[i], options);
                layer[i].X = x;
            }

            var middle = layer.Count == 0 ? 0 : (layer[0].X + layer[^1].X) / 2;
            layer.ForEach(v => v.X -= middle);
        }

        for (var pass = 0; pass < options.AlignmentPasses; pass++)
        {
            for (var l = 1; l < layers.Count; l++)
            {
                Align(layers[l], v => v.Up, options);
            }

            for (var l = layers.Count - 2; l >= 0; l--)
            {
                Align(layers[l], v => v.Down, options);
            }
        }

        // A last pass against both sides balances a node between what it uses and what uses it.
        for (var l = 0; l < layers.Count; l++)
        {
            Align(layers[l], v => [.. v.Up, .. v.Down], options);
        }
    }

    private static double Separation(Vertex left, Vertex right, LayoutOptions options) =>
        ((left.Width + right.Width) / 2) + (left.IsDummy || right.IsDummy ? options.EdgeGap : options.NodeGap);

    // Moves the layer as close as it can to where its neighbours want it, keeping the order and the minimum spacing:
    // minimise sum w_i (x_i - d_i)^2 with x_(i+1) - x_i >= s_i. With y_i = x_i - S_i (S the prefix sum of spacings) this is
    // a weighted isotonic regression, solved exactly by pooling adjacent violators.
    private static void Align(List<Vertex> layer, Func<Vertex, List<Vertex>> neighbours, LayoutOptions options)
    {
        if (layer.Count == 0)
        {
            return;
        }

        var offset = new double[layer.Count];
        for (var i = 1; i < layer.Count; i++)
        {
            offset[i] = offset[i - 1] + Separation(layer[i - 1], layer[i], options);
        }

        var blocks = new List<(double Weight, double WeightedSum, int Count)>();
        for (var i = 0; i < layer.Count; i++)
        {
            var vertex = layer[i];
            var around = neighbours(vertex);
            var desired = around.Count > 0 ? around.Average(n => n.X) : vertex.X;
            var weight = around.Count == 0 ? LooseWeight : vertex.IsDummy ? DummyWeight * around.Count : around.Count;
            blocks.Add((weight, weight * (desired - offset[i]), 1));
            while (blocks.Count > 1 && Mean(blocks[^2]) > Mean(blocks[^1]))
            {
                var (last, previous) = (blocks[^1], blocks[^2]);
                blocks.RemoveRange(blocks.Count - 2, 2);
                blocks.Add((previous.Weight + last.Weight, previous.WeightedSum + last.WeightedSum, previous.Count + last.Count));
            }
        }

        var index = 0;
        foreach (var block in blocks)
        {
            for (var k = 0; k < block.Count; k++, index++)
            {
                layer[index].X = Mean(block) + offset[index];
            }
        }

        static double Mean((double Weight, double WeightedSum, int Count) block) => block.WeightedSum / block.Weight;
    }

    private static GraphLayout Build(
        List<List<Vertex>> layers,
        Dictionary<(string, string), List<Vertex>> chains,
        List<LayoutEdge> edges,
        List<(string Upper, string Lower)> oriented,
        int crossings,
        LayoutOptions options)
    {
        var all = layers.SelectMany(l => l).ToList();
        var left = all.Count == 0 ? 0 : all.Min(v => v.X - (v.Width / 2));
        var shift = options.Margin - left;
        all.ForEach(v => v.X = Math.Round(v.X + shift)); // Whole pixels: the gaps leave room for the rounding.
        double Top(int layer) => options.Margin + (layer * (options.NodeHeight + options.LayerGap));

        var nodes = all.Where(v => !v.IsDummy)
            .Select(v => new NodePlacement(
                v.Name!, v.Layer, v.Position, v.X - (options.NodeWidth / 2), Top(v.Layer), options.NodeWidth, options.NodeHeight))
            .OrderBy(n => n.Name, StringComparer.Ordinal)
            .ToList();

        var routes = new List<EdgeRoute>();
        for (var i = 0; i < edges.Count; i++)
        {
            var (upper, lower) = oriented[i];
            var turned = !chains.ContainsKey((upper, lower));
            var chain = turned ? chains[(lower, upper)] : chains[(upper, lower)];
            var points = new List<LayoutPoint> { new(chain[0].X, Top(chain[0].Layer) + options.NodeHeight) };
            foreach (var dummy in chain.Skip(1).Take(chain.Count - 2))
            {
                points.Add(new LayoutPoint(dummy.X, Top(dummy.Layer)));
                points.Add(new LayoutPoint(dummy.X, Top(dummy.Layer) + options.NodeHeight));
            }

            points.Add(new LayoutPoint(chain[^1].X, Top(chain[^1].Layer)));
            if (chain[0].Name != edges[i].From)
            {
                points.Reverse();
            }

            routes.Add(new EdgeRoute(edges[i].Key, edges[i].From, edges[i].To, points, chain.Count - 2));
        }

        var width = all.Count == 0 ? 2 * options.Margin : all.Max(v => v.X + (v.Width / 2)) + options.Margin;
        var height = layers.Count == 0 ? 2 * options.Margin : Top(layers.Count - 1) + options.NodeHeight + options.Margin;
        return new GraphLayout(nodes, routes, width, height, layers.Count, crossings);
    }

    private static void Renumber(List<Vertex> layer)
    {
        for (var i = 0; i < layer.Count; i++)
        {
            layer[i].Position = i;
        }
    }

    private static List<List<Vertex>> Snapshot(List<List<Vertex>> layers) => layers.Select(l => l.ToList()).ToList();

    private static void Restore(List<List<Vertex>> layers, List<List<Vertex>> snapshot)
    {
        for (var l = 0; l < layers.Count; l++)
        {
            layers[l].Clear();
            layers[l].AddRange(snapshot[l]);
            Renumber(layers[l]);
        }
    }

    /// <summary>A node of the layered graph: a real node, or a dummy that carries a long edge through one layer.</summary>
    private sealed class Vertex(string key, string? name, int layer, double width)
    {
        public string Key { get; } = key;

        public string? Name { get; } = name;

        public bool IsDummy => Name is null;

        public int Layer { get; } = layer;

        public double Width { get; } = width;

        public List<Vertex> Up { get; } = [];

        public List<Vertex> Down { get; } = [];

        public int Position { get; set; }

        public double X { get; set; }
    }
}
