using Microsoft.AspNetCore.Components;
using MudBlazor;
using Portal.Domain.Catalog;

namespace Portal.Shared.Config;

/// <summary>The config form of one component, generated from its kind's schema: an input per option type with the default filled
/// in, the option's help, the Domain's checks as the operator types, secrets as password fields (with "generate" where the portal
/// can make one up), and the errors the stack service found shown next to their fields.</summary>
/// <remarks>
/// <para><see cref="Values"/> holds only what the operator set, as typed: an option left out (or set back to its default) takes
/// its default, which is what the stack service stores. The form never keeps a copy of a secret beyond its parent's dictionary.</para>
/// <para>Every input carries <c>data-testid="config-{component}-{option}"</c>.</para>
/// </remarks>
public sealed partial class ComponentConfigForm
{
    /// <summary>How long typing pauses before the value is checked and handed up.</summary>
    public const int DebounceMs = 250;

    private static readonly IReadOnlyDictionary<string, string?> NoValues = new Dictionary<string, string?>();
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoErrors = new Dictionary<string, IReadOnlyList<string>>();

    private readonly HashSet<string> _revealed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _editedSinceServerErrors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _edited = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, IReadOnlyList<string>> _valueErrors = NoErrors;
    private IReadOnlyDictionary<string, IReadOnlyList<string>>? _serverErrorsSeen;
    private IReadOnlyDictionary<string, IReadOnlyList<string>> _errors = NoErrors;
    private ComponentKind? _kind;

    [Inject]
    public required ComponentCatalog Catalog { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    /// <summary>The component's name in the stack (e.g. <c>ingress-webhooks</c>).</summary>
    [Parameter, EditorRequired]
    public required string Component { get; set; }

    /// <summary>The component's kind in the catalog (e.g. <c>nginx-ingress</c>).</summary>
    [Parameter, EditorRequired]
    public required string Kind { get; set; }

    /// <summary>Option → value as the operator typed it; options left out take their defaults.</summary>
    [Parameter]
    public IReadOnlyDictionary<string, string?> Values { get; set; } = NoValues;

    /// <summary>Called with the whole new dictionary after every change.</summary>
    [Parameter]
    public EventCallback<IReadOnlyDictionary<string, string?>> ValuesChanged { get; set; }

    /// <summary>Options shown but not editable (e.g. those that cannot change after deployment).</summary>
    [Parameter]
    public IReadOnlySet<string> ReadOnlyOptions { get; set; } = new HashSet<string>();

    /// <summary>Every option shown but not editable.</summary>
    [Parameter]
    public bool ReadOnly { get; set; }

    /// <summary>Errors the stack service reported, by option name; each shows next to its field until that option is edited.
    /// Pass a new dictionary for each validation.</summary>
    [Parameter]
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ServerErrors { get; set; } = NoErrors;

    /// <summary>Also say which required options are still empty (a step was left with them); otherwise only for options the
    /// operator has edited, so that a fresh form is not red all over.</summary>
    [Parameter]
    public bool ShowMissing { get; set; }

    /// <summary>Errors of the options as they stand (the form's own checks), by option name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors => _errors;

    protected override void OnParametersSet()
    {
        _kind = Catalog.TryGet(Kind, out var kind) ? kind : null;
        if (!ReferenceEquals(_serverErrorsSeen, ServerErrors))
        {
            _serverErrorsSeen = ServerErrors;
            _editedSinceServerErrors.Clear();
        }

        Recheck(Values);
    }

    private void Recheck(IReadOnlyDictionary<string, string?> values)
    {
        var now = Time.GetUtcNow();
        _errors = _kind is null ? NoErrors : ConfigFormRules.Check(_kind, values, now);
        _valueErrors = _kind is null ? NoErrors : ConfigFormRules.CheckValues(_kind, values, now);
    }

    private string TestId(ConfigOptionDefinition option) => $"config-{Component}-{option.Name}";

    private List<string> MessagesOf(ConfigOptionDefinition option)
    {
        var messages = new List<string>();
        if (_errors.TryGetValue(option.Name, out var own) && (ShowMissing || _edited.Contains(option.Name) || _valueErrors.ContainsKey(option.Name)))
        {
            messages.AddRange(own);
        }

        if (!_editedSinceServerErrors.Contains(option.Name) && ServerErrors.TryGetValue(option.Name, out var server))
        {
            messages.AddRange(server.Where(m => !messages.Contains(m, StringComparer.Ordinal)));
        }

        return messages;
    }

    private string Label(ConfigOptionDefinition option) =>
        _kind is not null && ConfigFormRules.IsRequired(option, _kind, Values) ? $"{option.Name} *" : option.Name;

    private static string Help(ConfigOptionDefinition option)
    {
        var help = option.Description;
        if (option.RequiredWhen is { } condition)
        {
            help += $" Needed when {condition}.";
        }

        if (!option.Secret && !string.IsNullOrEmpty(option.Default) && option.Type is not (OptionType.Boolean or OptionType.Enum))
        {
            help += $" Default: {option.Default}.";
        }

        if (option.ImmutableAfterDeploy && !option.Description.Contains("Cannot be changed", StringComparison.Ordinal))
        {
            help += " Cannot be changed after deployment.";
        }

        return help;
    }

    private static string? Placeholder(ConfigOptionDefinition option) => option.Type switch
    {
        OptionType.Hostname => option.AllowWildcard ? "airbyte.example.com or *.example.com" : "airbyte.example.com",
        OptionType.Host => "db.example.com or 10.0.0.5",
        OptionType.Email => "ops@example.com",
        OptionType.Url => "https://",
        OptionType.CidrList => "10.0.0.0/8, 192.168.1.0/24",
        OptionType.Image => "registry.example.com/team/image:1.0",
        _ => null,
    };

    private static string? AdornmentIconOf(ConfigOptionDefinition option) => option.Type switch
    {
        OptionType.Hostname or OptionType.Host => Icons.Material.Outlined.Language,
        OptionType.Url => Icons.Material.Outlined.Link,
        OptionType.Email or OptionType.EmailList => Icons.Material.Outlined.Email,
        _ => null,
    };

    private bool Revealed(ConfigOptionDefinition option) => _revealed.Contains(option.Name);

    private string RevealIcon(ConfigOptionDefinition option) =>
        Revealed(option) ? Icons.Material.Outlined.VisibilityOff : Icons.Material.Outlined.Visibility;

    private void ToggleReveal(ConfigOptionDefinition option)
    {
        if (!_revealed.Remove(option.Name))
        {
            _revealed.Add(option.Name);
        }
    }

    private Task GenerateAsync(ConfigOptionDefinition option) =>
        _kind is null ? Task.CompletedTask : SetAsync(option, ConfigFormRules.Generate(_kind, option));

    private async Task SetAsync(ConfigOptionDefinition option, string? text)
    {
        if (ReadOnly || ReadOnlyOptions.Contains(option.Name))
        {
            return;
        }

        _editedSinceServerErrors.Add(option.Name);
        _edited.Add(option.Name);
        var values = new Dictionary<string, string?>(Values, StringComparer.Ordinal);

        // Back at the default means "not set": the stored spec keeps only what the operator chose.
        if (!option.Secret && text is not null && text == option.Default)
        {
            values.Remove(option.Name);
        }
        else if (option.Secret && string.IsNullOrEmpty(text))
        {
            values.Remove(option.Name);
        }
        else
        {
            values[option.Name] = text ?? "";
        }

        Values = values;
        Recheck(values);
        await ValuesChanged.InvokeAsync(values);
    }
}
