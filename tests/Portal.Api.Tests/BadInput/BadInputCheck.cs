using System.Globalization;
using System.Net;
using System.Text.Json;
using CsCheck;
using Portal.Domain.Tests.BadInput;

[assembly: AssemblyFixture(typeof(Portal.Domain.Tests.BadInput.BadInputTally))]

namespace Portal.Api.Tests.BadInput;

/// <summary>Runs the API's bad-input properties with CsCheck: the iteration budget (multiplied by <c>PORTAL_BADINPUT_ITER</c> for
/// a long run), the count of cases that ran (written to the test output as <c>bad-input: N cases</c>) and the checks of a refusal.</summary>
internal static class BadInputCheck
{
    /// <summary>What a refused request may answer: not valid, not found, conflict, too large, wrong media type, unprocessable.</summary>
    public static readonly HttpStatusCode[] Refusals =
    [
        HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.Conflict, HttpStatusCode.RequestEntityTooLarge,
        HttpStatusCode.UnsupportedMediaType, HttpStatusCode.UnprocessableEntity,
    ];

    /// <summary>Samples <paramref name="gen"/> on one thread (so that each case's before/after comparison is its own); a failure is
    /// shrunk by CsCheck and reported with its seed.</summary>
    public static async Task RunAsync<T>(string property, Gen<T> gen, Func<T, Task> assert, long iterations, Func<T, string> print)
    {
        long cases = 0;
        try
        {
            await gen.SampleAsync(
                async value =>
                {
                    Interlocked.Increment(ref cases);
                    await assert(value);
                },
                iter: iterations * BadInputTally.Multiplier,
                threads: 1,
                print: print);
        }
        finally
        {
            Report(property, Interlocked.Read(ref cases));
        }
    }

    public static void Report(string property, long cases)
    {
        BadInputTally.Add(cases);
        TestContext.Current.TestOutputHelper?.WriteLine($"bad-input: {cases.ToString(CultureInfo.InvariantCulture)} cases ({property})");
    }

    /// <summary>Asserts a refusal: one of <see cref="Refusals"/> (never a 5xx, never a success) with an RFC 7807 problem whose detail
    /// (or, for a validation problem, each listed field's messages) says what is wrong. Returns the problem.</summary>
    public static async Task<JsonElement> RefusedAsync(HttpResponseMessage response, string request)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var status = response.StatusCode;
        Assert.True(Refusals.Contains(status), $"{request} answered {(int)status}: {Cut(text)}");
        Assert.True(
            response.Content.Headers.ContentType?.MediaType == "application/problem+json",
            $"{request} answered {(int)status} with {response.Content.Headers.ContentType}: {Cut(text)}");
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), $"{request}: a problem without a title");
        var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : null;
        if (problem.TryGetProperty("errors", out var errors))
        {
            Assert.True(errors.EnumerateObject().Any(), $"{request}: a validation problem that lists no field: {Cut(text)}");
            foreach (var field in errors.EnumerateObject())
            {
                Assert.False(string.IsNullOrEmpty(field.Name), $"{request}: an error on no field: {Cut(text)}");
                Assert.True(field.Value.GetArrayLength() > 0, $"{request}: field {field.Name} without a message");
                foreach (var message in field.Value.EnumerateArray())
                {
                    AssertSentence(message.GetString(), request);
                }
            }
        }
        else
        {
            AssertSentence(detail, request);
        }

        return problem;
    }

    /// <summary>The fields a validation problem names (empty for other problems).</summary>
    public static IReadOnlyList<string> Fields(JsonElement problem) =>
        problem.TryGetProperty("errors", out var errors) ? errors.EnumerateObject().Select(p => p.Name).ToList() : [];

    public static void AssertSentence(string? message, string request)
    {
        Assert.False(string.IsNullOrWhiteSpace(message), $"{request}: a problem without a sentence");
        Assert.True(!message!.Any(char.IsControl), $"{request}: a message with a control character: {Show(message)}");
        Assert.True(message.Length <= 2_000, $"{request}: a message of {message.Length} characters: {Show(message)}");
    }

    public static string Cut(string text) => text.Length > 1_500 ? text[..1_500] + $"… ({text.Length} chars)" : text;

    /// <summary>A value as a failure report shows it: control characters and surrogates escaped, long text cut with its length.</summary>
    public static string Show(string? text)
    {
        if (text is null)
        {
            return "null";
        }

        var shown = string.Concat(text.Take(200).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));
        return text.Length > 200 ? $"\"{shown}…\" ({text.Length} chars)" : $"\"{shown}\"";
    }
}
