using System.Globalization;
using System.Text;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Stacks;

namespace Portal.Domain.Exports;

/// <summary>A stack as a Juju bundle (<c>bundle.yaml</c>) for teams that run the charmed path: one application per
/// component with its charm, channel, scale and the options the operator set, and every relation.</summary>
/// <remarks>
/// Only options the operator gave are written (a charm has its own defaults), never a secret option: secrets go to the
/// charms through <c>juju config</c> or Juju secrets, and the bundle lists which each application needs. An external
/// PostgreSQL becomes a consumed offer (<c>saas</c>), as in the seed architecture ("external via offer"). Portal-only
/// options (those no charm has, such as <c>replicas</c>, which becomes the application's scale) stay out.
/// </remarks>
public static class JujuBundle
{
    /// <summary>Options the portal adds that no charm reads: scale, storage and images are Juju's own (<c>scale</c>,
    /// storage directives, OCI resources), the rest drive the portal's own machinery.</summary>
    private static readonly HashSet<string> s_portalOnly = new(StringComparer.Ordinal)
    {
        "replicas", "image-tag", "image", "storage-size", "mode", "issuer", "maintenance-window", "renew-at-lifetime-percent",
    };

    /// <summary>The bundle of <paramref name="spec"/>, as YAML.</summary>
    public static string Render(StackSpec spec, ComponentCatalog catalog)
    {
        var yaml = new StringBuilder();
        yaml.Append("# Juju bundle of the Airbyte Portal stack ").Append(spec.Name).Append(" (blueprint ").Append(spec.Blueprint).AppendLine(").");
        yaml.AppendLine("# Deploy into a Kubernetes model: juju deploy ./bundle.yaml --trust");
        yaml.AppendLine("# Secret options are not in this file; each application lists those it needs.");
        yaml.AppendLine("bundle: kubernetes");
        yaml.Append("name: ").AppendLine(Scalar(spec.Name));

        var external = spec.Components.FirstOrDefault(c => c.Kind == PostgresqlKind.Name
            && c.Get(catalog.Get(c.Kind), "mode") == PostgresqlKind.External);
        if (external is not null)
        {
            var kind = catalog.Get(external.Kind);
            yaml.AppendLine("saas:");
            yaml.Append("  # The external PostgreSQL (").Append(Comment(external.Get(kind, "host") ?? "?")).Append(':')
                .Append(Comment(external.Get(kind, "port") ?? "5432")).AppendLine("), consumed through an offer: put your offer's URL here.");
            yaml.Append("  ").Append(Key(external.Name)).AppendLine(":");
            yaml.Append("    url: ").AppendLine(Scalar($"dbaas.{external.Name}"));
        }

        yaml.AppendLine("applications:");
        foreach (var component in spec.Components.Where(c => c != external).OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var kind = catalog.Get(component.Kind);
            var charm = JujuCharms.For(component.Kind);
            if (charm.Note is not null)
            {
                yaml.Append("  # ").AppendLine(charm.Note);
            }

            yaml.Append("  ").Append(Key(component.Name)).AppendLine(":");
            yaml.Append("    charm: ").AppendLine(Scalar(charm.Charm));
            if (charm.Channel is not null)
            {
                yaml.Append("    channel: ").AppendLine(Scalar(charm.Channel));
            }

            var scale = kind.Options.FirstOrDefault(o => o.Scales) is { } replicas ? component.Get(kind, replicas.Name) ?? "1" : "1";
            yaml.Append("    scale: ").AppendLine(int.Parse(scale, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
            if (charm.Trust)
            {
                yaml.AppendLine("    trust: true");
            }

            if (component.Config.TryGetValue("image", out var image))
            {
                yaml.AppendLine("    resources:");
                yaml.Append("      ").Append(Key(component.Name)).Append("-image: ").AppendLine(Scalar(image));
            }

            var options = component.Config
                .Where(pair => kind.FindOption(pair.Key) is { Secret: false, Scales: false } && !s_portalOnly.Contains(pair.Key))
                .OrderBy(pair => pair.Key, StringComparer.Ordinal)
                .ToList();
            if (options.Count > 0)
            {
                yaml.AppendLine("    options:");
                foreach (var (option, value) in options)
                {
                    yaml.Append("      ").Append(Key(option)).Append(": ").AppendLine(Scalar(value));
                }
            }

            var secrets = kind.Options.Where(o => o.Secret).Select(o => o.Name).ToList();
            if (secrets.Count > 0)
            {
                yaml.Append("    # secret options to set: ").AppendLine(string.Join(", ", secrets));
            }
        }

        yaml.AppendLine("relations:");
        foreach (var relation in spec.Relations)
        {
            yaml.Append("  - [").Append(Scalar(relation.Requirer.ToString())).Append(", ").Append(Scalar(relation.Provider.ToString())).AppendLine("]");
        }

        return yaml.ToString();
    }

    /// <summary>A mapping key: component and option names are kebab-case (validated), so they need no quoting.</summary>
    private static string Key(string name) => name;

    /// <summary>A double-quoted YAML scalar: whatever the value holds, it stays one string (no type guessing, no injection).</summary>
    private static string Scalar(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                '\n' => quoted.Append("\\n"),
                '\r' => quoted.Append("\\r"),
                '\t' => quoted.Append("\\t"),
                _ when char.IsControl(c) => quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>Text for a comment: one line.</summary>
    private static string Comment(string value) => value.ReplaceLineEndings(" ");
}
