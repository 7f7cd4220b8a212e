using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;

namespace Portal.Domain.Plans;

/// <summary>What a step works on, before it has dependencies and texts.</summary>
internal sealed record StepTarget(StepKind Kind, string? Component = null, RelationSpec? Relation = null, string? Namespace = null)
{
    public string Id => Kind switch
    {
        StepKind.EnsureNamespace => StepIds.EnsureNamespace(Namespace!),
        StepKind.ApplyComponent => StepIds.Apply(Component!),
        StepKind.AwaitHealthy => StepIds.Await(Component!),
        StepKind.ProvisionRelation => StepIds.Provision(Relation!),
        StepKind.CompleteRelation => StepIds.Complete(Relation!),
        StepKind.RemoveRelation => StepIds.RemoveRelation(Relation!),
        StepKind.RemoveComponent => StepIds.RemoveComponent(Component!),
        StepKind.RemoveNamespace => StepIds.RemoveNamespace(Namespace!),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown step kind."),
    };

    /// <summary>The removal that undoes this deploy step, or null for steps that leave nothing behind (waits, completions).</summary>
    public StepTarget? Undo() => Kind switch
    {
        StepKind.EnsureNamespace => this with { Kind = StepKind.RemoveNamespace },
        StepKind.ApplyComponent => this with { Kind = StepKind.RemoveComponent },
        StepKind.ProvisionRelation => this with { Kind = StepKind.RemoveRelation },
        _ => null,
    };
}

/// <summary>The readable texts of steps: a one-sentence description and a short outcome other steps wait for.</summary>
internal static class StepTexts
{
    /// <summary>One sentence without its final period, so that a reason can follow.</summary>
    public static string Description(StepTarget step, StackFacts facts, bool deleteData) => step.Kind switch
    {
        StepKind.EnsureNamespace => $"Create the namespace {step.Namespace} with the portal's labels if it does not exist",
        StepKind.ApplyComponent => Apply(step.Component!, facts),
        StepKind.AwaitHealthy => Await(step.Component!, facts),
        StepKind.ProvisionRelation => Provision(step.Relation!, facts),
        StepKind.CompleteRelation => Complete(step.Relation!, facts),
        StepKind.RemoveRelation => RemoveRelation(step.Relation!, facts, deleteData),
        StepKind.RemoveComponent => RemoveComponent(step.Component!, facts, deleteData),
        StepKind.RemoveNamespace => $"Delete the namespace {step.Namespace} and anything still in it",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step.Kind, "Unknown step kind."),
    };

    /// <summary>What holds once the step succeeded, e.g. "temporal schemas ready".</summary>
    public static string Outcome(StepTarget step, StackFacts facts) => step.Kind switch
    {
        StepKind.EnsureNamespace => $"namespace {step.Namespace} exists",
        StepKind.ApplyComponent => $"{step.Component} applied",
        StepKind.AwaitHealthy => $"{step.Component} healthy",
        StepKind.ProvisionRelation => ProvisionOutcome(step.Relation!),
        StepKind.CompleteRelation => step.Relation!.Interface == Interfaces.Temporal
            ? $"{step.Relation.Requirer.Component} namespace {TemporalNamespace(step.Relation, facts)} created"
            : $"{step.Relation.Key} completed",
        StepKind.RemoveRelation => $"{step.Relation!.Requirer} relation removed",
        StepKind.RemoveComponent => $"{step.Component} removed",
        StepKind.RemoveNamespace => $"namespace {step.Namespace} deleted",
        _ => throw new ArgumentOutOfRangeException(nameof(step), step.Kind, "Unknown step kind."),
    };

    private static string Apply(string component, StackFacts facts)
    {
        var workloads = facts.Workloads(component);
        if (workloads.Count == 0)
        {
            var what = facts.KindOf(component).Name switch
            {
                LegoKind.Name => " (the ACME account key)",
                PostgresqlKind.Name => $" (the admin credentials of {facts.Option(component, "host")})",
                NginxIngressKind.Name => " (its Ingresses come with its routes)",
                _ => "",
            };
            return $"Render and apply the ConfigMap and Secrets of {component}{what}";
        }

        var counts = workloads.GroupBy(w => w.Type).OrderBy(g => g.Key)
            .Select(g => Phrases.Count(g.Count(), g.Key.ToString(), $"{g.Key}s"));
        var their = workloads.Count == 1 ? "its" : "their";
        return $"Render and apply {component}: {Phrases.JoinWithAnd(counts)} with {their} Services, ConfigMap and Secrets";
    }

    private static string Await(string component, StackFacts facts) => facts.KindOf(component).Name switch
    {
        PostgresqlKind.Name when facts.IsExternalDatabase(component) =>
            $"Wait until {facts.Option(component, "host")}:{facts.Option(component, "port")} accepts the portal's admin login",
        PostgresqlKind.Name => $"Wait until the {component} server accepts connections",
        MinioKind.Name => $"Wait until the {component} API reports ready",
        TemporalKind.Name => $"Wait until the {component} frontend serves on port {TemporalKind.FrontendPort}",
        LegoKind.Name when facts.Option(component, "issuer") == LegoKind.InternalCaIssuer => $"Wait until {component} is ready to issue from the stack's internal CA",
        LegoKind.Name => $"Wait until the ACME account of {component} is registered at {facts.Option(component, "server")}",
        NginxIngressKind.Name => $"Wait until every Ingress of {component} has a load-balancer address",
        AirbyteKind.Name => $"Wait until every workload of {component} is available (migrations run, airbyte-auth-secrets written)",
        _ => $"Wait until every workload of {component} is available",
    };

    private static string Provision(RelationSpec relation, StackFacts facts)
    {
        var requirer = relation.Requirer.Component;
        var provider = relation.Provider.Component;
        switch (relation.Interface)
        {
            case Interfaces.PostgresqlClient:
                return $"Create the database and login role for {relation.Requirer} on {provider} ({facts.Database(relation)}) "
                    + $"and write the credentials Secret {ObjectNames.RelationSecret(relation)}";
            case Interfaces.ObjectStorage:
                var buckets = facts.Buckets(requirer);
                var which = buckets.Count == 0 ? "the buckets it asks for" : $"the buckets {Phrases.JoinWithAnd(buckets)}";
                return $"Write the {provider} credentials for {relation.Requirer} and create {which}";
            case Interfaces.Temporal:
                var databases = facts.DatabasesOf(requirer);
                var inWhat = databases.Count == 0 ? $"the databases of {requirer}" : Phrases.JoinWithAnd(databases);
                return $"Set up and update the {requirer} schemas in {inWhat} with the schema Jobs of {provider}";
            case Interfaces.TemporalHostInfo:
                return facts.KindOf(provider).Name == TemporalKind.Name
                    ? $"Give {requirer} the address of the {provider} frontend ({provider}:{TemporalKind.FrontendPort})"
                    : $"Give {requirer} the address of {provider}";
            case Interfaces.NginxRoute:
                var host = facts.RouteHost(requirer) is { } h ? $"{h}{facts.RoutePath(requirer)}" : $"the route of {requirer}";
                var proxies = facts.ProxiesOf(requirer);
                var through = proxies.Count == 0 ? "" : $", with {Phrases.JoinWithAnd(proxies)} as its backend so no route bypasses authentication";
                return $"Render the Ingress for {requirer} on {provider}: {host}{through}";
            case Interfaces.HttpUpstream:
                return $"Point {requirer} at the web app of {provider} as its upstream";
            case Interfaces.TlsCertificates:
                var hosts = facts.IngressHosts(requirer);
                var forWhat = hosts.Count == 0 ? $"the hostnames of {requirer}" : Phrases.JoinWithAnd(hosts);
                var how = facts.IssuesThroughRoutes(provider) ? " (http-01 challenge through the served routes)" : "";
                return $"Issue certificates from {provider} for {forWhat} and write their TLS Secrets for {requirer}{how}";
            default:
                return $"Provision the relation {relation}";
        }
    }

    private static string ProvisionOutcome(RelationSpec relation) => relation.Interface switch
    {
        Interfaces.PostgresqlClient => $"{relation.Requirer} database ready",
        Interfaces.ObjectStorage => $"{relation.Requirer.Component} buckets ready",
        Interfaces.Temporal => $"{relation.Requirer.Component} schemas ready",
        Interfaces.TemporalHostInfo => $"{relation.Requirer.Component} knows the {relation.Provider.Component} address",
        Interfaces.NginxRoute => $"{relation.Requirer.Component} route on {relation.Provider.Component}",
        Interfaces.HttpUpstream => $"{relation.Requirer.Component} upstream set",
        Interfaces.TlsCertificates => $"{relation.Requirer.Component} certificates issued",
        _ => $"{relation.Key} provisioned",
    };

    private static string Complete(RelationSpec relation, StackFacts facts) => relation.Interface == Interfaces.Temporal
        ? $"Create the Temporal namespace {TemporalNamespace(relation, facts)} on {relation.Requirer.Component} with {relation.Provider.Component} "
            + $"(retention {facts.Option(relation.Provider.Component, "namespace-retention")}), once its frontend serves"
        : $"Finish the relation {relation}";

    private static string RemoveRelation(RelationSpec relation, StackFacts facts, bool deleteData)
    {
        var requirer = relation.Requirer.Component;
        var provider = relation.Provider.Component;
        return relation.Interface switch
        {
            Interfaces.PostgresqlClient when deleteData =>
                $"Drop the database {facts.Database(relation)} and its role on {provider} and delete the credentials of {relation.Requirer}",
            Interfaces.PostgresqlClient =>
                $"Delete the credentials of {relation.Requirer}; keep the database {facts.Database(relation)} and its role on {provider}",
            Interfaces.ObjectStorage => $"Delete the {provider} credentials of {relation.Requirer}; the buckets stay in {provider}",
            Interfaces.Temporal => $"Delete what {provider} set up for {requirer}; the schemas stay in the databases of {requirer}",
            Interfaces.TemporalHostInfo => $"Delete the {provider} address given to {requirer}",
            Interfaces.HttpUpstream => $"Delete the upstream of {requirer} (the web app of {provider})",
            Interfaces.NginxRoute => $"Delete the Ingress for {requirer} on {provider}",
            Interfaces.TlsCertificates => $"Delete the certificates {provider} issued for {requirer} and stop renewing them",
            _ => $"Remove the relation {relation}",
        };
    }

    private static string RemoveComponent(string component, StackFacts facts, bool deleteData)
    {
        var volumes = facts.Volumes(component).Select(v => $"{v.Name} volume").ToList();
        var objects = facts.Workloads(component).Count == 0 ? "ConfigMap and Secrets" : "workloads, Services, ConfigMap and Secrets";
        if (volumes.Count == 0)
        {
            return $"Delete the {objects} of {component}";
        }

        var which = Phrases.JoinWithAnd(volumes);
        return deleteData
            ? $"Delete the {objects} of {component} and its {which}"
            : $"Delete the {objects} of {component}; keep its {which}";
    }

    private static string TemporalNamespace(RelationSpec relation, StackFacts facts) =>
        facts.Option(relation.Provider.Component, "default-namespace") ?? "default";
}
