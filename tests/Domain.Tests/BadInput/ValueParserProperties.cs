using System.Reflection;
using CsCheck;
using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Common;
using Portal.Domain.Status.Observation;
using Portal.Domain.Tests.TestData;
using Portal.Domain.Values;

namespace Portal.Domain.Tests.BadInput;

/// <summary>Hostile text through every parser of the Domain: the option parser for every option of every kind, and every public
/// <c>Parse</c>/<c>TryCreate</c> that takes text (found by reflection, so a new value type is covered without a change here).</summary>
public sealed class ValueParserProperties
{
    private static readonly Gen<(string Component, ConfigOptionDefinition Option)> AnyOption = Gen.OneOf(OptionSamples.AllOptions.ToArray());

    /// <summary>Every public static method of the Domain that parses text into a <see cref="Result{T}"/>: its first parameter is the
    /// text and every other one is optional or a flag.</summary>
    private static readonly MethodInfo[] TextParsers = typeof(Result<>).Assembly.GetExportedTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .Where(m => m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(Result<>) && !m.IsGenericMethodDefinition)
        .Where(m => m.GetParameters() is [{ ParameterType: var first }, .. var rest]
            && first == typeof(string)
            && rest.All(p => p.HasDefaultValue || p.ParameterType == typeof(bool)))
        .OrderBy(m => $"{m.DeclaringType!.FullName}.{m.Name}", StringComparer.Ordinal)
        .ToArray();

    [Fact]
    public void The_reflection_finds_the_parsers_of_operator_input()
    {
        var names = TextParsers.Select(m => $"{m.DeclaringType!.Name}.{m.Name}").ToList();

        Assert.Contains("Hostname.TryCreate", names);
        Assert.Contains("PemBundle.TryCreate", names);
        Assert.Contains("PrivateKeyInfo.TryCreate", names);
        Assert.Contains("RotationSchedule.Parse", names);
        Assert.Contains("MaintenanceWindow.Parse", names);
        Assert.Contains("SecretId.Parse", names);
        Assert.Contains("PortalRoles.TryParse", names);
        Assert.True(names.Count >= 25, string.Join(", ", names));
    }

    [Fact]
    public void Parsing_any_option_value_never_throws_and_every_error_is_a_sentence()
    {
        BadInputCheck.Run(
            "option values: every option of every kind",
            AnyOption.SelectMany(o => OptionSamples.For(o.Option).Select(v => (o.Option, Value: v))),
            sample =>
            {
                var result = OptionValueParser.Parse(sample.Option, sample.Value, StackRequests.Now);
                if (!result.IsSuccess)
                {
                    BadInputCheck.AssertReadable(result.Errors, pathless: true);
                }
            },
            iterations: 4_000,
            print: s => $"{s.Option.Name} ({s.Option.Type}) = {BadInputCheck.Show(s.Value)}");
    }

    [Fact]
    public void An_accepted_option_value_is_normalised_once_and_for_all()
    {
        BadInputCheck.Run(
            "option values: normalising is idempotent",
            AnyOption.SelectMany(o => OptionSamples.For(o.Option).Select(v => (o.Option, Value: v))),
            sample =>
            {
                var first = OptionValueParser.Parse(sample.Option, sample.Value, StackRequests.Now);
                if (!first.IsSuccess || first.Value is null)
                {
                    return;
                }

                var second = OptionValueParser.Parse(sample.Option, first.Value, StackRequests.Now);
                Assert.True(second.IsSuccess, $"The normalised value {BadInputCheck.Show(first.Value)} is refused: {string.Join(" | ", second.Errors)}");
                Assert.Equal(first.Value, second.Value);
            },
            iterations: 4_000,
            print: s => $"{s.Option.Name} ({s.Option.Type}) = {BadInputCheck.Show(s.Value)}");
    }

    [Fact]
    public void A_value_with_a_control_character_or_line_break_inside_is_never_accepted_on_one_line()
    {
        BadInputCheck.Run(
            "option values: unprintable text inside a value is refused",
            Gen.Select(AnyOption, HostileText.Unprintable, Gen.Int[0, 2]),
            sample =>
            {
                var ((_, option), bad, where) = sample;
                var valid = OptionSamples.Valid(option)[0];
                var value = where switch
                {
                    0 => bad,
                    1 => valid.Length > 1 ? valid.Insert(valid.Length / 2, bad) : bad,
                    _ => valid + bad,
                };
                // Multi-line text takes line breaks; PEM ignores the text around its blocks by design (what it keeps is checked clean
                // in the stack properties).
                var lineBreak = bad.Any(c => c is '\n' or '\r' or '\u2028' or '\u2029');
                if ((option.Type is OptionType.Text && lineBreak) || option.Type is OptionType.Pem)
                {
                    return;
                }

                var result = OptionValueParser.Parse(option, value, StackRequests.Now);
                Assert.False(result.IsSuccess, $"{option.Name} ({option.Type}) accepted {BadInputCheck.Show(value)} as {BadInputCheck.Show(result.IsSuccess ? result.Value : null)}");
                BadInputCheck.AssertReadable(result.Errors, pathless: true);
            },
            iterations: 2_000,
            print: s => $"{s.Item1.Option.Name} ({s.Item1.Option.Type}), {BadInputCheck.Show(s.Item2)} at {s.Item3}");
    }

    [Fact]
    public void A_hostname_is_accepted_only_as_plain_lowercase_letters_digits_hyphens_and_dots()
    {
        BadInputCheck.Run(
            "hostnames: what is accepted is plain DNS",
            Gen.Select(HostileText.Any("airbyte.example.com", "bücher.example", "*.example.com", "a-b.c-d.example"), Gen.Bool, Gen.Bool),
            sample =>
            {
                var (text, wildcard, single) = sample;
                var result = Hostname.TryCreate(text, wildcard, single);
                if (!result.IsSuccess)
                {
                    BadInputCheck.AssertReadable(result.Errors, pathless: true);
                    return;
                }

                var value = result.Value.Value;
                Assert.Matches(wildcard ? @"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$" : "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$", value);
                Assert.True(value.Length <= Hostname.MaxLength, $"{value.Length} characters accepted");
                Assert.All(value.Split('.'), label => Assert.True(label.Length <= Hostname.MaxLabelLength, $"a label of {label.Length} accepted"));
                Assert.True(!text.Trim().Any(c => char.IsWhiteSpace(c) || char.IsControl(c)), $"{BadInputCheck.Show(text)} accepted as {value}");
                Assert.Equal(value, Hostname.TryCreate(value, wildcard, single).Value.Value);
            },
            iterations: 3_000,
            print: s => $"{BadInputCheck.Show(s.Item1)} (wildcard {s.Item2}, single label {s.Item3})");
    }

    [Fact]
    public void Every_text_parser_of_the_domain_survives_hostile_text_with_readable_errors()
    {
        BadInputCheck.Run(
            $"text parsers: {TextParsers.Length} public Parse/TryCreate methods",
            Gen.Select(Gen.OneOf(TextParsers), HostileText.Any("airbyte.example.com", "02:00-04:00", "oauth2-proxy.cookie-secret", "monthly", "Operator", "10.0.0.0/8", "1Gi"), Gen.Bool),
            sample =>
            {
                var (parser, text, flag) = sample;
                var arguments = parser.GetParameters()
                    .Select((p, i) => i == 0 ? text : p.ParameterType == typeof(bool) ? flag : p.DefaultValue)
                    .ToArray();
                object? result;
                try
                {
                    result = parser.Invoke(null, arguments);
                }
                catch (TargetInvocationException e)
                {
                    throw new InvalidOperationException($"{parser.DeclaringType!.Name}.{parser.Name} threw {e.InnerException!.GetType().Name}: {e.InnerException.Message}", e.InnerException);
                }

                var errors = (IReadOnlyList<ValidationError>)result!.GetType().GetProperty(nameof(Result<int>.Errors))!.GetValue(result)!;
                if (errors.Count > 0)
                {
                    var takesPath = parser.GetParameters().Any(p => p.Name == "path");
                    BadInputCheck.AssertReadable(errors, pathless: !takesPath);
                }
            },
            iterations: 4_000,
            print: s => $"{s.Item1.DeclaringType!.Name}.{s.Item1.Name}({BadInputCheck.Show(s.Item2)}, flags {s.Item3})");
    }

    [Fact]
    public void Text_read_back_from_the_cluster_never_breaks_its_readers()
    {
        BadInputCheck.Run(
            "cluster text: secret-revision annotations and endpoint references",
            HostileText.Any("airbyte-db=3,oauth2-proxy-cookie=1", "airbyte:db", "a=1,b=x,=2,c="),
            text =>
            {
                var revisions = SecretRevisionLedger.Parse(text);
                Assert.All(revisions, pair => Assert.True(pair.Value >= 0 && pair.Key.Length > 0));
                if (EndpointRef.TryParse(text, out var endpoint))
                {
                    Assert.Equal(text, endpoint.Value.ToString());
                }
            },
            iterations: 1_500);
    }
}
