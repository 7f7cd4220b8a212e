using System.Text.Json;
using System.Text.RegularExpressions;

namespace Portal.Api.Tests.Install;

/// <summary>The repository's Dockerfile, read far enough to run its output as the image would: each stage's
/// instructions (continuation lines joined), and the final stage's environment, user and entry point.</summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<Stage> stages) => Stages = stages;

    public IReadOnlyList<Stage> Stages { get; }

    public Stage Runtime => Stages[^1];

    public static Dockerfile Read(string path)
    {
        var joined = ContinuationRegex().Replace(File.ReadAllText(path), " ");
        var stages = new List<Stage>();
        foreach (var line in joined.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var (instruction, rest) = (line[..space].ToUpperInvariant(), line[(space + 1)..].Trim());
            if (instruction == "FROM")
            {
                var parts = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stages.Add(new Stage(parts[0], parts.Length == 3 ? parts[2] : ""));
            }
            else
            {
                stages[^1].Instructions.Add((instruction, rest));
            }
        }

        return new Dockerfile(stages);
    }

    [GeneratedRegex(@"\\\r?\n")]
    private static partial Regex ContinuationRegex();

    [GeneratedRegex(@"(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>""[^""]*""|\S*)")]
    private static partial Regex EnvRegex();

    internal sealed record Stage(string Image, string Name)
    {
        public List<(string Instruction, string Arguments)> Instructions { get; } = [];

        public IEnumerable<string> All(string instruction) => Instructions.Where(i => i.Instruction == instruction).Select(i => i.Arguments);

        /// <summary>Every <c>ENV key=value</c> of the stage, later ones winning.</summary>
        public Dictionary<string, string> Environment()
        {
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var match in All("ENV").SelectMany(e => EnvRegex().Matches(e)))
            {
                environment[match.Groups["key"].Value] = match.Groups["value"].Value.Trim('"');
            }

            return environment;
        }

        public string[] EntryPoint => JsonSerializer.Deserialize<string[]>(Assert.Single(All("ENTRYPOINT")))!;

        public string User => Assert.Single(All("USER"));

        public string WorkDir => All("WORKDIR").Last();
    }
}
