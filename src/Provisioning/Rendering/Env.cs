using k8s.Models;

namespace Portal.Provisioning.Rendering;

/// <summary>Builds container environment: literal values for config, <c>secretKeyRef</c> for anything secret.</summary>
/// <remarks>A secret value never appears in a manifest: every credential reaches a container through a reference.</remarks>
internal sealed class Env
{
    private readonly List<V1EnvVar> _vars = [];

    public Env Value(string name, string value)
    {
        _vars.Add(new V1EnvVar { Name = name, Value = value });
        return this;
    }

    public Env Secret(string name, string secret, string key, bool optional = false)
    {
        _vars.Add(new V1EnvVar
        {
            Name = name,
            ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secret, Key = key, Optional = optional ? true : null } },
        });
        return this;
    }

    public Env FieldRef(string name, string fieldPath)
    {
        _vars.Add(new V1EnvVar { Name = name, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = fieldPath } } });
        return this;
    }

    public Env AddRange(Env other)
    {
        _vars.AddRange(other._vars);
        return this;
    }

    public IList<V1EnvVar> Build() => [.. _vars];

    /// <summary>The names of the Secrets this environment reads, for the pod template's revision ledger.</summary>
    public IEnumerable<string> SecretNames => _vars
        .Select(v => v.ValueFrom?.SecretKeyRef?.Name)
        .OfType<string>()
        .Distinct(StringComparer.Ordinal);
}
