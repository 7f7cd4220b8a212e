using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Common;
using Portal.Domain.Values;

namespace Portal.Domain.Stacks;

public static partial class StackValidator
{
    /// <summary>Options whose URL messages read better with a name than with the option's name.</summary>
    private static readonly Dictionary<(string Kind, string Option), string> UrlSubjects = new()
    {
        [(LegoKind.Name, "server")] = "the ACME server",
        [(OAuth2ProxyKind.Name, "oidc-issuer-url")] = "the OIDC issuer URL",
    };

    private static OrderedDictionary<string, ComponentState> ValidateConfig(
        StackRequest request, Blueprint blueprint, ComponentCatalog catalog, DateTimeOffset now, StackSpec? lastApplied, ErrorList errors)
    {
        var states = new OrderedDictionary<string, ComponentState>(StringComparer.Ordinal);
        foreach (var component in blueprint.Components)
        {
            if (!catalog.TryGet(component.Kind, out var kind))
            {
                errors.Add(component.Name, $"The blueprint's component {component.Name} is of kind {component.Kind}, which the catalog does not know.");
                continue;
            }

            states[component.Name] = new ComponentState(component.Name, kind, lastApplied?.FindComponent(component.Name));
        }

        var config = request.Config ?? new Dictionary<string, IReadOnlyDictionary<string, string?>>();
        var order = blueprint.Components.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        foreach (var (componentName, options) in config.OrderBy(p => order.GetValueOrDefault(p.Key, int.MaxValue)).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!states.TryGetValue(componentName, out var state))
            {
                var names = blueprint.Components.Select(c => c.Name).ToList();
                var suggestion = Spelling.Suggest(componentName, names);
                // A blank name is reported on the config itself: an error must name somewhere to look.
                errors.Add(string.IsNullOrWhiteSpace(componentName) ? "config" : componentName, suggestion is not null
                    ? $"{Show.QuoteStart(componentName)} is not a component of the {blueprint.Name} blueprint; did you mean {suggestion}?"
                    : $"{Show.QuoteStart(componentName)} is not a component of the {blueprint.Name} blueprint; its components are {string.Join(", ", names)}.");
                continue;
            }

            ParseOptions(state, options ?? new Dictionary<string, string?>(), now, errors);
        }

        foreach (var state in states.Values)
        {
            CheckRequired(state, errors);
            CheckImmutable(state, errors);
        }

        return states;
    }

    private static void ParseOptions(ComponentState state, IReadOnlyDictionary<string, string?> options, DateTimeOffset now, ErrorList errors)
    {
        var kind = state.Kind;
        var optionOrder = kind.Options.Select((o, i) => (o.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var unknown = 0;
        foreach (var (optionName, value) in options.OrderBy(p => optionOrder.GetValueOrDefault(p.Key, int.MaxValue)).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            var path = $"{state.Name}.{optionName}";
            var option = kind.FindOption(optionName);
            if (option is null)
            {
                // A body with thousands of made-up keys gets a readable answer: the first few by name, the rest counted.
                if (++unknown > Errors.MaxProblems)
                {
                    continue;
                }

                var suggestion = Spelling.Suggest(optionName, kind.Options.Select(o => o.Name));
                errors.Add(path, suggestion is not null
                    ? $"{Show.PlainStart(path)} is not an option of {state.Name}; did you mean {suggestion}?"
                    : $"{Show.PlainStart(path)} is not an option of {state.Name}{(state.Name == kind.Name ? "" : $" (a {kind.Name})")}.");
                continue;
            }

            var subject = UrlSubjects.GetValueOrDefault((kind.Name, option.Name));
            if (errors.Collect(OptionValueParser.Parse(option, value, now, subject), path, out var normalised))
            {
                if (normalised is not null)
                {
                    state.Explicit[option.Name] = normalised;
                }
            }
            else
            {
                state.Invalid.Add(option.Name);
            }
        }

        if (unknown > Errors.MaxProblems)
        {
            var more = unknown - Errors.MaxProblems;
            errors.Add(state.Name, $"{Show.Number(more)} more {(more == 1 ? "name is" : "names are")} not options of {state.Name} either.");
        }
    }

    private static void CheckRequired(ComponentState state, ErrorList errors)
    {
        foreach (var option in state.Kind.Options)
        {
            if (option.Generated || state.Invalid.Contains(option.Name) || state.HasValue(option))
            {
                continue;
            }

            var condition = option.RequiredWhen;
            var required = option.Required || (condition is not null && state.Holds(condition));
            if (!required)
            {
                continue;
            }

            var path = $"{state.Name}.{option.Name}";
            var what = option.Description.TrimEnd('.');
            if (state.Explicit.ContainsKey(option.Name) && !string.IsNullOrEmpty(option.Default))
            {
                errors.Add(path, $"{option.Name} cannot be empty; leave it out to use the default, {option.Default}.");
            }
            else if (option.Required)
            {
                errors.Add(path, $"{option.Name} is required ({what}).");
            }
            else
            {
                errors.Add(path, $"{option.Name} is required when {condition} ({what}).");
            }
        }
    }

    private static void CheckImmutable(ComponentState state, ErrorList errors)
    {
        if (state.Previous is null)
        {
            return;
        }

        foreach (var option in state.Kind.Options.Where(o => o.ImmutableAfterDeploy))
        {
            if (state.Invalid.Contains(option.Name))
            {
                continue;
            }

            // A stored spec has no secrets: a secret's deployed value is unknown unless the previous spec carries it.
            var previousKnown = state.Previous.Config.TryGetValue(option.Name, out var previousExplicit);
            if (option.Secret && (!previousKnown || !state.Explicit.ContainsKey(option.Name)))
            {
                continue;
            }

            var before = previousKnown ? previousExplicit : option.Default;
            var after = state.Effective(option.Name);
            if (!SameValue(option, before, after))
            {
                var shown = option.Secret ? "" : string.IsNullOrEmpty(before) ? "; it is not set" : $"; it is {before}";
                errors.Add($"{state.Name}.{option.Name}", $"{option.Name} cannot be changed after deployment{shown}.");
            }
        }
    }

    /// <summary>Equal as the component would see them: quantities by amount (<c>10Gi</c> is <c>10240Mi</c>), the rest as text.</summary>
    private static bool SameValue(ConfigOptionDefinition option, string? a, string? b)
    {
        if (string.IsNullOrEmpty(a) || string.IsNullOrEmpty(b))
        {
            return string.IsNullOrEmpty(a) && string.IsNullOrEmpty(b);
        }

        if (option.Type == OptionType.Quantity && Quantity.TryCreate(a, true) is { IsSuccess: true } qa && Quantity.TryCreate(b, true) is { IsSuccess: true } qb)
        {
            return qa.Value.Amount == qb.Value.Amount;
        }

        return a == b;
    }

    /// <summary>One component while the request is checked: the explicit values that parsed and the options that did not.</summary>
    private sealed class ComponentState(string name, ComponentKind kind, ComponentSpec? previous)
    {
        public string Name => name;

        public ComponentKind Kind => kind;

        /// <summary>The deployed component on day 2.</summary>
        public ComponentSpec? Previous => previous;

        /// <summary>Normalised values the operator gave.</summary>
        public Dictionary<string, string> Explicit { get; } = new(StringComparer.Ordinal);

        /// <summary>Options given with a value that did not parse (already reported); rules that need them are skipped.</summary>
        public HashSet<string> Invalid { get; } = new(StringComparer.Ordinal);

        /// <summary>The explicit value, else the default; null when neither or when the value given was invalid.</summary>
        public string? Effective(string option) =>
            Invalid.Contains(option) ? null : Explicit.TryGetValue(option, out var value) ? value : kind.FindOption(option)?.Default;

        /// <summary>A secret left out on day 2 keeps its deployed value, which a stored spec does not show.</summary>
        public bool KeepsDeployedSecret(ConfigOptionDefinition option) =>
            option.Secret && previous is not null && !Explicit.ContainsKey(option.Name) && !Invalid.Contains(option.Name);

        public bool HasValue(ConfigOptionDefinition option) =>
            !string.IsNullOrEmpty(Effective(option.Name)) || KeepsDeployedSecret(option);

        /// <summary>Whether a condition on another option holds; false when that option's value was invalid.</summary>
        public bool Holds(OptionCondition condition) =>
            Effective(condition.Option) is { } value && condition.Values.Contains(value, StringComparer.Ordinal);

        public ComponentSpec ToSpec() => new(
            name,
            kind.Name,
            kind.Options.Where(o => Explicit.ContainsKey(o.Name)).ToDictionary(o => o.Name, o => Explicit[o.Name], StringComparer.Ordinal));
    }
}
