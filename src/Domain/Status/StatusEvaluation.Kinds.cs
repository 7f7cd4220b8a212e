using Portal.Domain.Catalog;
using Portal.Domain.Catalog.Kinds;
using Portal.Domain.Naming;
using Portal.Domain.Stacks;
using Portal.Domain.Status.Observation;

namespace Portal.Domain.Status;

/// <summary>What each kind adds to the generic rules: its config blockers, what it waits for, and its own words for
/// progress and for being active (the kinds' <see cref="ComponentKind.StatusMessages"/>).</summary>
internal sealed partial class StatusEvaluation
{
    private IEnumerable<Finding> KindFindings(ComponentContext context)
    {
        var findings = context.Kind.Name switch
        {
            AirbyteWebhooksKind.Name => WebhooksFindings(context),
            OAuth2ProxyKind.Name => OAuth2ProxyFindings(context),
            NginxIngressKind.Name => NginxIngressFindings(context),
            LegoKind.Name => LegoFindings(context),
            PostgresqlKind.Name => PostgresqlFindings(context),
            TemporalAdminKind.Name => TemporalAdminFindings(context),
            _ => [],
        };
        return findings.Concat(WorkloadSecretFindings(context));
    }

    private static Finding ConfigBlocker(ComponentContext context, string option, string message, string? action = null) =>
        new(Rank.Configuration, ComponentStatus.Blocked, message,
            new StatusCause(CauseKind.Configuration, $"{context.Spec.Name}.{option}", message, action ?? $"Set option '{option}' of {context.Spec.Name}"));

    /// <summary>Secrets the workload writes itself (Airbyte's bootloader writes <c>airbyte-auth-secrets</c>): wait for them once deployed.</summary>
    private IEnumerable<Finding> WorkloadSecretFindings(ComponentContext context)
    {
        if (context.NotDeployed)
        {
            yield break;
        }

        foreach (var secret in context.Kind.Secrets.Where(s => s.Source == SecretSource.Workload))
        {
            if (_observation.Find<ObservedSecret>(secret.Name) is null)
            {
                yield return new Finding(Rank.KindWait, ComponentStatus.Waiting, $"waiting for {secret.Name}",
                    new StatusCause(CauseKind.Resource, $"{ObjectKinds.Secret}/{secret.Name}", $"{secret.Name} has not been written yet",
                        $"Wait for {context.Spec.Name} to write {secret.Name} ({secret.Description})"));
            }
        }
    }

    private static IEnumerable<Finding> WebhooksFindings(ComponentContext context)
    {
        if (string.IsNullOrWhiteSpace(context.Option("image")))
        {
            yield return ConfigBlocker(context, "image", "image not set");
        }
    }

    private IEnumerable<Finding> OAuth2ProxyFindings(ComponentContext context)
    {
        var name = context.Spec.Name;
        var secret = _observation.Find<ObservedSecret>(ObjectNames.ComponentSecret(name));
        // The client secret is stripped from a stored spec: when the spec does not say, the component Secret does.
        var clientSecretSet = context.Spec.Config.TryGetValue("client-secret", out var clientSecret)
            ? clientSecret.Length > 0
            : secret is null || secret.HasKey("client-secret");
        if (string.IsNullOrWhiteSpace(context.Option("client-id")) || !clientSecretSet)
        {
            yield return ConfigBlocker(context, "client-id",
                $"client-id and client-secret must be set for provider {context.Option("provider")}",
                $"Set options 'client-id' and 'client-secret' of {name} to the OAuth client registered at the identity provider");
        }

        if (!context.NotDeployed && !_facts.Applying.ContainsKey(name) && (secret is null || !secret.HasKey("cookie-secret")))
        {
            yield return ConfigBlocker(context, "cookie-secret", "missing cookie-secret",
                $"Redeploy {name} so that the portal generates its cookie secret, or set option 'cookie-secret'");
        }
    }

    private IEnumerable<Finding> NginxIngressFindings(ComponentContext context)
    {
        var name = context.Spec.Name;
        if (!ProvidedRelations(name, Interfaces.NginxRoute).Any())
        {
            yield return new Finding(Rank.KindWait, ComponentStatus.Waiting, "waiting for relation",
                new StatusCause(CauseKind.MissingRelation, $"{name}:nginx-route", "no route is related to it",
                    $"Relate a component's nginx-route endpoint to {name}:nginx-route"));
        }

        if (ManualTlsSecret(name) is { } manual)
        {
            var secret = _observation.Find<ObservedSecret>(manual);
            var missing = secret?.MissingKeys(TlsKeys) ?? TlsKeys;
            if (missing.Count > 0)
            {
                yield return ConfigBlocker(context, "tls-secret-name",
                    secret is null ? $"TLS secret {manual} not found" : $"TLS secret {manual} lacks {string.Join(", ", missing)}",
                    $"Create the kubernetes.io/tls Secret {manual} in namespace {_stack.Namespace}, or clear option 'tls-secret-name' of {name}");
            }
        }
    }

    private IEnumerable<Finding> LegoFindings(ComponentContext context)
    {
        var name = context.Spec.Name;
        if (string.IsNullOrWhiteSpace(context.Option("email")))
        {
            yield return ConfigBlocker(context, "email", "email address was not provided");
        }

        // The internal CA needs no ACME server: a wrong server option does not block it.
        if (context.Option("issuer") != LegoKind.InternalCaIssuer
            && (!Uri.TryCreate(context.Option("server"), UriKind.Absolute, out var server) || server.Scheme != Uri.UriSchemeHttps))
        {
            yield return ConfigBlocker(context, "server", "invalid ACME server", $"Set option 'server' of {name} to the https URL of an ACME directory");
        }

        var owed = ProvidedRelations(name, Interfaces.TlsCertificates)
            .SelectMany(r => Certificates(r).Select(c => (Relation: r, Certificate: c)))
            .ToList();
        if (owed.FirstOrDefault(o => !o.Certificate.Issued) is { Relation: { } relation, Certificate: { } waiting })
        {
            yield return new Finding(Rank.KindWait, ComponentStatus.Waiting, CertificateSummary(owed.Select(o => o.Certificate).ToList()),
                new StatusCause(CauseKind.ProvidedRelation, relation.Key, $"the certificate of {waiting.Host} has not been issued",
                    $"Wait for {name} to issue the certificate of {waiting.Host} (TLS secret {waiting.SecretName})")
                {
                    Relation = relation,
                });
        }
    }

    private static string CertificateSummary(IReadOnlyList<Certificate> certificates) =>
        $"{certificates.Count(c => c.Issued)}/{certificates.Count} certificate requests are fulfilled";

    private bool IsExternalDatabase(ComponentSpec spec, ComponentKind kind) => spec.Get(kind, "mode") != PostgresqlKind.InCluster;

    private IEnumerable<Finding> PostgresqlFindings(ComponentContext context)
    {
        var name = context.Spec.Name;
        if (IsExternalDatabase(context.Spec, context.Kind))
        {
            var server = $"{context.Option("host")}:{context.Option("port")}";
            if (!_facts.ExternalDatabases.TryGetValue(name, out var check))
            {
                yield return new Finding(Rank.Unchecked, ComponentStatus.Unknown, $"external server {server} not checked yet",
                    new StatusCause(CauseKind.PortalReported, name, "the connection has not been checked yet",
                        $"Wait for the portal to check the connection to {server}"));
            }
            else if (!check.Reachable)
            {
                var problem = string.IsNullOrWhiteSpace(check.Problem) ? "cannot log in as the admin role" : check.Problem;
                yield return new Finding(Rank.PortalReported, ComponentStatus.Blocked, problem,
                    new StatusCause(CauseKind.PortalReported, name, problem,
                        $"Check the host, port, sslmode and admin credentials of {name} ({server})"));
            }
        }

        // One database and login role per relation: its Secret appears once the portal created them.
        if (context.NotDeployed)
        {
            yield break;
        }

        var relations = ProvidedRelations(name, Interfaces.PostgresqlClient).ToList();
        var pending = relations.Where(r => _observation.Find<ObservedSecret>(ObjectNames.RelationSecret(r)) is null).ToList();
        if (pending.Count > 0)
        {
            var first = pending[0];
            yield return new Finding(Rank.KindWait, _facts.Wiring.ContainsKey(first.Key) ? ComponentStatus.Maintenance : ComponentStatus.Waiting,
                $"{relations.Count - pending.Count} of {relations.Count} relation databases are ready",
                new StatusCause(CauseKind.ProvidedRelation, first.Key, $"the database of {first} has not been created yet",
                    Wired(first) ? $"Re-run the wiring of {first}" : $"Wait for the portal to create the database and role of {first}")
                {
                    Relation = first,
                });
        }
    }

    private IEnumerable<Finding> TemporalAdminFindings(ComponentContext context)
    {
        // The schema Job needs the Temporal server's database credentials: it waits for the server's database relations.
        foreach (var admin in ProvidedRelations(context.Spec.Name, Interfaces.Temporal))
        {
            var database = RequiredRelations(admin.Requirer.Component, Interfaces.PostgresqlClient)
                .FirstOrDefault(r => _observation.Find<ObservedSecret>(ObjectNames.RelationSecret(r)) is null);
            if (database is not null)
            {
                yield return new Finding(Rank.PendingRelation, ComponentStatus.Waiting,
                    "admin:temporal relation: database connections info not available",
                    new StatusCause(CauseKind.Relation, database.Key, $"{database} has no credentials yet",
                        $"Wait for {database} to be wired: {context.Spec.Name} needs its credentials")
                    {
                        Relation = database,
                        WaitingOn = database.Provider.Component,
                    });
                yield break;
            }
        }
    }

    /// <summary>The status and words for a component whose object is progressing.</summary>
    private (ComponentStatus Status, string Message) ProgressingText(ComponentContext context, ResourceHealth health)
    {
        var subject = Subject(context, health);
        var kind = context.Kind.Name;
        switch (health.Resource.Kind)
        {
            case ObjectKinds.Ingress:
                return (ComponentStatus.Waiting, kind == NginxIngressKind.Name ? "waiting for ingress address" : $"{subject}: {health.Message}");
            case ObjectKinds.PersistentVolumeClaim:
                return (ComponentStatus.Waiting, "waiting for volume");
            case ObjectKinds.Service:
                return (ComponentStatus.Waiting, $"{subject}: {health.Message}");
            case ObjectKinds.Job:
                var purpose = context.Find(health.Resource)?.Workload
                    ?? (health.Resource.Name.StartsWith($"{context.Spec.Name}-", StringComparison.Ordinal)
                        ? health.Resource.Name[(context.Spec.Name.Length + 1)..]
                        : "");
                return (ComponentStatus.Maintenance, (kind, purpose) switch
                {
                    (AirbyteKind.Name, "bootloader") => "running database migrations",
                    (TemporalAdminKind.Name, RelationContracts.SchemaJobPurpose) => "setting up schemas",
                    (MinioKind.Name, "buckets") => "creating buckets",
                    (PostgresqlKind.Name, "roles") => "creating database roles",
                    _ => $"{subject}: {health.Message}",
                });
            default:
                return kind switch
                {
                    PostgresqlKind.Name => (ComponentStatus.Waiting, "awaiting for primary endpoint to be ready"),
                    AirbyteKind.Name => (ComponentStatus.Maintenance, "rolling out new pods"),
                    _ => (ComponentStatus.Maintenance, $"{subject}: {health.Message}"),
                };
        }
    }

    /// <summary>The informational message of an active component.</summary>
    private string ActiveMessage(ComponentContext context)
    {
        var name = context.Spec.Name;
        switch (context.Kind.Name)
        {
            case NginxIngressKind.Name:
                var addresses = context.Objects.OfType<ObservedIngress>()
                    .SelectMany(i => i.LoadBalancerAddresses)
                    .Distinct(StringComparer.Ordinal)
                    .ToList();
                return addresses.Count > 0 ? $"Ingress IP(s): {string.Join(", ", addresses)}" : "";
            case LegoKind.Name:
                return CertificateSummary(ProvidedRelations(name, Interfaces.TlsCertificates).SelectMany(Certificates).ToList());
            case PostgresqlKind.Name:
                return IsExternalDatabase(context.Spec, context.Kind) ? $"external server {context.Option("host")}:{context.Option("port")}" : "Primary";
            case TemporalAdminKind.Name:
                var provided = ProvidedRelations(name, Interfaces.Temporal).ToList();
                return provided.Count > 0 && provided.All(r => SchemaCheck(r).Check.Result == CheckResult.Passed) ? "schema ready" : "";
            default:
                return "";
        }
    }
}
