using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Common;
using Portal.Domain.Naming;
using Portal.Domain.Values;

namespace Portal.Domain.Stacks;

/// <summary>Turns a <see cref="StackRequest"/> into a valid <see cref="StackSpec"/>, or lists every problem at once, each
/// with a path: <c>name</c>, <c>namespace</c>, <c>cluster</c>, <c>blueprint</c>, <c>&lt;component&gt;</c>,
/// <c>&lt;component&gt;.&lt;option&gt;</c>, <c>relations[i]</c> or <c>&lt;component&gt;:&lt;endpoint&gt;</c>.</summary>
/// <remarks>
/// The spec keeps only the options the operator gave (normalised; defaults are not copied in), its components in
/// blueprint order and its relations resolved. No message ever contains the value of a secret option. With
/// <c>lastApplied</c> (the spec last deployed) it also refuses changes that cannot be made after deployment, and treats a
/// secret option left out of the request as "keep the deployed value", since stored specs carry no secrets.
/// </remarks>
public static partial class StackValidator
{
    /// <summary>Namespaces that belong to Kubernetes itself.</summary>
    public static IReadOnlySet<string> ReservedNamespaces { get; } =
        new HashSet<string>(StringComparer.Ordinal) { "kube-system", "kube-public", "kube-node-lease" };

    /// <summary>PostgreSQL truncates identifiers longer than this (NAMEDATALEN - 1); database names derive from the stack name.</summary>
    public const int MaxPostgresIdentifierLength = 63;

    public static Result<StackSpec> Validate(
        StackRequest request,
        ComponentCatalog catalog,
        IReadOnlyCollection<string> knownClusters,
        DateTimeOffset now,
        StackSpec? lastApplied = null)
    {
        var errors = new ErrorList();
        var name = ValidateName(request, lastApplied, errors);
        var cluster = ValidateCluster(request, knownClusters, lastApplied, errors);
        var @namespace = ValidateNamespace(request, name, lastApplied, errors);
        var blueprint = ValidateBlueprint(request, lastApplied, errors);
        if (blueprint is null)
        {
            return Result<StackSpec>.Failure(errors);
        }

        var components = ValidateConfig(request, blueprint, catalog, now, lastApplied, errors);
        var relations = ValidateRelations(request, blueprint, components, errors);
        ValidateRoutes(components, relations, errors);
        ValidateKindRules(components, errors);
        if (name is not null)
        {
            ValidateDerivedNames(name, relations, errors);
        }

        return errors.ToResult(() => new StackSpec(
            name!,
            blueprint.Name,
            cluster!,
            @namespace!,
            components.Values.Select(c => c.ToSpec()).ToList(),
            relations.Select(r => r.Spec).ToList()));
    }

    private static string? ValidateName(StackRequest request, StackSpec? lastApplied, ErrorList errors)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            errors.Add("name", "A stack name is needed: lowercase letters, digits and '-', at most 63 characters (e.g. airbyte-prod).");
            return null;
        }

        if (!errors.Collect(DnsLabel.TryCreate(request.Name), "name", out var name))
        {
            return null;
        }

        if (lastApplied is not null && lastApplied.Name != name.Value)
        {
            errors.Add("name", $"A stack cannot be renamed after deployment; it is {lastApplied.Name}.");
            return null;
        }

        return name.Value;
    }

    private static string? ValidateCluster(StackRequest request, IReadOnlyCollection<string> knownClusters, StackSpec? lastApplied, ErrorList errors)
    {
        var cluster = request.Cluster?.Trim();
        if (string.IsNullOrEmpty(cluster))
        {
            errors.Add("cluster", knownClusters.Count == 0
                ? "A cluster is needed, but none is connected yet; connect a cluster first."
                : $"A cluster is needed; the connected clusters are {string.Join(", ", knownClusters)}.");
            return null;
        }

        if (!knownClusters.Contains(cluster, StringComparer.Ordinal))
        {
            var known = knownClusters.Count == 0 ? "no cluster is connected yet" : $"the connected clusters are {string.Join(", ", knownClusters)}";
            var suggestion = Spelling.Suggest(cluster, knownClusters);
            errors.Add("cluster", suggestion is not null
                ? $"{Show.QuoteStart(cluster)} is not a known cluster; did you mean {suggestion}?"
                : $"{Show.QuoteStart(cluster)} is not a known cluster; {known}.");
            return null;
        }

        if (lastApplied is not null && lastApplied.Cluster != cluster)
        {
            errors.Add("cluster", $"A stack cannot move to another cluster after deployment; it is on {lastApplied.Cluster}.");
            return null;
        }

        return cluster;
    }

    private static string? ValidateNamespace(StackRequest request, string? name, StackSpec? lastApplied, ErrorList errors)
    {
        string? value;
        if (request.Namespace is null)
        {
            // Defaults to the stack's name; an invalid name has been reported already.
            value = name;
        }
        else if (errors.Collect(DnsLabel.TryCreate(request.Namespace), "namespace", out var label))
        {
            value = label.Value;
        }
        else
        {
            return null;
        }

        if (value is null)
        {
            return null;
        }

        if (ReservedNamespaces.Contains(value))
        {
            errors.Add("namespace", $"The namespace {value} belongs to Kubernetes itself; choose another.");
            return null;
        }

        if (lastApplied is not null && lastApplied.Namespace != value)
        {
            errors.Add("namespace", $"A stack cannot move to another namespace after deployment; it is {lastApplied.Namespace}.");
            return null;
        }

        return value;
    }

    private static Blueprint? ValidateBlueprint(StackRequest request, StackSpec? lastApplied, ErrorList errors)
    {
        var names = BlueprintCatalog.All.Select(b => b.Name).ToList();
        var text = request.Blueprint?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            errors.Add("blueprint", $"A blueprint is needed; the blueprints are {string.Join(", ", names)}.");
            return null;
        }

        if (!BlueprintCatalog.TryGet(text, out var blueprint))
        {
            var suggestion = Spelling.Suggest(text, names);
            errors.Add("blueprint", suggestion is not null
                ? $"{Show.QuoteStart(text)} is not a blueprint; did you mean {suggestion}?"
                : $"{Show.QuoteStart(text)} is not a blueprint; the blueprints are {string.Join(", ", names)}.");
            return null;
        }

        if (lastApplied is not null && lastApplied.Blueprint != blueprint.Name)
        {
            errors.Add("blueprint", $"The blueprint cannot be changed after deployment; it is {lastApplied.Blueprint}.");
            return null;
        }

        return blueprint;
    }

    /// <summary>Database names are <c>&lt;stack&gt;_&lt;requirer&gt;[_&lt;endpoint&gt;]</c>; PostgreSQL would silently cut longer ones.</summary>
    private static void ValidateDerivedNames(string name, IReadOnlyList<ResolvedRelation> relations, ErrorList errors)
    {
        var longest = relations
            .Where(r => r.Spec.Interface == Interfaces.PostgresqlClient)
            .Select(r => ObjectNames.Database(name, r.Spec))
            .OrderByDescending(n => n.Length)
            .FirstOrDefault();
        if (longest is not null && longest.Length > MaxPostgresIdentifierLength)
        {
            var allowed = name.Length - (longest.Length - MaxPostgresIdentifierLength);
            errors.Add("name", $"The name is too long for the databases named after it: {longest} would be {longest.Length} characters, "
                + $"and PostgreSQL allows {MaxPostgresIdentifierLength}. Use at most {allowed} characters.");
        }
    }
}
