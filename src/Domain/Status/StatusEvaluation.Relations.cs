using Portal.Domain.Blueprints;
using Portal.Domain.Catalog;
using Portal.Domain.Naming;
using Portal.Domain.Status.Observation;
using static Portal.Domain.Status.TimeText;

namespace Portal.Domain.Status;

/// <summary>Relation (edge) health: the provider is active, the credentials are there, the consumers loaded them, and the
/// interface's own promise holds (schema ready, route published, certificates issued, upstream reachable).</summary>
internal sealed partial class StatusEvaluation
{
    private RelationState Relation(RelationSpec relation)
    {
        if (_relations.TryGetValue(relation.Key, out var cached))
        {
            return cached;
        }

        var state = EvaluateRelation(relation);
        _relations[relation.Key] = state;
        return state;
    }

    private RelationState EvaluateRelation(RelationSpec relation)
    {
        var provider = relation.Provider.Component;
        var requirer = relation.Requirer.Component;
        if (_stack.FindComponent(provider) is null || _stack.FindComponent(requirer) is null)
        {
            var absent = _stack.FindComponent(provider) is null ? provider : requirer;
            var check = new RelationCheck(RelationChecks.Provider, CheckResult.Failed, $"{absent} is not in the stack")
            {
                Action = $"Add {absent} to the stack, or remove the relation {relation}",
            };
            return new RelationState(relation, RelationStatus.Broken, check.Message, [check]);
        }

        // While the portal wires the relation, that is the first thing to say about it.
        var checks = new List<RelationCheck>();
        if (_facts.Wiring.TryGetValue(relation.Key, out var step))
        {
            checks.Add(new RelationCheck(RelationChecks.Wiring, CheckResult.Pending, step) { Action = $"Wait for the portal to finish wiring {relation}" });
        }

        checks.Add(ProviderCheck(relation));

        var (interfaceChecks, coveredJobs) = InterfaceChecks(relation);
        checks.AddRange(interfaceChecks);
        checks.AddRange(SetupJobChecks(relation, coveredJobs));

        if (_facts.EndToEndChecks.TryGetValue(relation.Key, out var endToEnd))
        {
            checks.Add(new RelationCheck(RelationChecks.EndToEnd, endToEnd.Passed ? CheckResult.Passed : CheckResult.Failed, endToEnd.Message)
            {
                Action = endToEnd.Passed ? null : $"Fix {relation}: its end-to-end check failed: {endToEnd.Message}",
            });
        }

        var problem = checks.FirstOrDefault(c => c.Result == CheckResult.Failed) ?? checks.FirstOrDefault(c => c.Result == CheckResult.Pending);
        var status = problem switch
        {
            null => RelationStatus.Healthy,
            { Result: CheckResult.Failed } => RelationStatus.Broken,
            _ when Own(provider).NotDeployed && Own(requirer).NotDeployed => RelationStatus.Unknown,
            _ => RelationStatus.Pending,
        };
        var message = status switch
        {
            RelationStatus.Healthy => $"{Plural(checks.Count, "check")} passed",
            RelationStatus.Unknown => "neither side is deployed yet",
            _ => problem!.Message,
        };
        return new RelationState(relation, status, message, checks);
    }

    private RelationCheck ProviderCheck(RelationSpec relation)
    {
        var provider = relation.Provider.Component;
        // Meeting the provider again while it is being evaluated means a cycle: take what it shows by itself.
        var evaluated = _inProgress.Contains(provider) ? Own(provider).AsEvaluated() : Final(provider);
        var state = evaluated.State;
        if (state.IsActive)
        {
            return new RelationCheck(RelationChecks.Provider, CheckResult.Passed, $"{provider} is active");
        }

        // A provider that only lags on another of its relations (another route's address, another database) serves this one.
        var relevant = evaluated.Findings
            .Where(f => !(f.Cause is { Kind: CauseKind.ProvidedRelation, Relation: { } other } && other.Key != relation.Key))
            .ToList();
        if (relevant.Count == 0)
        {
            return new RelationCheck(RelationChecks.Provider, CheckResult.Passed,
                $"{provider} serves this relation (it {StatusPhrase(state.Status)} for another: {state.Message})");
        }

        var first = relevant[0];
        return new RelationCheck(RelationChecks.Provider, CheckResult.Pending, $"{provider} {StatusPhrase(first.Status)}: {first.Message}")
        {
            Action = first.Cause.Action,
            WaitingOn = provider,
        };
    }

    /// <summary>"is waiting", "is in error"…: how a sentence says a component's status.</summary>
    private static string StatusPhrase(ComponentStatus status) => status switch
    {
        ComponentStatus.Maintenance => "is in maintenance",
        ComponentStatus.Error => "is in error",
        _ => $"is {status.ToString().ToLowerInvariant()}",
    };

    private (IEnumerable<RelationCheck> Checks, IReadOnlySet<string> CoveredJobs) InterfaceChecks(RelationSpec relation)
    {
        if (RelationContracts.HasSecret(relation.Interface))
        {
            return (CredentialChecks(relation), new HashSet<string>());
        }

        switch (relation.Interface)
        {
            case Interfaces.Temporal:
                var (check, job) = SchemaCheck(relation);
                return ([check], job is null ? new HashSet<string>() : new HashSet<string> { job });
            case Interfaces.NginxRoute:
                return ([RouteCheck(relation)], new HashSet<string>());
            case Interfaces.TlsCertificates:
                return ([CertificatesCheck(relation)], new HashSet<string>());
            case Interfaces.HttpUpstream:
                return ([UpstreamCheck(relation)], new HashSet<string>());
            default:
                return ([], new HashSet<string>());
        }
    }

    /// <summary>Whether the portal finished wiring this relation before (and is not wiring it now): what is missing was lost.</summary>
    private bool Wired(RelationSpec relation) =>
        _facts.WiredRelations.Contains(relation.Key) && !_facts.Wiring.ContainsKey(relation.Key);

    private IEnumerable<RelationCheck> CredentialChecks(RelationSpec relation)
    {
        var name = ObjectNames.RelationSecret(relation);
        var secret = _observation.Find<ObservedSecret>(name);
        if (secret is null)
        {
            yield return Wired(relation)
                ? new RelationCheck(RelationChecks.Credentials, CheckResult.Failed, $"relation secret {name} is missing")
                {
                    Action = $"Re-run the wiring of {relation}",
                }
                : new RelationCheck(RelationChecks.Credentials, CheckResult.Pending, $"relation secret {name} has not been written yet")
                {
                    Action = $"Wait for the portal to wire {relation}",
                };
            yield break;
        }

        var expected = RelationContracts.SecretKeys(relation.Interface);
        var missing = secret.MissingKeys(expected);
        yield return missing.Count > 0
            ? new RelationCheck(RelationChecks.Credentials, CheckResult.Failed,
                $"relation secret {name} lacks {(missing.Count == 1 ? "key" : "keys")} {string.Join(", ", missing)}")
            {
                Action = $"Re-run the wiring of {relation}: its secret lacks {string.Join(", ", missing)}",
            }
            : new RelationCheck(RelationChecks.Credentials, CheckResult.Passed,
                secret.Revision is { } revision ? $"relation secret {name} has every key (revision {Number(revision)})" : $"relation secret {name} has every key");

        if (ConsumesThroughPods(relation.Requirer.Component))
        {
            yield return ConsumersCheck(relation, secret);
        }
    }

    private bool ConsumesThroughPods(string component) =>
        _stack.FindComponent(component) is { } spec
        && _catalog.TryGet(spec.Kind, out var kind)
        && kind.Workloads.Any(w => w.Type is WorkloadType.Deployment or WorkloadType.StatefulSet);

    /// <summary>The ledger check: every running pod of the requirer that loads the Secret runs its live revision.</summary>
    private RelationCheck ConsumersCheck(RelationSpec relation, ObservedSecret secret)
    {
        var requirer = relation.Requirer.Component;
        var pods = _observation.ForComponent(requirer)
            .OfType<ObservedPod>()
            .Where(p => p.RestartPolicy == PodRestartPolicy.Always && p.DeletionRequestedAt is null && p.Phase is PodPhase.Pending or PodPhase.Running)
            .ToList();
        if (pods.Count == 0)
        {
            return new RelationCheck(RelationChecks.Consumers, CheckResult.Pending, $"no {requirer} pods are running")
            {
                Action = $"Wait for {requirer} to start",
                WaitingOn = requirer,
            };
        }

        var consumers = pods.Where(p => p.SecretRevisions.ContainsKey(secret.Name)).ToList();
        if (consumers.Count == 0)
        {
            return new RelationCheck(RelationChecks.Consumers, CheckResult.Pending, $"no {requirer} pod has loaded {secret.Name} yet")
            {
                Action = $"Restart {requirer} so that its pods load {secret.Name}",
            };
        }

        if (secret.Revision is not { } live)
        {
            return new RelationCheck(RelationChecks.Consumers, CheckResult.Passed, $"{Plural(consumers.Count, $"{requirer} pod")} load {secret.Name}");
        }

        var stale = consumers.Where(p => p.SecretRevisions[secret.Name] != live).ToList();
        if (stale.Count > 0)
        {
            var revisions = stale.Select(p => p.SecretRevisions[secret.Name]).Distinct().Order().Select(r => Number(r)).ToList();
            var revisionText = revisions.Count == 1 ? $"revision {revisions[0]}" : $"revisions {string.Join(", ", revisions)}";
            return new RelationCheck(RelationChecks.Consumers, CheckResult.Pending,
                $"{stale.Count} of {Plural(consumers.Count, $"{requirer} pod")} still run {revisionText} of {secret.Name}")
            {
                Action = $"Restart {requirer} so that every pod loads revision {Number(live)} of {secret.Name}",
            };
        }

        return new RelationCheck(RelationChecks.Consumers, CheckResult.Passed,
            $"{Plural(consumers.Count, $"{requirer} pod")} run revision {Number(live)} of {secret.Name}");
    }

    /// <summary>temporal: the schema Job (labelled with the relation, else named after it or after the provider's schema workload) completed.</summary>
    private (RelationCheck Check, string? JobName) SchemaCheck(RelationSpec relation)
    {
        var names = new[]
        {
            ObjectNames.RelationJob(relation, RelationContracts.SchemaJobPurpose),
            ObjectNames.Workload(relation.Provider.Component, RelationContracts.SchemaJobPurpose),
        };
        var job = _observation.ForRelation(relation).OfType<ObservedJob>().FirstOrDefault()
            ?? names.Select(_observation.Find<ObservedJob>).FirstOrDefault(j => j is not null);

        if (job is null)
        {
            // The portal marks the relation wired only once the schema is ready; the Job may since have been cleaned up.
            return (Wired(relation)
                ? new RelationCheck(RelationChecks.Schema, CheckResult.Passed, "schema ready")
                : new RelationCheck(RelationChecks.Schema, CheckResult.Pending, "schema setup has not started yet")
                {
                    Action = $"Wait for the portal to run the schema setup of {relation}",
                    WaitingOn = relation.Provider.Component,
                }, null);
        }

        var health = _health.Evaluate(job, _observation, _now);
        var check = health.Status switch
        {
            HealthStatus.Healthy => new RelationCheck(RelationChecks.Schema, CheckResult.Passed, "schema ready"),
            HealthStatus.Degraded => new RelationCheck(RelationChecks.Schema, CheckResult.Failed, $"schema job {job.Name} {health.Message}")
            {
                Action = $"Read the logs of job {job.Name}, then re-run the wiring of {relation}",
            },
            _ => new RelationCheck(RelationChecks.Schema, CheckResult.Pending, $"schema is not ready: job {job.Name} is {health.Message}")
            {
                Action = health.Action ?? $"Wait for job {job.Name} to finish",
                WaitingOn = relation.Provider.Component,
            },
        };
        return (check, job.Name);
    }

    /// <summary>nginx-route: the route's Ingress exists and the controller gave it an address.</summary>
    private RelationCheck RouteCheck(RelationSpec relation)
    {
        var name = ObjectNames.Ingress(relation.Provider.Component, relation.Requirer.Component);
        var ingress = _observation.Find<ObservedIngress>(name)
            ?? _observation.ForRelation(relation).OfType<ObservedIngress>().FirstOrDefault();
        if (ingress is null)
        {
            return Wired(relation)
                ? new RelationCheck(RelationChecks.Route, CheckResult.Failed, $"Ingress {name} is missing") { Action = $"Re-run the wiring of {relation}" }
                : new RelationCheck(RelationChecks.Route, CheckResult.Pending, $"Ingress {name} has not been created yet")
                {
                    Action = $"Wait for the portal to wire {relation}",
                };
        }

        var health = _health.Evaluate(ingress, _observation, _now);
        return health.Status switch
        {
            HealthStatus.Healthy => new RelationCheck(RelationChecks.Route, CheckResult.Passed, $"Ingress {ingress.Name} has {health.Message}"),
            HealthStatus.Degraded or HealthStatus.Missing => new RelationCheck(RelationChecks.Route, CheckResult.Failed, $"Ingress {ingress.Name}: {health.Message}")
            {
                Action = health.Action,
            },
            _ => new RelationCheck(RelationChecks.Route, CheckResult.Pending, $"Ingress {ingress.Name} is {health.Message}")
            {
                Action = health.Action,
            },
        };
    }

    /// <summary>tls-certificates: a TLS Secret with tls.crt and tls.key for every hostname the requirer ingress serves.</summary>
    private RelationCheck CertificatesCheck(RelationSpec relation)
    {
        var ingress = relation.Requirer.Component;
        if (ManualTlsSecret(ingress) is { } manual)
        {
            return new RelationCheck(RelationChecks.Certificates, CheckResult.Passed,
                $"{ingress} serves the TLS secret {manual} given in its config instead");
        }

        var certificates = Certificates(relation).ToList();
        if (certificates.Count == 0)
        {
            return new RelationCheck(RelationChecks.Certificates, CheckResult.Passed, $"{ingress} has no hostnames to certify yet");
        }

        if (certificates.FirstOrDefault(c => c.Secret is not null && c.MissingKeys.Count > 0) is { } incomplete)
        {
            return new RelationCheck(RelationChecks.Certificates, CheckResult.Failed,
                $"TLS secret {incomplete.SecretName} lacks {string.Join(", ", incomplete.MissingKeys)}")
            {
                Action = $"Renew the certificate of {incomplete.Host}",
            };
        }

        var issued = certificates.Count(c => c.Issued);
        var summary = $"{issued}/{certificates.Count} certificates issued";
        return certificates.FirstOrDefault(c => !c.Issued) is { } waiting
            ? new RelationCheck(RelationChecks.Certificates, CheckResult.Pending, $"{summary}; waiting for {waiting.SecretName}")
            {
                Action = $"Wait for {relation.Provider.Component} to issue the certificate of {waiting.Host}",
                WaitingOn = relation.Provider.Component,
            }
            : new RelationCheck(RelationChecks.Certificates, CheckResult.Passed, summary);
    }

    /// <summary>http-upstream: the provider's upstream Service exists.</summary>
    private RelationCheck UpstreamCheck(RelationSpec relation)
    {
        var provider = _stack.Component(relation.Provider.Component);
        var name = _catalog.TryGet(provider.Kind, out var kind) ? RelationContracts.UpstreamService(kind, provider.Name) : provider.Name;
        if (_observation.Find<ObservedService>(name) is { } service)
        {
            return new RelationCheck(RelationChecks.Upstream, CheckResult.Passed,
                service.ClusterIP is { Length: > 0 } ip ? $"upstream service {name} exists ({ip})" : $"upstream service {name} exists");
        }

        return Own(provider.Name).NotDeployed || !Wired(relation)
            ? new RelationCheck(RelationChecks.Upstream, CheckResult.Pending, $"upstream service {name} does not exist yet")
            {
                Action = $"Wait for {provider.Name} to be deployed",
                WaitingOn = provider.Name,
            }
            : new RelationCheck(RelationChecks.Upstream, CheckResult.Failed, $"upstream service {name} is missing")
            {
                Action = $"Redeploy {provider.Name}: Service {name} is missing",
            };
    }

    /// <summary>Jobs labelled with the relation (roles, buckets) other than those an interface check already covered.</summary>
    private IEnumerable<RelationCheck> SetupJobChecks(RelationSpec relation, IReadOnlySet<string> covered)
    {
        foreach (var job in _observation.ForRelation(relation).OfType<ObservedJob>().Where(j => !covered.Contains(j.Name)).OrderBy(j => j.Name, StringComparer.Ordinal))
        {
            var health = _health.Evaluate(job, _observation, _now);
            yield return health.Status switch
            {
                HealthStatus.Healthy => new RelationCheck(RelationChecks.SetupJob, CheckResult.Passed, $"job {job.Name} completed"),
                HealthStatus.Degraded => new RelationCheck(RelationChecks.SetupJob, CheckResult.Failed, $"job {job.Name} {health.Message}")
                {
                    Action = $"Read the logs of job {job.Name}, then re-run the wiring of {relation}",
                },
                _ => new RelationCheck(RelationChecks.SetupJob, CheckResult.Pending, $"job {job.Name} is {health.Message}")
                {
                    Action = health.Action,
                },
            };
        }
    }

    /// <summary>One certificate a tls-certificates relation owes: the hostname, its TLS Secret and whether it is complete.</summary>
    private sealed record Certificate(string Host, string SecretName, ObservedSecret? Secret, IReadOnlyList<string> MissingKeys)
    {
        public bool Issued => Secret is not null && MissingKeys.Count == 0;
    }

    private static readonly string[] TlsKeys = [ObservedSecret.TlsCertificateKey, ObservedSecret.TlsPrivateKeyKey];

    /// <summary>The certificates a tls-certificates relation owes: one per hostname routed through the requirer ingress.</summary>
    private IEnumerable<Certificate> Certificates(RelationSpec relation)
    {
        if (ManualTlsSecret(relation.Requirer.Component) is not null)
        {
            yield break;
        }

        foreach (var host in RouteHosts(relation.Requirer.Component))
        {
            var name = ObjectNames.TlsSecret(host);
            var secret = _observation.Find<ObservedSecret>(name);
            yield return new Certificate(host, name, secret, secret?.MissingKeys(TlsKeys) ?? TlsKeys);
        }
    }

    /// <summary>The hostnames an ingress component serves: the <c>external-hostname</c> of every component routed through it.</summary>
    private List<string> RouteHosts(string ingress) =>
        ProvidedRelations(ingress, Interfaces.NginxRoute)
            .Select(r => _stack.FindComponent(r.Requirer.Component))
            .OfType<Stacks.ComponentSpec>()
            .Select(c => _catalog.TryGet(c.Kind, out var kind) ? c.Get(kind, "external-hostname") : null)
            .OfType<string>()
            .Where(host => host.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>The TLS Secret an nginx-ingress is told to serve in its config (manual TLS), if any.</summary>
    private string? ManualTlsSecret(string ingress) =>
        _stack.FindComponent(ingress) is { } spec && _catalog.TryGet(spec.Kind, out var kind) && kind.FindOption("tls-secret-name") is not null
            && spec.Get(kind, "tls-secret-name") is { Length: > 0 } name
            ? name
            : null;
}
