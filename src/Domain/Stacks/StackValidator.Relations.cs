using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Common;
using Portal.Domain.Values;

namespace Portal.Domain.Stacks;

public static partial class StackValidator
{
    private static List<ResolvedRelation> ValidateRelations(
        StackRequest request, Blueprint blueprint, OrderedDictionary<string, ComponentState> components, ErrorList errors)
    {
        var items = request.Relations
            ?? blueprint.Relations.Select(r => new RelationRequest(r.Requirer.ToString(), r.Provider.ToString())).ToList();
        var resolved = new List<ResolvedRelation>();
        var seen = new Dictionary<(EndpointRef, EndpointRef), int>();
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"relations[{i}]";
            var item = items[i];
            var requirer = ResolveEndpoint(item?.Requirer, "requirer", components, path, errors);
            var provider = ResolveEndpoint(item?.Provider, "provider", components, path, errors);
            if (requirer is null || provider is null)
            {
                continue;
            }

            var (requirerRef, requirerEndpoint) = requirer.Value;
            var (providerRef, providerEndpoint) = provider.Value;
            var problems = errors.Count;
            if (requirerRef.Component == providerRef.Component)
            {
                errors.Add(path, $"{requirerRef} → {providerRef}: a component cannot be related to itself.");
            }

            if (requirerEndpoint.Role == EndpointRole.Provides && providerEndpoint.Role == EndpointRole.Requires)
            {
                errors.Add(path, $"The sides are swapped: {providerRef} requires and {requirerRef} provides; write {providerRef} as the requirer and {requirerRef} as the provider.");
            }
            else
            {
                if (requirerEndpoint.Role != EndpointRole.Requires)
                {
                    errors.Add(path, $"{requirerRef} provides {requirerEndpoint.Interface}, so it cannot be the requirer of a relation.");
                }

                if (providerEndpoint.Role != EndpointRole.Provides)
                {
                    errors.Add(path, $"{providerRef} requires {providerEndpoint.Interface}, so it cannot be the provider of a relation.");
                }
            }

            if (requirerEndpoint.Interface != providerEndpoint.Interface)
            {
                errors.Add(path, $"{requirerRef} speaks {requirerEndpoint.Interface} but {providerRef} speaks {providerEndpoint.Interface}; both ends of a relation must use the same interface.");
            }

            if (seen.TryGetValue((requirerRef, providerRef), out var first))
            {
                errors.Add(path, $"This relation repeats relations[{first}] ({requirerRef} → {providerRef}).");
            }
            else
            {
                seen[(requirerRef, providerRef)] = i;
            }

            if (errors.Count == problems)
            {
                resolved.Add(new ResolvedRelation(new RelationSpec(requirerRef, providerRef, requirerEndpoint.Interface), i));
            }
        }

        CheckLimits(components, resolved, errors);
        CheckRequiredRelations(components, resolved, errors);
        return resolved;
    }

    private static (EndpointRef Ref, EndpointDefinition Endpoint)? ResolveEndpoint(
        string? text, string side, OrderedDictionary<string, ComponentState> components, string path, ErrorList errors)
    {
        if (!EndpointRef.TryParse(text?.Trim(), out var parsed))
        {
            errors.Add(path, string.IsNullOrWhiteSpace(text)
                ? $"The {side} is missing; write it as component:endpoint (e.g. airbyte:db)."
                : $"The {side} {Show.Quote(text)} is not of the form component:endpoint (e.g. airbyte:db).");
            return null;
        }

        var reference = parsed.Value;
        if (!components.TryGetValue(reference.Component, out var state))
        {
            var suggestion = Spelling.Suggest(reference.Component, components.Keys);
            errors.Add(path, $"The {side} {Show.Plain(reference.ToString())} names no component of this stack{(suggestion is null ? "." : $"; did you mean {suggestion}:{Show.Plain(reference.Endpoint)}?")}");
            return null;
        }

        var endpoint = state.Kind.FindEndpoint(reference.Endpoint);
        if (endpoint is null)
        {
            var names = state.Kind.Endpoints.Select(e => e.Name).ToList();
            var suggestion = Spelling.Suggest(reference.Endpoint, names);
            errors.Add(path, suggestion is not null
                ? $"{reference.Component} has no endpoint {Show.Quote(reference.Endpoint)}; did you mean {reference.Component}:{suggestion}?"
                : $"{reference.Component} has no endpoint {Show.Quote(reference.Endpoint)}; its endpoints are {string.Join(", ", names)}.");
            return null;
        }

        return (reference, endpoint);
    }

    private static void CheckLimits(OrderedDictionary<string, ComponentState> components, List<ResolvedRelation> relations, ErrorList errors)
    {
        foreach (var state in components.Values)
        {
            foreach (var endpoint in state.Kind.Endpoints.Where(e => e.Limit is not null))
            {
                var reference = new EndpointRef(state.Name, endpoint.Name);
                var partners = relations
                    .Select(r => r.Spec)
                    .Where(r => r.Requirer == reference || r.Provider == reference)
                    .Select(r => r.Requirer == reference ? r.Provider : r.Requirer)
                    .ToList();
                if (partners.Count > endpoint.Limit)
                {
                    var limit = endpoint.Limit == 1 ? "one relation" : $"{endpoint.Limit} relations";
                    errors.Add(reference.ToString(), $"{reference} accepts {limit} but has {partners.Count}: with {Show.And(partners.Select(p => p.ToString()))}.");
                }
            }
        }
    }

    private static void CheckRequiredRelations(OrderedDictionary<string, ComponentState> components, List<ResolvedRelation> relations, ErrorList errors)
    {
        foreach (var state in components.Values)
        {
            foreach (var endpoint in state.Kind.Endpoints.Where(e => e.Role == EndpointRole.Requires && e.Required))
            {
                var reference = new EndpointRef(state.Name, endpoint.Name);
                if (relations.Any(r => r.Spec.Requirer == reference))
                {
                    continue;
                }

                var providers = components.Values
                    .SelectMany(c => c.Kind.Endpoints
                        .Where(e => e.Role == EndpointRole.Provides && e.Interface == endpoint.Interface)
                        .Select(e => $"{c.Name}:{e.Name}"))
                    .ToList();
                var hint = providers.Count == 0
                    ? $" No component of this stack provides {endpoint.Interface}."
                    : $" Relate it to {Show.Or(providers)}.";
                errors.Add(reference.ToString(), $"{reference} is required but not related.{hint}");
            }
        }
    }

    /// <summary>A relation that passed every check, with its position in the request (for messages).</summary>
    private sealed record ResolvedRelation(RelationSpec Spec, int Index);
}
