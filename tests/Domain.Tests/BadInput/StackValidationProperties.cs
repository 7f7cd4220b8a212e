using CsCheck;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Stacks;
using Portal.Domain.Tests.TestData;
using Portal.Domain.Values;

namespace Portal.Domain.Tests.BadInput;

/// <summary>Random and hostile stack requests through <see cref="StackValidator"/>: it never throws, every error names its field in
/// one readable sentence, secrets never show, a valid base stays valid apart from the field that was spoiled, and what it accepts
/// is clean and stable.</summary>
public sealed class StackValidationProperties
{
    /// <summary>Distinctive text put into secret values; no message may show it.</summary>
    private const string SecretMark = "Zq81xwSECRET";

    private static readonly StackSpec BaseSpec = StackSpecs.Minimal();

    private static readonly Gen<(string Component, ConfigOptionDefinition Option)> AnyOption = Gen.OneOf(OptionSamples.AllOptions.ToArray());

    /// <summary>A component name: one of the blueprint's, or a hostile one.</summary>
    private static readonly Gen<string> ComponentName = Gen.Frequency<string>(
        (8, Gen.OneOf(BlueprintCatalog.CharmedAirbyte.Components.Select(c => c.Name).ToArray())),
        (2, HostileText.Any("airbyte", "oauth2-proxy")));

    /// <summary>One change to a config: an option of the kind (or a made-up one) set to a hostile, valid or null value.</summary>
    private static readonly Gen<(string Component, string Option, string? Value)> Change =
        Gen.Frequency<(string, string, string?)>(
            (8, AnyOption.SelectMany(o => OptionSamples.For(o.Option).Select(v => (o.Component, o.Option.Name, v)))),
            (2, Gen.Select(ComponentName, HostileText.Any("log-level", "external-hostname"), HostileText.Any("x"), (c, o, v) => (c, o, (string?)v))));

    private static readonly Gen<List<RelationRequest>?> Relations = Gen.Frequency<List<RelationRequest>?>(
        (6, Gen.Const((List<RelationRequest>?)null)),
        (4, Gen.Select(
                Gen.Int[0, 12],
                Gen.Select(Gen.Int[0, 1], HostileText.Any("airbyte:db", "postgresql:database", "ingress:nginx-route")).Array[0, 3],
                (drop, spoil) =>
                {
                    var relations = StackRequests.BlueprintRelations();
                    if (drop < relations.Count)
                    {
                        relations.RemoveAt(drop);
                    }

                    foreach (var (side, text) in spoil)
                    {
                        var at = text.Length % relations.Count;
                        relations[at] = side == 0 ? relations[at] with { Requirer = text } : relations[at] with { Provider = text };
                    }

                    return (List<RelationRequest>?)relations;
                })));

    /// <summary>A request that starts from the least valid one and has 1 to 6 changes, the place and name sometimes hostile too.</summary>
    private static readonly Gen<StackRequest> Requests = Gen.Select(
        Gen.Frequency<string?>((6, Gen.Const((string?)StackRequests.Name)), (3, HostileText.Any(StackRequests.Name).Select(s => (string?)s)), (1, Gen.Const((string?)null))),
        Gen.Frequency<string?>((8, Gen.Const((string?)BlueprintCatalog.CharmedAirbyteName)), (2, HostileText.Any(BlueprintCatalog.CharmedAirbyteName).Select(s => (string?)s))),
        Gen.Frequency<string?>((7, Gen.Const((string?)StackRequests.Cluster)), (3, HostileText.Any(StackRequests.Cluster).Select(s => (string?)s))),
        Gen.Frequency<string?>((7, Gen.Const((string?)null)), (3, HostileText.Any("airbyte").Select(s => (string?)s))),
        Change.Array[1, 6],
        Relations,
        (name, blueprint, cluster, @namespace, changes, relations) =>
        {
            var request = StackRequests.Minimal() with { Name = name, Blueprint = blueprint, Cluster = cluster, Namespace = @namespace, Relations = relations };
            foreach (var (component, option, value) in changes)
            {
                request = request.With(component, option, value);
            }

            return request;
        });

    [Fact]
    public void Validating_any_request_never_throws_and_every_error_names_a_field_in_a_sentence()
    {
        BadInputCheck.Run(
            "stack validation: random and hostile requests, day 1 and day 2",
            Gen.Select(Requests, Gen.Bool),
            sample =>
            {
                var (request, day2) = sample;
                var result = request.Validate(day2 ? BaseSpec : null);
                if (!result.IsSuccess)
                {
                    BadInputCheck.AssertReadable(result.Errors);
                }
                else
                {
                    AssertClean(result.Value);
                }
            },
            iterations: 2_000,
            print: Print);
    }

    [Fact]
    public void A_secret_value_never_appears_in_an_error_message()
    {
        var secrets = OptionSamples.AllOptions.Where(o => o.Option.Secret).ToArray();
        Assert.NotEmpty(secrets);
        BadInputCheck.Run(
            "stack validation: hostile secret values are never shown",
            Gen.Select(Gen.OneOf(secrets), HostileText.Any("x"), Gen.Int[0, 3]),
            sample =>
            {
                var ((component, option), hostile, at) = sample;
                var value = hostile.Length > 20_000 ? hostile : hostile.Insert(Math.Min(at, hostile.Length), SecretMark);
                var result = StackRequests.Minimal().With(component, option.Name, value).Validate();
                foreach (var error in result.Errors)
                {
                    Assert.DoesNotContain(SecretMark, error.Message, StringComparison.Ordinal);
                    Assert.DoesNotContain(SecretMark, error.Path, StringComparison.Ordinal);
                }
            },
            iterations: 1_500,
            print: Print);
    }

    [Fact]
    public void Spoiling_one_option_of_a_valid_stack_is_reported_on_that_option_alone_and_leaves_the_rest_as_it_was()
    {
        BadInputCheck.Run(
            "stack validation: one option of every kind spoiled on a valid base",
            Gen.Select(AnyOption, Gen.Bool).SelectMany((o, day2) => OptionSamples.For(o.Option).Select(v => (o.Component, o.Option, Value: v, Day2: day2))),
            sample =>
            {
                var (component, option, value, day2) = sample;
                var path = $"{component}.{option.Name}";
                var result = StackRequests.Minimal().With(component, option.Name, value).Validate(day2 ? BaseSpec : null);
                var parsed = OptionValueParser.Parse(option, value, StackRequests.Now);

                if (!parsed.IsSuccess)
                {
                    Assert.False(result.IsSuccess, $"{path} accepted {BadInputCheck.Show(value)}, which the option's parser refuses.");
                    Assert.All(result.Errors, e => Assert.True(e.Path == path, $"Spoiling {path} was reported on {e}"));
                    BadInputCheck.AssertReadable(result.Errors);
                    return;
                }

                if (!result.IsSuccess)
                {
                    // A value of the right type may still break a rule across options (a hostname used twice): readable all the same.
                    BadInputCheck.AssertReadable(result.Errors);
                    return;
                }

                var spec = result.Value;
                AssertClean(spec);
                foreach (var before in BaseSpec.Components)
                {
                    var after = spec.Component(before.Name);
                    foreach (var name in before.Config.Keys.Union(after.Config.Keys).Where(n => $"{before.Name}.{n}" != path))
                    {
                        Assert.True(
                            before.Config.GetValueOrDefault(name) == after.Config.GetValueOrDefault(name),
                            $"Setting {path} changed {before.Name}.{name}");
                    }
                }

                Assert.Equal(parsed.Value, spec.Component(component).Config.GetValueOrDefault(option.Name));
            },
            iterations: 2_000,
            print: s => $"{s.Component}.{s.Option.Name} = {BadInputCheck.Show(s.Value)} (day 2: {s.Day2})");
    }

    [Fact]
    public void What_validation_accepts_validates_again_to_the_same_stack()
    {
        BadInputCheck.Run(
            "stack validation: an accepted stack is stable when validated again",
            Requests,
            request =>
            {
                var result = request.Validate();
                if (!result.IsSuccess)
                {
                    return;
                }

                var again = StackRequest.FromSpec(result.Value).Validate();
                Assert.True(again.IsSuccess, "An accepted stack does not validate again: " + string.Join(" | ", again.Errors));
                Assert.Equal(result.Value.Relations, again.Value.Relations);
                Assert.All(result.Value.Components, c => Assert.True(c.ConfigEquals(again.Value.Component(c.Name)), $"{c.Name} changed when validated again"));
            },
            iterations: 1_500,
            print: Print);
    }

    /// <summary>Accepted values are clean: no control characters (but line breaks and tabs in multi-line text), no broken
    /// Unicode, no stray whitespace at the ends of a single-line value.</summary>
    private static void AssertClean(StackSpec spec)
    {
        foreach (var component in spec.Components)
        {
            var kind = ComponentCatalog.Default.Get(component.Kind);
            foreach (var (name, value) in component.Config)
            {
                var option = kind.FindOption(name)!;
                var multiline = option.Type is OptionType.Text or OptionType.Pem;
                var where = $"{component.Name}.{name} = {BadInputCheck.Show(value)}";
                Assert.True(BadInputCheck.IsWellFormed(value), $"Accepted broken Unicode: {where}");
                Assert.True(!value.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\t')), $"Accepted a control character: {where}");
                if (!multiline)
                {
                    Assert.True(!value.Contains('\u2028', StringComparison.Ordinal) && !value.Contains('\u2029', StringComparison.Ordinal), $"Accepted a line break: {where}");
                    Assert.True(option.Secret || value == value.Trim(), $"Accepted surrounding whitespace: {where}");
                }
            }
        }

        foreach (var text in new[] { spec.Name, spec.Namespace, spec.Cluster, spec.Blueprint })
        {
            Assert.Matches("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", text);
        }
    }

    private static string Print(StackRequest request) =>
        $"name {BadInputCheck.Show(request.Name)}, blueprint {BadInputCheck.Show(request.Blueprint)}, cluster {BadInputCheck.Show(request.Cluster)}, "
        + $"namespace {BadInputCheck.Show(request.Namespace)}, config {{ "
        + string.Join("; ", (request.Config ?? new Dictionary<string, IReadOnlyDictionary<string, string?>>())
            .SelectMany(c => c.Value.Select(o => $"{BadInputCheck.Show(c.Key)}.{BadInputCheck.Show(o.Key)} = {BadInputCheck.Show(o.Value)}")))
        + $" }}, relations {(request.Relations is null ? "(blueprint's)" : string.Join(", ", request.Relations.Select(r => $"{BadInputCheck.Show(r.Requirer)} → {BadInputCheck.Show(r.Provider)}")))}";

    private static string Print((StackRequest Request, bool Day2) sample) => $"{Print(sample.Request)} (day 2: {sample.Day2})";

    private static string Print(((string Component, ConfigOptionDefinition Option) Secret, string Hostile, int At) sample) =>
        $"{sample.Secret.Component}.{sample.Secret.Option.Name} = {BadInputCheck.Show(sample.Hostile)} (mark at {sample.At})";
}
