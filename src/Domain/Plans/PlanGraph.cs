using Portal.Domain.Common;

namespace Portal.Domain.Plans;

/// <summary>A directed graph of step ids where an edge means "waits for"; refuses cycles and orders steps deterministically.</summary>
/// <remarks>Every enumeration is in ordinal id order, so the same nodes and edges always give the same order, the same
/// cycle message and the same reduced graph, whatever order they were added in.</remarks>
public sealed class PlanGraph
{
    private readonly SortedDictionary<string, SortedSet<string>> _dependencies = new(StringComparer.Ordinal);

    public IEnumerable<string> Nodes => _dependencies.Keys;

    public int Count => _dependencies.Count;

    public bool Contains(string id) => _dependencies.ContainsKey(id);

    /// <summary>Adds a step; adding one twice is harmless.</summary>
    public PlanGraph Add(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (!_dependencies.ContainsKey(id))
        {
            _dependencies.Add(id, new SortedSet<string>(StringComparer.Ordinal));
        }

        return this;
    }

    /// <summary>Records that <paramref name="step"/> waits for <paramref name="prerequisite"/>; both must have been added.</summary>
    /// <remarks>A step waiting for itself is accepted here and reported by <see cref="FindCycle"/>, like any other cycle.</remarks>
    public PlanGraph AddDependency(string step, string prerequisite)
    {
        var dependencies = DependenciesOfMutable(step);
        if (!_dependencies.ContainsKey(prerequisite))
        {
            throw new ArgumentException($"Step '{step}' waits for '{prerequisite}', which is not in the graph.", nameof(prerequisite));
        }

        dependencies.Add(prerequisite);
        return this;
    }

    public IReadOnlyCollection<string> DependenciesOf(string id) => DependenciesOfMutable(id);

    /// <summary>Steps that wait directly for <paramref name="id"/>, in id order.</summary>
    public IReadOnlyList<string> DependentsOf(string id) =>
        _dependencies.Where(pair => pair.Value.Contains(id)).Select(pair => pair.Key).ToList();

    /// <summary>True when <paramref name="step"/> waits for <paramref name="prerequisite"/>, directly or through other steps.</summary>
    public bool Reaches(string step, string prerequisite)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(DependenciesOf(step));
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            if (current == prerequisite)
            {
                return true;
            }

            if (seen.Add(current))
            {
                foreach (var next in _dependencies[current])
                {
                    stack.Push(next);
                }
            }
        }

        return false;
    }

    /// <summary>A cycle as the ids along it, first id repeated at the end (<c>a, b, a</c>: a waits for b, which waits for a);
    /// null when there is none. The cycle starts at its smallest id, so the message is the same for the same graph.</summary>
    public IReadOnlyList<string>? FindCycle()
    {
        var state = new Dictionary<string, VisitState>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var start in _dependencies.Keys)
        {
            if (Visit(start, state, path) is { } cycle)
            {
                var body = cycle.Take(cycle.Count - 1).ToList();
                var smallest = body.IndexOf(body.Min(StringComparer.Ordinal)!);
                var rotated = body.Skip(smallest).Concat(body.Take(smallest)).ToList();
                rotated.Add(rotated[0]);
                return rotated;
            }
        }

        return null;
    }

    /// <summary>Every step after the steps it waits for: by depth (the longest chain of prerequisites), then by id.</summary>
    /// <remarks>Ordering by depth makes the list read as waves: every step of a wave can run once the earlier waves are done.</remarks>
    public Result<IReadOnlyList<string>> TopologicalOrder()
    {
        if (FindCycle() is { } cycle)
        {
            return Result<IReadOnlyList<string>>.Failure("plan", CycleMessage(cycle));
        }

        var depth = Depths();
        IReadOnlyList<string> order = [.. _dependencies.Keys.OrderBy(id => depth[id]).ThenBy(id => id, StringComparer.Ordinal)];
        return Result<IReadOnlyList<string>>.Success(order);
    }

    /// <summary>The longest chain of prerequisites below each step (0 for a step that waits for nothing). The graph must be acyclic.</summary>
    public IReadOnlyDictionary<string, int> Depths()
    {
        EnsureAcyclic();
        var depth = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var id in _dependencies.Keys)
        {
            DepthOf(id, depth);
        }

        return depth;
    }

    /// <summary>The same order with every dependency that another path already implies removed (transitive reduction).</summary>
    /// <remarks>Keeps each step's "waits for" list short and meaningful: "apply:airbyte" waits for the relations it reads,
    /// not also for the namespace those relations already waited for. The graph must be acyclic.</remarks>
    public PlanGraph WithoutRedundantDependencies()
    {
        EnsureAcyclic();
        var reduced = new PlanGraph();
        foreach (var id in _dependencies.Keys)
        {
            reduced.Add(id);
        }

        foreach (var (id, dependencies) in _dependencies)
        {
            foreach (var dependency in dependencies)
            {
                var impliedByAnother = dependencies.Any(other => other != dependency && Reaches(other, dependency));
                if (!impliedByAnother)
                {
                    reduced.AddDependency(id, dependency);
                }
            }
        }

        return reduced;
    }

    /// <summary>The sub-graph of <paramref name="keep"/>: a kept step waits for a kept step when it did before, directly
    /// or through steps that were left out, so the original order holds among the kept steps.</summary>
    public PlanGraph Restrict(IEnumerable<string> keep)
    {
        var kept = new SortedSet<string>(keep.Where(Contains), StringComparer.Ordinal);
        var restricted = new PlanGraph();
        foreach (var id in kept)
        {
            restricted.Add(id);
        }

        foreach (var id in kept)
        {
            foreach (var prerequisite in kept)
            {
                if (id != prerequisite && Reaches(id, prerequisite))
                {
                    restricted.AddDependency(id, prerequisite);
                }
            }
        }

        return restricted;
    }

    /// <summary>Every edge turned around: what waited now goes first (a teardown is a deploy read backwards).</summary>
    public PlanGraph Reverse()
    {
        var reversed = new PlanGraph();
        foreach (var id in _dependencies.Keys)
        {
            reversed.Add(id);
        }

        foreach (var (id, dependencies) in _dependencies)
        {
            foreach (var dependency in dependencies)
            {
                reversed.AddDependency(dependency, id);
            }
        }

        return reversed;
    }

    /// <summary>A copy with every id mapped through <paramref name="rename"/> (which must be one-to-one).</summary>
    public PlanGraph Rename(Func<string, string> rename)
    {
        var renamed = new PlanGraph();
        foreach (var id in _dependencies.Keys)
        {
            renamed.Add(rename(id));
        }

        if (renamed.Count != Count)
        {
            throw new ArgumentException("The renaming maps two steps to one id.", nameof(rename));
        }

        foreach (var (id, dependencies) in _dependencies)
        {
            foreach (var dependency in dependencies)
            {
                renamed.AddDependency(rename(id), rename(dependency));
            }
        }

        return renamed;
    }

    /// <summary>Adds every step and edge of <paramref name="other"/> to this graph.</summary>
    public PlanGraph Merge(PlanGraph other)
    {
        foreach (var id in other.Nodes)
        {
            Add(id);
        }

        foreach (var id in other.Nodes)
        {
            foreach (var dependency in other.DependenciesOf(id))
            {
                AddDependency(id, dependency);
            }
        }

        return this;
    }

    internal static string CycleMessage(IReadOnlyList<string> cycle) =>
        $"The steps wait for each other in a cycle, so none of them could ever start: {string.Join(" → ", cycle)} "
        + "(each step waits for the next).";

    private SortedSet<string> DependenciesOfMutable(string id) =>
        _dependencies.TryGetValue(id, out var dependencies)
            ? dependencies
            : throw new ArgumentException($"Step '{id}' is not in the graph.", nameof(id));

    private void EnsureAcyclic()
    {
        if (FindCycle() is { } cycle)
        {
            throw new InvalidOperationException(CycleMessage(cycle));
        }
    }

    private int DepthOf(string id, Dictionary<string, int> depth)
    {
        if (depth.TryGetValue(id, out var known))
        {
            return known;
        }

        var value = 0;
        foreach (var dependency in _dependencies[id])
        {
            value = Math.Max(value, DepthOf(dependency, depth) + 1);
        }

        depth[id] = value;
        return value;
    }

    // Depth-first search with the classic three colours; a grey node met again closes a cycle on the current path.
    private List<string>? Visit(string id, Dictionary<string, VisitState> state, List<string> path)
    {
        if (state.TryGetValue(id, out var current))
        {
            if (current == VisitState.OnPath)
            {
                var start = path.IndexOf(id);
                return [.. path.Skip(start), id];
            }

            return null;
        }

        state[id] = VisitState.OnPath;
        path.Add(id);
        foreach (var dependency in _dependencies[id])
        {
            if (Visit(dependency, state, path) is { } cycle)
            {
                return cycle;
            }
        }

        path.RemoveAt(path.Count - 1);
        state[id] = VisitState.Done;
        return null;
    }

    private enum VisitState
    {
        OnPath,
        Done,
    }
}
