using System.Globalization;
using System.Text;
using Portal.Domain.Stacks;
using Portal.Domain.Status;
using Portal.Domain.Status.Observation;

namespace Portal.Provisioning.Live;

/// <summary>What a subscriber would notice of a stack, as comparable text per component and per relation: status, message, the
/// health of each object with its resourceVersion, the events about it.</summary>
/// <remarks>Two evaluations with equal prints look the same on the page, so nothing is published; the components and relations
/// whose print moved are the ones a batch names as changed.</remarks>
internal sealed record LivePrints(string Stack, IReadOnlyDictionary<string, string> Components, IReadOnlyDictionary<string, string> Relations)
{
    public static LivePrints Of(StackSpec spec, StackStatus status, StackObservation observation, bool reachable)
    {
        var stack = new StringBuilder();
        stack.Append(CultureInfo.InvariantCulture, $"{status.Status}|{reachable}|{spec.Cluster}/{spec.Namespace}");
        foreach (var component in spec.Components)
        {
            stack.Append(CultureInfo.InvariantCulture, $"|{component.Name}:{component.Kind}");
            foreach (var (option, value) in component.Config.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                stack.Append(CultureInfo.InvariantCulture, $";{option}={value}");
            }
        }

        foreach (var relation in spec.Relations)
        {
            stack.Append(CultureInfo.InvariantCulture, $"|{relation.Key}");
        }

        var components = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var component in status.Components)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{component.Status}|{component.Message}|{component.Cause?.Action}");
            foreach (var stale in component.StaleSecrets)
            {
                text.Append(CultureInfo.InvariantCulture, $"\nstale:{stale.Sentence}");
            }

            foreach (var health in component.Resources)
            {
                var observed = observation.Find(health.Resource);
                text.Append(CultureInfo.InvariantCulture, $"\n{health.Resource}:{health.Status}:{health.Reason}:{health.Message}:{observed?.ResourceVersion}");
                if (observed is not null)
                {
                    foreach (var e in observation.EventsFor(observed))
                    {
                        text.Append(CultureInfo.InvariantCulture, $",{e.Name}@{e.ResourceVersion}");
                    }
                }
            }

            components[component.Component] = text.ToString();
        }

        var relations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var relation in status.Relations)
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{relation.Status}|{relation.Message}");
            foreach (var check in relation.Checks)
            {
                text.Append(CultureInfo.InvariantCulture, $"\n{check.Name}:{check.Result}:{check.Message}");
            }

            relations[relation.Key] = text.ToString();
        }

        return new LivePrints(stack.ToString(), components, relations);
    }
}
