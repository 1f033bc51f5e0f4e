using CsCheck;
using Diagnostics.Fuzzing.Engines;

namespace Diagnostics.Fuzzing.Tests;

/// <summary>
/// The short fuzzing run inside <c>dotnet test</c>: every parser that reads bytes from outside gets its real inputs and
/// a fixed number of seeded mutations of them (CsCheck, one thread, the same PCG seed every run), and must keep its
/// contract on each: a value or its typed error or documented exception, within its allocation budget. A failure is
/// shrunk by CsCheck and printed with the seed that replays it. The long, coverage-guided runs are the benchmark
/// command (tests/Diagnostics.Fuzzing/README.md).
/// </summary>
public sealed class ParserContractSmokeTests
{
    // About a second each on a loaded 2-core machine; the slow ones sign a manifest or build a zip per input.
    private static readonly Dictionary<string, long> Iterations = new(StringComparer.Ordinal)
    {
        ["wire"] = 30_000,
        ["ipp"] = 60_000,
        ["snmp"] = 100_000,
        ["article"] = 8_000,
        ["manifest"] = 2_000,
        ["package"] = 3_000,
        ["delta"] = 6_000,
        ["image"] = 100_000,
        ["bundle"] = 30_000,
    };

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(target => target.Name)];

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Targets))]
    public async Task Keeps_its_contract_on_real_inputs_and_seeded_mutations_of_them(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var seeds = target.Seeds();
        Assert.NotEmpty(seeds);
        var outcomes = seeds.Select(target.Run).ToList();
        Assert.Contains(ParseOutcome.Value, outcomes);

        // On the thread pool so the timeout can report a hang instead of the run never ending.
        await Task.Run(() => Mutations.Of(seeds).Sample(input => target.Run(input),
            seed: RandomEngine.SmokeSeed, iter: Iterations[name], threads: 1), TestContext.Current.CancellationToken);
    }

    [Fact]
    public void Every_target_has_a_smoke_budget()
    {
        Assert.Equal(FuzzTargets.All.Select(t => t.Name).Order(StringComparer.Ordinal), Iterations.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_undocumented_exception_fails_the_run_with_a_shrunk_input()
    {
        var target = Target(input => input.Contains((byte)0x42) ? throw new ArgumentOutOfRangeException(nameof(input), "the parser indexed past its input") : ParseOutcome.TypedError);

        var failure = Assert.ThrowsAny<Exception>(() =>
            Mutations.Of([[0x40, 0x41, 0x43, 0x44]]).Sample(input => target.Run(input), seed: RandomEngine.SmokeSeed, iter: 20_000, threads: 1));

        Assert.Contains("ArgumentOutOfRangeException", failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_documented_exception_is_an_outcome_not_a_failure()
    {
        var target = Target(_ => throw new InvalidDataException("damaged"), documented: [typeof(InvalidDataException)]);

        Assert.Equal(ParseOutcome.DocumentedException, target.Run([1, 2, 3]));
    }

    [Fact]
    public void Allocating_past_the_budget_breaks_the_contract_though_the_parser_returned()
    {
        var target = Target(input =>
        {
            GC.KeepAlive(new byte[64 << 20]);
            return ParseOutcome.TypedError;
        });

        var violation = Assert.Throws<ContractViolationException>(() => target.Run([1]));

        Assert.Contains("allocate", violation.Message, StringComparison.Ordinal);
    }

    private static FuzzTarget Target(Func<byte[], ParseOutcome> parse, IReadOnlyList<Type>? documented = null) => new()
    {
        Name = "test",
        Covers = "a parser made for this test",
        Seeds = () => [[1]],
        Parse = parse,
        DocumentedExceptions = documented ?? [],
    };
}
